# Plan-level tests for the wiring: planned values, permissions and the role policy.

mock_provider "aws" {}

variables {
  function_name      = "demo-fn"
  function_arn       = "arn:aws:lambda:eu-west-1:111122223333:function:demo-fn"
  function_role_name = "demo-fn-role"
}

run "sqs_mapping_and_policy" {
  command = plan

  variables {
    sqs = {
      ingest = {
        queue_arn                          = "arn:aws:sqs:eu-west-1:111122223333:ingest"
        batch_size                         = 20
        maximum_batching_window_in_seconds = 5
        maximum_concurrency                = 5
        filter_patterns                    = ["{\"body\":{\"kind\":[\"image\"]}}"]
      }
    }
  }

  assert {
    condition     = aws_lambda_event_source_mapping.sqs["ingest"].function_name == var.function_arn
    error_message = "without qualifier the mapping targets the unqualified function"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.sqs["ingest"].batch_size == 20 && aws_lambda_event_source_mapping.sqs["ingest"].maximum_batching_window_in_seconds == 5
    error_message = "batch settings not applied"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.sqs["ingest"].function_response_types == toset(["ReportBatchItemFailures"])
    error_message = "partial batch responses must be on by default"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.sqs["ingest"].scaling_config[0].maximum_concurrency == 5
    error_message = "scaling_config.maximum_concurrency not set"
  }
  assert {
    condition     = length(aws_lambda_event_source_mapping.sqs["ingest"].filter_criteria[0].filter) == 1
    error_message = "filter criteria not set"
  }
  assert {
    condition     = aws_iam_role_policy.this[0].role == "demo-fn-role" && aws_iam_role_policy.this[0].name == "demo-fn-event-sources"
    error_message = "inline policy must be attached to the function role"
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.this[0].policy).Statement == [{
      Sid      = "SqsEventSourceRead"
      Effect   = "Allow"
      Action   = ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
      Resource = ["arn:aws:sqs:eu-west-1:111122223333:ingest"]
    }]
    error_message = "SQS policy must contain exactly the three queue actions on the queue"
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : alltrue([for a in s.Action : !strcontains(a, "*")])])
    error_message = "no wildcard actions allowed"
  }
  assert {
    condition     = output.role_policy_name == "demo-fn-event-sources"
    error_message = "role_policy_name output"
  }
  assert {
    condition     = length(aws_lambda_permission.s3) + length(aws_lambda_permission.sns) + length(aws_lambda_permission.eventbridge) + length(aws_lambda_permission.api_gateway) == 0
    error_message = "poll-based sources need no lambda permission"
  }
}

run "sqs_kms_and_no_partial_batch" {
  command = plan

  variables {
    kms_key_arns = ["arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    sqs = {
      q = {
        queue_arn                  = "arn:aws:sqs:eu-west-1:111122223333:q"
        report_batch_item_failures = false
      }
    }
  }

  assert {
    condition     = length(aws_lambda_event_source_mapping.sqs["q"].function_response_types) == 0
    error_message = "report_batch_item_failures = false must drop the response type"
  }
  assert {
    condition     = length(aws_lambda_event_source_mapping.sqs["q"].scaling_config) == 0
    error_message = "no scaling_config without maximum_concurrency"
  }
  assert {
    condition = contains(jsondecode(aws_iam_role_policy.this[0].policy).Statement, {
      Sid      = "KmsForEventSources"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = ["arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
    })
    error_message = "kms:Decrypt (only) on the declared key"
  }
}

run "dynamodb_stream_with_destination_and_alias" {
  command = plan

  variables {
    qualifier = "live"
    dynamodb_streams = {
      orders = {
        stream_arn                    = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/2024-01-01T00:00:00.000"
        starting_position             = "TRIM_HORIZON"
        maximum_retry_attempts        = 2
        maximum_record_age_in_seconds = 3600
        on_failure_destination_arn    = "arn:aws:sqs:eu-west-1:111122223333:stream-dlq"
        filter_patterns               = ["{\"eventName\":[\"INSERT\",\"MODIFY\"]}"]
      }
    }
  }

  assert {
    condition     = aws_lambda_event_source_mapping.stream["dynamodb_streams/orders"].function_name == "${var.function_arn}:live"
    error_message = "with a qualifier the mapping targets the alias"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.stream["dynamodb_streams/orders"].starting_position == "TRIM_HORIZON" && aws_lambda_event_source_mapping.stream["dynamodb_streams/orders"].bisect_batch_on_function_error == true
    error_message = "stream defaults/overrides"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.stream["dynamodb_streams/orders"].maximum_retry_attempts == 2 && aws_lambda_event_source_mapping.stream["dynamodb_streams/orders"].maximum_record_age_in_seconds == 3600 && aws_lambda_event_source_mapping.stream["dynamodb_streams/orders"].parallelization_factor == 1
    error_message = "retry settings"
  }
  assert {
    condition     = aws_lambda_event_source_mapping.stream["dynamodb_streams/orders"].destination_config[0].on_failure[0].destination_arn == "arn:aws:sqs:eu-west-1:111122223333:stream-dlq"
    error_message = "on-failure destination"
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.this[0].policy).Statement == [
      {
        Sid      = "DynamoDbStreamRead"
        Effect   = "Allow"
        Action   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
        Resource = ["arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/2024-01-01T00:00:00.000"]
      },
      {
        Sid      = "DynamoDbStreamList"
        Effect   = "Allow"
        Action   = ["dynamodb:ListStreams"]
        Resource = ["*"]
      },
      {
        Sid      = "OnFailureToSqs"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = ["arn:aws:sqs:eu-west-1:111122223333:stream-dlq"]
      },
    ]
    error_message = "stream policy must be exactly stream read + ListStreams on * (no resource type) + SendMessage to the destination"
  }
}

run "kinesis_consumer_and_sns_destination" {
  command = plan

  variables {
    kinesis = {
      clicks = {
        stream_arn                  = "arn:aws:kinesis:eu-west-1:111122223333:stream/clicks/consumer/fn:1700000000"
        starting_position           = "AT_TIMESTAMP"
        starting_position_timestamp = "2024-01-01T00:00:00Z"
        parallelization_factor      = 4
        tumbling_window_in_seconds  = 60
        on_failure_destination_arn  = "arn:aws:sns:eu-west-1:111122223333:failures"
      }
    }
  }

  assert {
    condition     = aws_lambda_event_source_mapping.stream["kinesis/clicks"].parallelization_factor == 4 && aws_lambda_event_source_mapping.stream["kinesis/clicks"].tumbling_window_in_seconds == 60
    error_message = "kinesis settings"
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s.Resource] == [
      ["arn:aws:kinesis:eu-west-1:111122223333:stream/clicks"],
      ["arn:aws:kinesis:eu-west-1:111122223333:stream/clicks/consumer/fn:1700000000"],
      ["arn:aws:sns:eu-west-1:111122223333:failures"],
    ]
    error_message = "stream read on the stream, SubscribeToShard on the consumer, Publish on the SNS destination"
  }
  assert {
    condition     = contains(jsondecode(aws_iam_role_policy.this[0].policy).Statement[2].Action, "sns:Publish")
    error_message = "sns:Publish for the SNS destination"
  }
}

run "s3_grouped_by_bucket" {
  command = plan

  variables {
    s3_notifications = {
      jpg     = { bucket_name = "images-bucket", filter_prefix = "uploads/", filter_suffix = ".jpg" }
      png     = { bucket_name = "images-bucket", filter_prefix = "uploads/", filter_suffix = ".png" }
      deletes = { bucket_name = "other.bucket", events = ["s3:ObjectRemoved:*"] }
    }
    s3_queue_notifications = {
      audit = {
        bucket_name   = "images-bucket"
        queue_arn     = "arn:aws:sqs:eu-west-1:111122223333:audit"
        filter_prefix = "audit/"
      }
    }
  }

  assert {
    condition     = length(aws_s3_bucket_notification.this) == 2
    error_message = "one notification configuration per bucket"
  }
  assert {
    condition     = length(aws_s3_bucket_notification.this["images-bucket"].lambda_function) == 2 && length(aws_s3_bucket_notification.this["images-bucket"].queue) == 1
    error_message = "both lambda entries and the queue entry of a bucket share one configuration"
  }
  assert {
    condition     = toset([for l in aws_s3_bucket_notification.this["images-bucket"].lambda_function : l.filter_suffix]) == toset([".jpg", ".png"])
    error_message = "suffix filters"
  }
  assert {
    condition     = alltrue([for l in aws_s3_bucket_notification.this["images-bucket"].lambda_function : l.lambda_function_arn == var.function_arn])
    error_message = "notifications target the function"
  }
  assert {
    condition     = length(aws_lambda_permission.s3) == 2
    error_message = "one permission per bucket that invokes the function"
  }
  assert {
    condition     = aws_lambda_permission.s3["other.bucket"].source_arn == "arn:aws:s3:::other.bucket" && aws_lambda_permission.s3["other.bucket"].source_account == "111122223333" && aws_lambda_permission.s3["other.bucket"].principal == "s3.amazonaws.com"
    error_message = "S3 permission scoped by bucket ARN and account"
  }
  assert {
    condition     = aws_lambda_permission.s3["other.bucket"].statement_id == "AllowExecutionFromS3-other_bucket"
    error_message = "statement id sanitised"
  }
  assert {
    condition     = output.queue_policy_statements["arn:aws:sqs:eu-west-1:111122223333:audit"][0].Principal.Service == "s3.amazonaws.com" && output.queue_policy_statements["arn:aws:sqs:eu-west-1:111122223333:audit"][0].Condition.ArnLike["aws:SourceArn"] == "arn:aws:s3:::images-bucket"
    error_message = "queue policy statement for the S3 -> SQS notification"
  }
  assert {
    condition     = length(aws_iam_role_policy.this) == 0 && output.role_policy_name == null
    error_message = "push sources need no role policy"
  }
}

run "s3_queue_only_bucket_has_no_lambda_permission" {
  command = plan

  variables {
    s3_queue_notifications = {
      for sfx in ["jpg", "jpeg", "png", "gif", "webp"] : sfx => {
        bucket_name   = "uploads-bucket"
        queue_arn     = "arn:aws:sqs:eu-west-1:111122223333:image-ingest"
        filter_prefix = "uploads/"
        filter_suffix = ".${sfx}"
      }
    }
  }

  assert {
    condition     = length(aws_s3_bucket_notification.this["uploads-bucket"].queue) == 5 && length(aws_s3_bucket_notification.this["uploads-bucket"].lambda_function) == 0
    error_message = "five suffix rules in one configuration"
  }
  assert {
    condition     = length(aws_lambda_permission.s3) == 0
    error_message = "S3 -> SQS grants nothing on the function"
  }
  assert {
    condition     = length(output.queue_policy_statements["arn:aws:sqs:eu-west-1:111122223333:image-ingest"]) == 1
    error_message = "one deduplicated statement per bucket/queue pair"
  }
}

run "sns_subscription" {
  command = plan

  variables {
    qualifier = "live"
    sns_subscriptions = {
      processed = {
        topic_arn             = "arn:aws:sns:eu-west-1:111122223333:image-processed"
        filter_policy         = "{\"status\":[\"PROCESSED\"]}"
        filter_policy_scope   = "MessageBody"
        dead_letter_queue_arn = "arn:aws:sqs:eu-west-1:111122223333:sns-dlq"
      }
    }
  }

  assert {
    condition     = aws_sns_topic_subscription.this["processed"].protocol == "lambda" && aws_sns_topic_subscription.this["processed"].endpoint == "${var.function_arn}:live"
    error_message = "lambda subscription to the alias"
  }
  assert {
    condition     = aws_sns_topic_subscription.this["processed"].filter_policy_scope == "MessageBody"
    error_message = "filter policy scope"
  }
  assert {
    condition     = jsondecode(aws_sns_topic_subscription.this["processed"].redrive_policy).deadLetterTargetArn == "arn:aws:sqs:eu-west-1:111122223333:sns-dlq"
    error_message = "redrive policy"
  }
  assert {
    condition     = aws_lambda_permission.sns["processed"].principal == "sns.amazonaws.com" && aws_lambda_permission.sns["processed"].source_arn == "arn:aws:sns:eu-west-1:111122223333:image-processed" && aws_lambda_permission.sns["processed"].qualifier == "live"
    error_message = "SNS permission scoped to the topic and alias"
  }
  assert {
    condition     = output.queue_policy_statements["arn:aws:sqs:eu-west-1:111122223333:sns-dlq"][0].Condition.ArnEquals["aws:SourceArn"] == "arn:aws:sns:eu-west-1:111122223333:image-processed"
    error_message = "DLQ statement for the subscription"
  }
}

run "eventbridge_rules" {
  # apply (against the mock provider) so that rule ARNs are known and the wiring can be compared.
  command = apply

  override_resource {
    target = aws_cloudwatch_event_rule.this["daily"]
    values = { arn = "arn:aws:events:eu-west-1:111122223333:rule/demo-fn-daily" }
  }
  override_resource {
    target = aws_cloudwatch_event_rule.this["high_value"]
    values = { arn = "arn:aws:events:eu-west-1:111122223333:rule/orders/demo-fn-high_value" }
  }

  variables {
    eventbridge_rules = {
      daily = {
        schedule_expression = "cron(0 6 * * ? *)"
        input               = "{}"
      }
      high_value = {
        event_bus_name  = "orders"
        event_pattern   = "{\"detail-type\":[\"OrderCreated\"],\"detail\":{\"total\":[{\"numeric\":[\">\",100]}]}}"
        retry_policy    = { maximum_retry_attempts = 4, maximum_event_age_in_seconds = 3600 }
        dead_letter_arn = "arn:aws:sqs:eu-west-1:111122223333:high-value-dlq"
        input_transformer = {
          input_paths    = { id = "$.detail.orderId" }
          input_template = "{\"orderId\": <id>}"
        }
      }
    }
  }

  assert {
    condition     = aws_cloudwatch_event_rule.this["daily"].name == "demo-fn-daily" && aws_cloudwatch_event_rule.this["daily"].schedule_expression == "cron(0 6 * * ? *)" && aws_cloudwatch_event_rule.this["daily"].event_bus_name == "default"
    error_message = "schedule rule on the default bus"
  }
  assert {
    condition     = aws_cloudwatch_event_rule.this["high_value"].event_bus_name == "orders" && aws_cloudwatch_event_target.this["high_value"].event_bus_name == "orders"
    error_message = "pattern rule and target on the custom bus"
  }
  assert {
    condition     = aws_cloudwatch_event_target.this["high_value"].arn == var.function_arn && aws_cloudwatch_event_target.this["high_value"].retry_policy[0].maximum_retry_attempts == 4
    error_message = "target and retry policy"
  }
  assert {
    condition     = aws_cloudwatch_event_target.this["high_value"].dead_letter_config[0].arn == "arn:aws:sqs:eu-west-1:111122223333:high-value-dlq" && length(aws_cloudwatch_event_target.this["daily"].dead_letter_config) == 0
    error_message = "DLQ only where declared"
  }
  assert {
    condition     = aws_cloudwatch_event_target.this["daily"].retry_policy[0].maximum_retry_attempts == 185 && aws_cloudwatch_event_target.this["daily"].retry_policy[0].maximum_event_age_in_seconds == 86400
    error_message = "retry policy defaults"
  }
  assert {
    condition     = aws_cloudwatch_event_target.this["high_value"].input_transformer[0].input_template == "{\"orderId\": <id>}"
    error_message = "input transformer"
  }
  assert {
    condition     = aws_lambda_permission.eventbridge["high_value"].principal == "events.amazonaws.com" && aws_lambda_permission.eventbridge["high_value"].source_arn == "arn:aws:events:eu-west-1:111122223333:rule/orders/demo-fn-high_value"
    error_message = "EventBridge permission scoped to the rule ARN"
  }
  assert {
    condition     = output.eventbridge_rule_arns["daily"] == aws_cloudwatch_event_rule.this["daily"].arn
    error_message = "eventbridge_rule_arns output"
  }
  assert {
    condition     = output.queue_policy_statements["arn:aws:sqs:eu-west-1:111122223333:high-value-dlq"][0].Condition.ArnEquals["aws:SourceArn"] == aws_cloudwatch_event_rule.this["high_value"].arn
    error_message = "DLQ queue policy statement is scoped to the rule ARN"
  }
}

run "api_gateway_permission" {
  command = plan

  variables {
    api_gateway = {
      orders = { rest_api_execution_arn = "arn:aws:execute-api:eu-west-1:111122223333:abc123" }
      stage  = { rest_api_execution_arn = "arn:aws:execute-api:eu-west-1:111122223333:abc123", path = "dev/GET/orders" }
    }
  }

  assert {
    condition     = aws_lambda_permission.api_gateway["orders"].source_arn == "arn:aws:execute-api:eu-west-1:111122223333:abc123/*/*" && aws_lambda_permission.api_gateway["orders"].principal == "apigateway.amazonaws.com"
    error_message = "default path */*"
  }
  assert {
    condition     = aws_lambda_permission.api_gateway["stage"].source_arn == "arn:aws:execute-api:eu-west-1:111122223333:abc123/dev/GET/orders"
    error_message = "explicit path"
  }
}

run "create_false_plans_nothing" {
  command = plan

  variables {
    create            = false
    sqs               = { q = { queue_arn = "arn:aws:sqs:eu-west-1:111122223333:q" } }
    dynamodb_streams  = { o = { stream_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/2026-01-01T00:00:00.000" } }
    kinesis           = { k = { stream_arn = "arn:aws:kinesis:eu-west-1:111122223333:stream/clicks" } }
    s3_notifications  = { a = { bucket_name = "images-bucket" } }
    sns_subscriptions = { t = { topic_arn = "arn:aws:sns:eu-west-1:111122223333:t" } }
    eventbridge_rules = { r = { schedule_expression = "rate(5 minutes)" } }
    api_gateway       = { a = { rest_api_execution_arn = "arn:aws:execute-api:eu-west-1:111122223333:abc123" } }
  }

  assert {
    condition = (length(aws_lambda_event_source_mapping.sqs) + length(aws_lambda_event_source_mapping.stream) + length(aws_iam_role_policy.this) + length(aws_s3_bucket_notification.this) +
      length(aws_lambda_permission.s3) + length(aws_sns_topic_subscription.this) + length(aws_cloudwatch_event_rule.this) +
    length(aws_cloudwatch_event_target.this) + length(aws_lambda_permission.api_gateway)) == 0
    error_message = "create = false must plan nothing"
  }
  assert {
    condition     = output.role_policy_name == null && output.role_policy_json == null && length(output.eventbridge_rule_arns) == 0 && length(output.event_source_mapping_uuids.dynamodb_streams) == 0 && length(output.event_source_mapping_uuids.kinesis) == 0
    error_message = "outputs stay valid when create = false"
  }
}
