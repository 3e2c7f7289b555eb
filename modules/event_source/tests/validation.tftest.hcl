# Every validation rejects bad input (one run per rule).

mock_provider "aws" {}

variables {
  function_name      = "demo-fn"
  function_arn       = "arn:aws:lambda:eu-west-1:111122223333:function:demo-fn"
  function_role_name = "demo-fn-role"
}

run "rejects_function_arn_qualified" {
  command = plan

  variables {
    function_arn = "arn:aws:lambda:eu-west-1:111122223333:function:demo-fn:live"
  }

  expect_failures = [var.function_arn]
}

run "rejects_function_name_arn" {
  command = plan

  variables {
    function_name = "arn:aws:lambda:eu-west-1:111122223333:function:demo-fn"
  }

  expect_failures = [var.function_name]
}

run "rejects_qualifier_bad" {
  command = plan

  variables {
    qualifier = "live alias"
  }

  expect_failures = [var.qualifier]
}

run "rejects_kms_not_arn" {
  command = plan

  variables {
    kms_key_arns = ["alias/foo"]
  }

  expect_failures = [var.kms_key_arns]
}

run "rejects_sqs_bad_key" {
  command = plan

  variables {
    sqs = { "bad key" = { queue_arn = "arn:aws:sqs:eu-west-1:111122223333:q" } }
  }

  expect_failures = [var.sqs]
}

run "rejects_sqs_not_queue_arn" {
  command = plan

  variables {
    sqs = { q = { queue_arn = "arn:aws:sns:eu-west-1:111122223333:t" } }
  }

  expect_failures = [var.sqs]
}

run "rejects_sqs_batch_too_big" {
  command = plan

  variables {
    sqs = { q = { queue_arn = "arn:aws:sqs:eu-west-1:111122223333:q", batch_size = 10001, maximum_batching_window_in_seconds = 1 } }
  }

  expect_failures = [var.sqs]
}

run "rejects_sqs_window_too_long" {
  command = plan

  variables {
    sqs = { q = { queue_arn = "arn:aws:sqs:eu-west-1:111122223333:q", maximum_batching_window_in_seconds = 301 } }
  }

  expect_failures = [var.sqs]
}

run "rejects_sqs_batch_over_10_needs_window" {
  command = plan

  variables {
    sqs = { q = { queue_arn = "arn:aws:sqs:eu-west-1:111122223333:q", batch_size = 50 } }
  }

  expect_failures = [var.sqs]
}

run "rejects_sqs_concurrency_too_low" {
  command = plan

  variables {
    sqs = { q = { queue_arn = "arn:aws:sqs:eu-west-1:111122223333:q", maximum_concurrency = 1 } }
  }

  expect_failures = [var.sqs]
}

run "rejects_sqs_concurrency_too_high" {
  command = plan

  variables {
    sqs = { q = { queue_arn = "arn:aws:sqs:eu-west-1:111122223333:q", maximum_concurrency = 1001 } }
  }

  expect_failures = [var.sqs]
}

run "rejects_sqs_filter_not_json" {
  command = plan

  variables {
    sqs = { q = { queue_arn = "arn:aws:sqs:eu-west-1:111122223333:q", filter_patterns = ["not json"] } }
  }

  expect_failures = [var.sqs]
}

run "rejects_ddb_bad_stream_arn" {
  command = plan

  variables {
    dynamodb_streams = { s = { stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders" } }
  }

  expect_failures = [var.dynamodb_streams]
}

run "rejects_ddb_at_timestamp" {
  command = plan

  variables {
    dynamodb_streams = { s = { stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/2024", starting_position = "AT_TIMESTAMP" } }
  }

  expect_failures = [var.dynamodb_streams]
}

run "rejects_ddb_retry_out_of_range" {
  command = plan

  variables {
    dynamodb_streams = { s = { stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/2024", maximum_retry_attempts = 10001 } }
  }

  expect_failures = [var.dynamodb_streams]
}

run "rejects_ddb_record_age_invalid" {
  command = plan

  variables {
    dynamodb_streams = { s = { stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/2024", maximum_record_age_in_seconds = 30 } }
  }

  expect_failures = [var.dynamodb_streams]
}

run "rejects_ddb_parallelization_invalid" {
  command = plan

  variables {
    dynamodb_streams = { s = { stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/2024", parallelization_factor = 11 } }
  }

  expect_failures = [var.dynamodb_streams]
}

run "rejects_ddb_tumbling_invalid" {
  command = plan

  variables {
    dynamodb_streams = { s = { stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/2024", tumbling_window_in_seconds = 901 } }
  }

  expect_failures = [var.dynamodb_streams]
}

run "rejects_ddb_destination_invalid" {
  command = plan

  variables {
    dynamodb_streams = { s = { stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/2024", on_failure_destination_arn = "arn:aws:lambda:eu-west-1:111122223333:function:x" } }
  }

  expect_failures = [var.dynamodb_streams]
}

run "rejects_kinesis_bad_position" {
  command = plan

  variables {
    kinesis = { k = { stream_arn = "arn:aws:kinesis:eu-west-1:111122223333:stream/s", starting_position = "EARLIEST" } }
  }

  expect_failures = [var.kinesis]
}

run "rejects_kinesis_timestamp_missing" {
  command = plan

  variables {
    kinesis = { k = { stream_arn = "arn:aws:kinesis:eu-west-1:111122223333:stream/s", starting_position = "AT_TIMESTAMP" } }
  }

  expect_failures = [var.kinesis]
}

run "rejects_kinesis_bad_arn" {
  command = plan

  variables {
    kinesis = { k = { stream_arn = "arn:aws:sqs:eu-west-1:111122223333:q" } }
  }

  expect_failures = [var.kinesis]
}

run "rejects_s3_bucket_arn_mismatch" {
  command = plan

  variables {
    s3_notifications = { a = { bucket_name = "images-bucket", bucket_arn = "arn:aws:s3:::other-bucket" } }
  }

  expect_failures = [var.s3_notifications]
}

run "rejects_s3_bucket_name_is_arn" {
  command = plan

  variables {
    s3_notifications = { a = { bucket_name = "arn:aws:s3:::images-bucket" } }
  }

  expect_failures = [var.s3_notifications]
}

run "rejects_s3_bad_event" {
  command = plan

  variables {
    s3_notifications = { a = { bucket_name = "images-bucket", events = ["ObjectCreated"] } }
  }

  expect_failures = [var.s3_notifications]
}

run "rejects_s3_queue_not_sqs" {
  command = plan

  variables {
    s3_queue_notifications = { a = { bucket_name = "images-bucket", queue_arn = "arn:aws:sns:eu-west-1:111122223333:t" } }
  }

  expect_failures = [var.s3_queue_notifications]
}

run "rejects_sns_bad_topic" {
  command = plan

  variables {
    sns_subscriptions = { t = { topic_arn = "arn:aws:sqs:eu-west-1:111122223333:q" } }
  }

  expect_failures = [var.sns_subscriptions]
}

run "rejects_sns_bad_scope" {
  command = plan

  variables {
    sns_subscriptions = { t = { topic_arn = "arn:aws:sns:eu-west-1:111122223333:t", filter_policy = "{}", filter_policy_scope = "Body" } }
  }

  expect_failures = [var.sns_subscriptions]
}

run "rejects_sns_filter_not_json" {
  command = plan

  variables {
    sns_subscriptions = { t = { topic_arn = "arn:aws:sns:eu-west-1:111122223333:t", filter_policy = "status=ok" } }
  }

  expect_failures = [var.sns_subscriptions]
}

run "rejects_eb_neither_schedule_nor_pattern" {
  command = plan

  variables {
    eventbridge_rules = { r = { description = "nothing" } }
  }

  expect_failures = [var.eventbridge_rules]
}

run "rejects_eb_both_schedule_and_pattern" {
  command = plan

  variables {
    eventbridge_rules = { r = { schedule_expression = "rate(1 hour)", event_pattern = "{\"source\":[\"x\"]}" } }
  }

  expect_failures = [var.eventbridge_rules]
}

run "rejects_eb_bad_schedule" {
  command = plan

  variables {
    eventbridge_rules = { r = { schedule_expression = "every 5 minutes" } }
  }

  expect_failures = [var.eventbridge_rules]
}

run "rejects_eb_schedule_on_custom_bus" {
  command = plan

  variables {
    eventbridge_rules = { r = { schedule_expression = "rate(5 minutes)", event_bus_name = "orders" } }
  }

  expect_failures = [var.eventbridge_rules]
}

run "rejects_eb_pattern_not_json" {
  command = plan

  variables {
    eventbridge_rules = { r = { event_pattern = "source=x" } }
  }

  expect_failures = [var.eventbridge_rules]
}

run "rejects_eb_input_and_transformer" {
  command = plan

  variables {
    eventbridge_rules = { r = { schedule_expression = "rate(5 minutes)", input = "{}", input_transformer = { input_template = "\"x\"" } } }
  }

  expect_failures = [var.eventbridge_rules]
}

run "rejects_eb_retry_out_of_range" {
  command = plan

  variables {
    eventbridge_rules = { r = { schedule_expression = "rate(5 minutes)", retry_policy = { maximum_retry_attempts = 186 } } }
  }

  expect_failures = [var.eventbridge_rules]
}

run "rejects_eb_dlq_not_sqs" {
  command = plan

  variables {
    eventbridge_rules = { r = { schedule_expression = "rate(5 minutes)", dead_letter_arn = "arn:aws:sns:eu-west-1:111122223333:t" } }
  }

  expect_failures = [var.eventbridge_rules]
}

run "rejects_eb_bad_state" {
  command = plan

  variables {
    eventbridge_rules = { r = { schedule_expression = "rate(5 minutes)", state = "ON" } }
  }

  expect_failures = [var.eventbridge_rules]
}

run "rejects_apigw_execution_arn_with_path" {
  command = plan

  variables {
    api_gateway = { a = { rest_api_execution_arn = "arn:aws:execute-api:eu-west-1:111122223333:abc123/*" } }
  }

  expect_failures = [var.api_gateway]
}

run "rejects_apigw_path_leading_slash" {
  command = plan

  variables {
    api_gateway = { a = { rest_api_execution_arn = "arn:aws:execute-api:eu-west-1:111122223333:abc123", path = "/dev/GET/orders" } }
  }

  expect_failures = [var.api_gateway]
}

run "rejects_mapping_without_role" {
  command = plan

  variables {
    function_role_name = null
    sqs                = { q = { queue_arn = "arn:aws:sqs:eu-west-1:111122223333:q" } }
  }

  expect_failures = [aws_iam_role_policy.this]
}
