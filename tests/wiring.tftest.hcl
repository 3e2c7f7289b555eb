# Wiring of the root module, asserted wire by wire. The shared mocks (tests/mocks/aws.tfmock.hcl) give
# every bucket, queue, topic, table, function, rule and the state machine its own ARN, so a swapped or
# dropped wire changes a value below. scripts/mutate_wiring.py breaks one wire at a time in a copy of the
# project and checks that this file fails for each.
#
# Names: project imgpipe, environment dev, account 123456789012, us-east-1.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  build_dir = "tests/fixtures/fake_build"
}

run "wiring" {
  command = apply

  # ---------------------------------------------------------------- state machine: tasks and transitions
  assert {
    condition = (
      jsondecode(module.state_machine.state_machine_definition).States.ValidateInput.Resource == "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-validate-input" &&
      jsondecode(module.state_machine.state_machine_definition).States.GenerateThumbnail.Resource == "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-thumbnail"
    )
    error_message = "ValidateInput must invoke validate_input and GenerateThumbnail thumbnail; got ${jsondecode(module.state_machine.state_machine_definition).States.ValidateInput.Resource} and ${jsondecode(module.state_machine.state_machine_definition).States.GenerateThumbnail.Resource}."
  }
  assert {
    condition = (
      jsondecode(module.state_machine.state_machine_definition).States.StoreMetadata.Resource == "arn:aws:states:::dynamodb:putItem" &&
      jsondecode(module.state_machine.state_machine_definition).States.StoreMetadata.Parameters.TableName == "imgpipe-dev-image-metadata" &&
      jsondecode(module.state_machine.state_machine_definition).States.NotifyComplete.Resource == "arn:aws:states:::sns:publish" &&
      jsondecode(module.state_machine.state_machine_definition).States.NotifyComplete.Parameters.TopicArn == "arn:aws:sns:us-east-1:123456789012:imgpipe-dev-image-processed" &&
      jsondecode(module.state_machine.state_machine_definition).States.HandleError.Resource == "arn:aws:states:::sns:publish" &&
      jsondecode(module.state_machine.state_machine_definition).States.HandleError.Parameters.TopicArn == "arn:aws:sns:us-east-1:123456789012:imgpipe-dev-processing-errors"
    )
    error_message = "StoreMetadata must put into image-metadata, NotifyComplete publish to image-processed, HandleError to processing-errors."
  }
  assert {
    condition = jsonencode({ for k, s in jsondecode(module.state_machine.state_machine_definition).States : k => try(s.Next, s.End ? "END" : "", s.Type) }) == jsonencode({
      ValidateInput     = "GenerateThumbnail"
      GenerateThumbnail = "StoreMetadata"
      StoreMetadata     = "NotifyComplete"
      NotifyComplete    = "END"
      HandleError       = "Failed"
      Failed            = "Fail"
    })
    error_message = "State transitions differ from DESIGN: ${jsonencode({ for k, s in jsondecode(module.state_machine.state_machine_definition).States : k => try(s.Next, s.End ? "END" : "", s.Type) })}"
  }
  assert {
    condition     = module.state_machine.state_machine_arn == "arn:aws:states:us-east-1:123456789012:stateMachine:imgpipe-dev-image-pipeline" && local.function_environment.ingest.STATE_MACHINE_ARN == module.state_machine.state_machine_arn
    error_message = "ingest's STATE_MACHINE_ARN must be the image-pipeline state machine."
  }

  # ---------------------------------------------------------------- state machine: Retry and Catch per state
  assert {
    condition = jsonencode({ for k, s in jsondecode(module.state_machine.state_machine_definition).States : k => try(s.Retry, []) }) == jsonencode({
      # issue 10: transient, throttling (own budget, sized against the ingest burst) and crashed runtimes.
      ValidateInput = [
        { ErrorEquals = ["TransientError", "Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException"], IntervalSeconds = 3, MaxAttempts = 2, BackoffRate = 2 },
        { ErrorEquals = ["Lambda.TooManyRequestsException"], IntervalSeconds = 1, MaxAttempts = 12, BackoffRate = 2, MaxDelaySeconds = 60, JitterStrategy = "FULL" },
        { ErrorEquals = ["Runtime.ExitError", "Lambda.Unknown", "Sandbox.Timedout"], IntervalSeconds = 2, MaxAttempts = 3, BackoffRate = 2 },
      ]
      GenerateThumbnail = [
        { ErrorEquals = ["TransientError", "Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException"], IntervalSeconds = 3, MaxAttempts = 2, BackoffRate = 2 },
        { ErrorEquals = ["Lambda.TooManyRequestsException"], IntervalSeconds = 1, MaxAttempts = 12, BackoffRate = 2, MaxDelaySeconds = 60, JitterStrategy = "FULL" },
        { ErrorEquals = ["Runtime.ExitError", "Lambda.Unknown", "Sandbox.Timedout"], IntervalSeconds = 2, MaxAttempts = 3, BackoffRate = 2 },
      ]
      StoreMetadata = [
        { ErrorEquals = ["DynamoDB.ProvisionedThroughputExceededException", "DynamoDB.ThrottlingException", "DynamoDB.RequestLimitExceeded"], IntervalSeconds = 1, MaxAttempts = 12, BackoffRate = 2, MaxDelaySeconds = 60, JitterStrategy = "FULL" },
        { ErrorEquals = ["DynamoDB.InternalServerErrorException", "DynamoDB.InternalServerError"], IntervalSeconds = 3, MaxAttempts = 2, BackoffRate = 2 },
      ]
      NotifyComplete = [
        { ErrorEquals = ["SNS.ThrottledException", "SNS.ThrottlingException", "SNS.KMSThrottlingException"], IntervalSeconds = 1, MaxAttempts = 12, BackoffRate = 2, MaxDelaySeconds = 60, JitterStrategy = "FULL" },
        { ErrorEquals = ["SNS.InternalErrorException"], IntervalSeconds = 3, MaxAttempts = 2, BackoffRate = 2 },
      ]
      HandleError = [
        { ErrorEquals = ["SNS.ThrottledException", "SNS.ThrottlingException", "SNS.KMSThrottlingException"], IntervalSeconds = 1, MaxAttempts = 12, BackoffRate = 2, MaxDelaySeconds = 60, JitterStrategy = "FULL" },
        { ErrorEquals = ["States.ALL"], IntervalSeconds = 3, MaxAttempts = 2, BackoffRate = 2 },
      ]
      Failed = []
    })
    error_message = "Retry policies differ from DESIGN: ${jsonencode({ for k, s in jsondecode(module.state_machine.state_machine_definition).States : k => try(s.Retry, []) })}"
  }
  assert {
    condition = jsonencode({ for k, s in jsondecode(module.state_machine.state_machine_definition).States : k => try(s.Catch, []) }) == jsonencode({
      ValidateInput = [
        { ErrorEquals = ["ValidationError"], ResultPath = "$.error", Next = "HandleError" },
        { ErrorEquals = ["States.ALL"], ResultPath = "$.error", Next = "HandleError" },
      ]
      GenerateThumbnail = [
        { ErrorEquals = ["ValidationError"], ResultPath = "$.error", Next = "HandleError" },
        { ErrorEquals = ["States.ALL"], ResultPath = "$.error", Next = "HandleError" },
      ]
      StoreMetadata  = [{ ErrorEquals = ["States.ALL"], ResultPath = "$.error", Next = "HandleError" }]
      NotifyComplete = [{ ErrorEquals = ["States.ALL"], ResultPath = "$.error", Next = "HandleError" }] # issue 10: reported, not only logged
      HandleError    = []
      Failed         = []
    })
    error_message = "Catchers differ from DESIGN (every failure of a task, NotifyComplete included, must reach HandleError): ${jsonencode({ for k, s in jsondecode(module.state_machine.state_machine_definition).States : k => try(s.Catch, []) })}"
  }

  # The state machine's role allows exactly its integrations.
  assert {
    condition = join("\n", sort(distinct(flatten([for st in jsondecode(module.state_machine.role_policy_json).Statement : [
      for a in flatten([st.Action]) : [for r in flatten([st.Resource]) : "${a} ${r}"] if startswith(a, "lambda:") || startswith(a, "dynamodb:") || startswith(a, "sns:")
      ]])))) == join("\n", sort([
      "lambda:InvokeFunction arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-validate-input",
      "lambda:InvokeFunction arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-thumbnail",
      "lambda:InvokeFunction arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-validate-input:*",
      "lambda:InvokeFunction arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-thumbnail:*",
      "dynamodb:PutItem arn:aws:dynamodb:us-east-1:123456789012:table/imgpipe-dev-image-metadata",
      "sns:Publish arn:aws:sns:us-east-1:123456789012:imgpipe-dev-image-processed",
      "sns:Publish arn:aws:sns:us-east-1:123456789012:imgpipe-dev-processing-errors",
    ]))
    error_message = "The state machine role must allow invoking validate_input and thumbnail, PutItem on image-metadata and publishing to the two topics."
  }

  # ---------------------------------------------------------------- event source mappings
  assert {
    condition = jsonencode(module.ingest_sources.mapping_settings) == jsonencode({
      "sqs/image-ingest" = {
        function_name                      = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-ingest"
        event_source_arn                   = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-image-ingest"
        batch_size                         = 10
        maximum_batching_window_in_seconds = 1
        function_response_types            = ["ReportBatchItemFailures"]
        bisect_batch_on_function_error     = null
        maximum_retry_attempts             = null
        maximum_record_age_in_seconds      = null
        starting_position                  = null
        on_failure_destination_arn         = null # SQS redrives into image-ingest-dlq (queue redrive policy)
        maximum_concurrency                = 5
        filter_patterns                    = []
      }
    })
    error_message = "The ingest mapping differs: ${jsonencode(module.ingest_sources.mapping_settings)}"
  }
  assert {
    condition = jsonencode(module.order_stream_sources.mapping_settings) == jsonencode({
      "dynamodb_streams/orders" = {
        function_name                      = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-order-stream"
        event_source_arn                   = "arn:aws:dynamodb:us-east-1:123456789012:table/imgpipe-dev-orders/stream/2026-01-01T00:00:00.000"
        batch_size                         = 100
        maximum_batching_window_in_seconds = 0 # not set: the AWS default for streams
        function_response_types            = ["ReportBatchItemFailures"]
        bisect_batch_on_function_error     = true
        maximum_retry_attempts             = 3
        maximum_record_age_in_seconds      = 3600
        starting_position                  = "TRIM_HORIZON"
        on_failure_destination_arn         = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-stream-dlq"
        maximum_concurrency                = null
        filter_patterns                    = [jsonencode({ eventName = ["INSERT", "MODIFY"] })]
      }
    })
    error_message = "The orders stream mapping differs: ${jsonencode(module.order_stream_sources.mapping_settings)}"
  }
  assert {
    condition     = jsonencode(module.notify_sources.sns_subscription_endpoints) == jsonencode({ image-processed = { topic_arn = "arn:aws:sns:us-east-1:123456789012:imgpipe-dev-image-processed", endpoint = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-notify" } })
    error_message = "notify must subscribe to image-processed: ${jsonencode(module.notify_sources.sns_subscription_endpoints)}"
  }
  assert {
    condition     = aws_sns_topic_subscription.audit.topic_arn == "arn:aws:sns:us-east-1:123456789012:imgpipe-dev-image-processed" && aws_sns_topic_subscription.audit.endpoint == "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-audit" && aws_sns_topic_subscription.audit.raw_message_delivery
    error_message = "The audit queue must get image-processed raw."
  }
  assert {
    condition = (
      jsondecode(aws_sqs_queue.image_ingest.redrive_policy).deadLetterTargetArn == "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-image-ingest-dlq" &&
      jsondecode(aws_sqs_queue.image_ingest.redrive_policy).maxReceiveCount == 3
    )
    error_message = "image-ingest must redrive into image-ingest-dlq after 3 receives."
  }

  # ---------------------------------------------------------------- EventBridge rules and targets
  assert {
    condition = jsonencode(module.high_value_order_sources.eventbridge_targets) == jsonencode({
      high-value-orders = {
        event_bus_name = "imgpipe-dev-orders"
        event_pattern = jsonencode({
          source        = ["imgpipe.orders"]
          "detail-type" = ["OrderCreated"]
          detail        = { total = [{ numeric = [">", 100] }] }
        })
        schedule_expression          = null
        target_arn                   = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-high-value-order"
        maximum_retry_attempts       = 4
        maximum_event_age_in_seconds = 3600
        dead_letter_arn              = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-high-value-dlq"
      }
    })
    error_message = "high-value-orders differs (OrderCreated with total strictly > 100 -> high_value_order, 4 retries, DLQ): ${jsonencode(module.high_value_order_sources.eventbridge_targets)}"
  }
  assert {
    condition = length(module.daily_report_sources.eventbridge_targets) == 0 && jsonencode(module.daily_report_sources.schedule_targets) == jsonencode({
      daily = {
        schedule_expression          = "cron(0 6 * * ? *)"
        timezone                     = "Etc/UTC"
        flexible_window_minutes      = null
        target_arn                   = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-daily-report"
        maximum_retry_attempts       = 3
        maximum_event_age_in_seconds = 3600
        dead_letter_arn              = null
      }
    })
    error_message = "The daily schedule (EventBridge Scheduler, Etc/UTC, no rule) differs: ${jsonencode(module.daily_report_sources.schedule_targets)}"
  }
  assert {
    condition     = local.function_environment.order_stream.EVENT_BUS_NAME == "imgpipe-dev-orders" && local.function_environment.order_stream.EVENT_SOURCE == "imgpipe.orders"
    error_message = "order_stream must put events on the orders bus with the source the rule matches."
  }

  # ---------------------------------------------------------------- queue policies: who may send
  assert {
    condition = jsonencode({ for k, p in aws_sqs_queue_policy.this : k => [for st in jsondecode(p.policy).Statement : st if st.Effect == "Allow"] }) == jsonencode({
      image-ingest = [{
        Sid       = "AllowServiceSend", Effect = "Allow", Principal = { Service = "s3.amazonaws.com" }, Action = "sqs:SendMessage"
        Resource  = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-image-ingest"
        Condition = { ArnEquals = { "aws:SourceArn" = "arn:aws:s3:::imgpipe-dev-uploads-123456789012" }, StringEquals = { "aws:SourceAccount" = "123456789012" } }
      }]
      audit = [{
        Sid       = "AllowServiceSend", Effect = "Allow", Principal = { Service = "sns.amazonaws.com" }, Action = "sqs:SendMessage"
        Resource  = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-audit"
        Condition = { ArnEquals = { "aws:SourceArn" = "arn:aws:sns:us-east-1:123456789012:imgpipe-dev-image-processed" }, StringEquals = { "aws:SourceAccount" = "123456789012" } }
      }]
      high-value-dlq = [{
        Sid       = "AllowServiceSend", Effect = "Allow", Principal = { Service = "events.amazonaws.com" }, Action = "sqs:SendMessage"
        Resource  = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-high-value-dlq"
        Condition = { ArnEquals = { "aws:SourceArn" = "arn:aws:events:us-east-1:123456789012:rule/imgpipe-dev-orders/imgpipe-dev-high-value-orders" }, StringEquals = { "aws:SourceAccount" = "123456789012" } }
      }]
      # Written by Lambda with the function's role (on-failure destinations), not by a service principal.
      image-ingest-dlq    = []
      notify-dlq          = []
      stream-dlq          = []
      high-value-failed   = []
      daily-report-failed = []
    })
    error_message = "Queue policy Allow statements differ: ${jsonencode({ for k, p in aws_sqs_queue_policy.this : k => [for st in jsondecode(p.policy).Statement : st if st.Effect == "Allow"] })}"
  }
  assert {
    condition     = alltrue([for k, p in aws_sqs_queue_policy.this : p.queue_url == "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-${k}"])
    error_message = "Each queue policy must be attached to its own queue."
  }

  # ---------------------------------------------------------------- alarms
  assert {
    condition = alltrue([for k, a in aws_cloudwatch_metric_alarm.function : (
      a.namespace == "AWS/Lambda" && a.statistic == "Sum" && a.comparison_operator == "GreaterThanThreshold" &&
      a.threshold == 0 && a.treat_missing_data == "notBreaching" && a.period == 60 && a.evaluation_periods == 1 &&
      a.metric_name == (endswith(k, "-errors") ? "Errors" : "Throttles") &&
      a.dimensions.FunctionName == "imgpipe-dev-${replace(trimsuffix(trimsuffix(k, "-errors"), "-throttles"), "_", "-")}" &&
      a.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:imgpipe-dev-alarms"]) &&
      a.ok_actions == toset(["arn:aws:sns:us-east-1:123456789012:imgpipe-dev-alarms"])
    )])
    error_message = "Every function needs Errors and Throttles alarms (Sum > 0 over 60 s, missing = notBreaching) on its own FunctionName, to the alarms topic."
  }
  assert {
    condition = alltrue([for k, a in aws_cloudwatch_metric_alarm.dlq_depth : (
      a.namespace == "AWS/SQS" && a.metric_name == "ApproximateNumberOfMessagesVisible" && a.statistic == "Maximum" &&
      a.comparison_operator == "GreaterThanThreshold" && a.threshold == 0 && a.treat_missing_data == "notBreaching" &&
      a.dimensions.QueueName == "imgpipe-dev-${k}" &&
      a.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:imgpipe-dev-alarms"])
    )]) && join(",", sort(keys(aws_cloudwatch_metric_alarm.dlq_depth))) == "daily-report-failed,high-value-dlq,high-value-failed,image-ingest-dlq,notify-dlq,stream-dlq"
    error_message = "Every DLQ needs a depth alarm (visible messages > 0) on its own queue, to the alarms topic."
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.order_stream_iterator_age.metric_name == "IteratorAge" &&
      aws_cloudwatch_metric_alarm.order_stream_iterator_age.namespace == "AWS/Lambda" &&
      aws_cloudwatch_metric_alarm.order_stream_iterator_age.statistic == "Maximum" &&
      aws_cloudwatch_metric_alarm.order_stream_iterator_age.threshold == 60000 &&
      aws_cloudwatch_metric_alarm.order_stream_iterator_age.comparison_operator == "GreaterThanThreshold" &&
      aws_cloudwatch_metric_alarm.order_stream_iterator_age.treat_missing_data == "notBreaching" &&
      aws_cloudwatch_metric_alarm.order_stream_iterator_age.dimensions.FunctionName == "imgpipe-dev-order-stream"
    )
    error_message = "The IteratorAge alarm must watch order_stream (Maximum > 60000 ms, missing = notBreaching)."
  }

  # ---------------------------------------------------------------- IAM: what each function's code calls
  # Table derived from the adapters (the only modules that call AWS):
  #   ingest          ingest_sfn.py            start_execution                 -> states:StartExecution
  #   validate_input  validate_input_s3.py     head_object, get_object (Range) -> s3:GetObject (+ ListBucket: 404 not 403)
  #   thumbnail       thumbnail_s3.py          get_object, put_object          -> s3:GetObject, s3:PutObject
  #   notify          notify_store.py          update_item, get_item           -> dynamodb:UpdateItem, dynamodb:GetItem
  #   orders_api      orders_repository.py     put/get/update_item, query, scan; Powertools idempotency
  #                   (put/get/update/delete_item); upload_presigner.py presigned put_object
  #   order_stream    stream_publisher.py      put_events                      -> events:PutEvents
  #   high_value_order high_value_repository.py update_item; alerts_publisher.py publish
  #   daily_report    report_repository.py     query (byOrderDate); report_storage.py put_object
  assert {
    condition = jsonencode({ for fn, m in module.function : fn => sort(distinct(flatten([for st in jsondecode(m.statements_policy_json).Statement : [
      for a in flatten([st.Action]) : [for r in flatten([st.Resource]) : "${a} ${r}"]
      ]]))) }) == jsonencode({
      ingest = ["states:StartExecution arn:aws:states:us-east-1:123456789012:stateMachine:imgpipe-dev-image-pipeline"]
      validate_input = sort([
        "s3:GetObject arn:aws:s3:::imgpipe-dev-uploads-123456789012/uploads/*",
        "s3:ListBucket arn:aws:s3:::imgpipe-dev-uploads-123456789012",
      ])
      thumbnail = sort([
        "s3:GetObject arn:aws:s3:::imgpipe-dev-uploads-123456789012/uploads/*",
        "s3:ListBucket arn:aws:s3:::imgpipe-dev-uploads-123456789012",
        "s3:PutObject arn:aws:s3:::imgpipe-dev-thumbnails-123456789012/thumbnails/*",
      ])
      notify = sort([
        "dynamodb:GetItem arn:aws:dynamodb:us-east-1:123456789012:table/imgpipe-dev-image-metadata",
        "dynamodb:UpdateItem arn:aws:dynamodb:us-east-1:123456789012:table/imgpipe-dev-image-metadata",
      ])
      orders_api = sort(concat(
        flatten([for a in ["GetItem", "PutItem", "UpdateItem", "Query", "Scan"] : [
          "dynamodb:${a} arn:aws:dynamodb:us-east-1:123456789012:table/imgpipe-dev-orders",
          "dynamodb:${a} arn:aws:dynamodb:us-east-1:123456789012:table/imgpipe-dev-orders/index/byOrderDate",
        ]]),
        [for a in ["GetItem", "PutItem", "UpdateItem", "DeleteItem"] : "dynamodb:${a} arn:aws:dynamodb:us-east-1:123456789012:table/imgpipe-dev-idempotency"],
        ["s3:PutObject arn:aws:s3:::imgpipe-dev-uploads-123456789012/uploads/*"],
      ))
      order_stream = ["events:PutEvents arn:aws:events:us-east-1:123456789012:event-bus/imgpipe-dev-orders"]
      high_value_order = sort([
        "dynamodb:UpdateItem arn:aws:dynamodb:us-east-1:123456789012:table/imgpipe-dev-orders",
        "sns:Publish arn:aws:sns:us-east-1:123456789012:imgpipe-dev-alerts",
      ])
    })
    error_message = "A function's caller policy differs from what its code calls: ${jsonencode({ for fn, m in module.function : fn => sort(distinct(flatten([for st in jsondecode(m.statements_policy_json).Statement : [for a in flatten([st.Action]) : [for r in flatten([st.Resource]) : "${a} ${r}"]]]))) })}"
  }
  assert {
    condition = join("\n", sort(flatten([for k, st in local.daily_report_function.policy_statements : [for a in st.actions : [for r in st.resources : "${a} ${r}"]]]))) == join("\n", sort([
      "dynamodb:Query arn:aws:dynamodb:us-east-1:123456789012:table/imgpipe-dev-orders/index/byOrderDate",
      "s3:PutObject arn:aws:s3:::imgpipe-dev-reports-123456789012/reports/*",
    ]))
    error_message = "daily_report may only query the byOrderDate index and write reports/."
  }
  assert {
    condition = alltrue([for fn in ["validate_input", "thumbnail"] : anytrue([for st in jsondecode(module.function[fn].statements_policy_json).Statement :
    st.Action == ["s3:ListBucket"] && jsonencode(try(st.Condition, {})) == jsonencode({ StringLike = { "s3:prefix" = ["uploads/*"] } })])])
    error_message = "ListBucket on uploads must be limited to the uploads/ prefix."
  }
  # What the wiring adds to the roles (modules/event_source, async destinations).
  assert {
    condition = join("\n", sort(flatten([for st in jsondecode(module.ingest_sources.role_policy_json).Statement : [for a in st.Action : [for r in st.Resource : "${a} ${r}"]]]))) == join("\n", sort(
      [for a in ["DeleteMessage", "GetQueueAttributes", "ReceiveMessage"] : "sqs:${a} arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-image-ingest"]
    ))
    error_message = "ingest's role must read exactly image-ingest."
  }
  assert {
    condition = join("\n", sort(flatten([for st in jsondecode(module.order_stream_sources.role_policy_json).Statement : [for a in st.Action : [for r in st.Resource : "${a} ${r}"]]]))) == join("\n", sort(concat(
      [for a in ["DescribeStream", "GetRecords", "GetShardIterator"] : "dynamodb:${a} arn:aws:dynamodb:us-east-1:123456789012:table/imgpipe-dev-orders/stream/2026-01-01T00:00:00.000"],
      ["dynamodb:ListStreams *"], # ListStreams has no resource type: it is only authorized on *
      ["sqs:SendMessage arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-stream-dlq"],
    )))
    error_message = "order_stream's role must read exactly the orders stream and send failures to stream-dlq."
  }
  assert {
    condition     = anytrue([for st in jsondecode(module.function["notify"].execution_policy_json).Statement : st.Sid == "AsyncDestinationOnFailure" && st.Action == ["sqs:SendMessage"] && st.Resource == ["arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-notify-dlq"]])
    error_message = "notify's failed async invocations must go to notify-dlq."
  }

  # ---------------------------------------------------------------- environment values point at the right resources
  assert {
    condition = (
      local.function_environment.thumbnail.THUMBNAIL_BUCKET == "imgpipe-dev-thumbnails-123456789012" &&
      local.function_environment.notify.METADATA_TABLE == "imgpipe-dev-image-metadata" &&
      local.function_environment.orders_api.ORDERS_TABLE == "imgpipe-dev-orders" &&
      local.function_environment.orders_api.IDEMPOTENCY_TABLE == "imgpipe-dev-idempotency" &&
      local.function_environment.orders_api.UPLOADS_BUCKET == "imgpipe-dev-uploads-123456789012" &&
      local.function_environment.high_value_order.ORDERS_TABLE == "imgpipe-dev-orders" &&
      local.function_environment.high_value_order.ALERTS_TOPIC_ARN == "arn:aws:sns:us-east-1:123456789012:imgpipe-dev-alerts" &&
      local.function_environment.daily_report.ORDERS_TABLE == "imgpipe-dev-orders" &&
      local.function_environment.daily_report.REPORTS_BUCKET == "imgpipe-dev-reports-123456789012"
    )
    error_message = "A function's environment points at the wrong bucket, table or topic: ${jsonencode(local.function_environment)}"
  }
  assert {
    condition     = alltrue([for i in aws_api_gateway_integration.this : i.uri == "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-orders-api:live/invocations"])
    error_message = "Every API method must integrate with the orders_api live alias."
  }
}
