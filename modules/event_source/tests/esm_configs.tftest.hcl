# ESM metrics_config (every source type here) and provisioned_poller_config (SQS only), with a mocked provider.
mock_provider "aws" {}

variables {
  function_name      = "demo-fn"
  function_arn       = "arn:aws:lambda:eu-west-1:111122223333:function:demo-fn"
  function_role_name = "demo-fn-role"
}

run "sqs_metrics_and_provisioned_pollers" {
  command = plan

  variables {
    sqs = {
      ingest = {
        queue_arn                 = "arn:aws:sqs:eu-west-1:111122223333:ingest"
        metrics                   = ["EventCount"]
        provisioned_poller_config = { minimum_pollers = 3, maximum_pollers = 50 }
      }
      plain = {
        queue_arn = "arn:aws:sqs:eu-west-1:111122223333:plain"
      }
    }
  }

  assert {
    condition     = aws_lambda_event_source_mapping.sqs["ingest"].metrics_config[0].metrics == toset(["EventCount"])
    error_message = "EventCount metrics enabled on the mapping"
  }
  assert {
    condition = (
      aws_lambda_event_source_mapping.sqs["ingest"].provisioned_poller_config[0].minimum_pollers == 3 &&
      aws_lambda_event_source_mapping.sqs["ingest"].provisioned_poller_config[0].maximum_pollers == 50
    )
    error_message = "provisioned mode with the given pollers"
  }
  assert {
    condition     = length(aws_lambda_event_source_mapping.sqs["plain"].metrics_config) == 0 && length(aws_lambda_event_source_mapping.sqs["plain"].provisioned_poller_config) == 0
    error_message = "both stay off by default"
  }
}

run "sqs_provisioned_pollers_defaults" {
  command = plan

  variables {
    sqs = {
      ingest = {
        queue_arn                 = "arn:aws:sqs:eu-west-1:111122223333:ingest"
        provisioned_poller_config = {}
      }
    }
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.sqs["ingest"].provisioned_poller_config[0].minimum_pollers == 2 &&
      aws_lambda_event_source_mapping.sqs["ingest"].provisioned_poller_config[0].maximum_pollers == 200
    )
    error_message = "AWS's SQS defaults (2..200) when only provisioned mode is asked for"
  }
}

run "stream_metrics" {
  command = plan

  variables {
    dynamodb_streams = {
      orders = {
        stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/2026-01-01T00:00:00.000"
        metrics    = ["EventCount"]
      }
    }
    kinesis = {
      clicks = {
        stream_arn = "arn:aws:kinesis:eu-west-1:111122223333:stream/clicks"
        metrics    = ["EventCount"]
      }
    }
  }

  assert {
    condition = (
      aws_lambda_event_source_mapping.stream["dynamodb_streams/orders"].metrics_config[0].metrics == toset(["EventCount"]) &&
      aws_lambda_event_source_mapping.stream["kinesis/clicks"].metrics_config[0].metrics == toset(["EventCount"])
    )
    error_message = "EventCount metrics on both stream mappings"
  }
  assert {
    condition     = length(aws_lambda_event_source_mapping.stream["kinesis/clicks"].provisioned_poller_config) == 0
    error_message = "streams never get provisioned mode"
  }
}

run "kafka_only_metric_rejected" {
  command = plan
  variables {
    sqs = {
      ingest = { queue_arn = "arn:aws:sqs:eu-west-1:111122223333:ingest", metrics = ["KafkaMetrics"] }
    }
  }
  expect_failures = [var.sqs]
}

run "too_few_sqs_pollers_rejected" {
  command = plan
  variables {
    sqs = {
      ingest = { queue_arn = "arn:aws:sqs:eu-west-1:111122223333:ingest", provisioned_poller_config = { minimum_pollers = 1 } }
    }
  }
  expect_failures = [var.sqs]
}

run "minimum_above_maximum_rejected" {
  command = plan
  variables {
    sqs = {
      ingest = { queue_arn = "arn:aws:sqs:eu-west-1:111122223333:ingest", provisioned_poller_config = { minimum_pollers = 100, maximum_pollers = 50 } }
    }
  }
  expect_failures = [var.sqs]
}

run "stream_provisioned_pollers_rejected" {
  command = plan
  variables {
    dynamodb_streams = {
      orders = {
        stream_arn                = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/2026-01-01T00:00:00.000"
        provisioned_poller_config = { minimum_pollers = 2 }
      }
    }
    kinesis = {
      clicks = {
        stream_arn                = "arn:aws:kinesis:eu-west-1:111122223333:stream/clicks"
        provisioned_poller_config = { maximum_pollers = 10 }
      }
    }
  }
  expect_failures = [var.dynamodb_streams, var.kinesis]
}

run "stream_kafka_metric_rejected" {
  command = plan
  variables {
    kinesis = {
      clicks = { stream_arn = "arn:aws:kinesis:eu-west-1:111122223333:stream/clicks", metrics = ["ErrorCount"] }
    }
  }
  expect_failures = [var.kinesis]
}
