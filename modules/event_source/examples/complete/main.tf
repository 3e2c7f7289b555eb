# One function wired to an SQS queue (partial batch responses), an SNS topic, a schedule, a
# pattern rule on a custom bus and, optionally, an existing S3 bucket. The module adds the
# queue-read policy to the function role and every lambda permission.

module "function" {
  source = "../../../lambda_function"

  function_name    = var.name
  filename         = var.filename
  source_code_hash = var.source_code_hash
  handler          = "handler.lambda_handler"
  runtime          = "python3.12"
  timeout          = 30
}

resource "aws_sqs_queue" "dlq" {
  name                    = "${var.name}-dlq"
  sqs_managed_sse_enabled = true
}

resource "aws_sqs_queue" "work" {
  name                       = "${var.name}-work"
  sqs_managed_sse_enabled    = true
  visibility_timeout_seconds = 180 # >= 6x the function timeout
  redrive_policy             = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn, maxReceiveCount = 3 })
}

# A queue with bursty traffic, polled in provisioned mode (pollers kept warm).
resource "aws_sqs_queue" "burst" {
  name                       = "${var.name}-burst"
  sqs_managed_sse_enabled    = true
  visibility_timeout_seconds = 180
  redrive_policy             = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn, maxReceiveCount = 3 })
}

resource "aws_sns_topic" "events" {
  name              = "${var.name}-events"
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_cloudwatch_event_bus" "orders" {
  name = "${var.name}-orders"
}

module "sources" {
  source = "../.."

  function_name      = module.function.function_name
  function_arn       = module.function.function_arn
  function_role_name = module.function.role_name

  sqs = {
    work = {
      queue_arn                          = aws_sqs_queue.work.arn
      batch_size                         = 25
      maximum_batching_window_in_seconds = 5
      maximum_concurrency                = 10
      metrics                            = ["EventCount"] # enhanced ESM metrics
    }
    burst = {
      queue_arn                 = aws_sqs_queue.burst.arn
      metrics                   = ["EventCount"]
      provisioned_poller_config = { minimum_pollers = 2, maximum_pollers = 20 }
    }
  }

  sns_subscriptions = {
    events = {
      topic_arn     = aws_sns_topic.events.arn
      filter_policy = jsonencode({ kind = ["image"] })
    }
  }

  eventbridge_rules = {
    nightly = {
      schedule_expression = "cron(0 6 * * ? *)"
      input               = jsonencode({})
    }
    high_value = {
      event_bus_name = aws_cloudwatch_event_bus.orders.name
      event_pattern = jsonencode({
        detail-type = ["OrderCreated"]
        detail      = { total = [{ numeric = [">", 100] }] }
      })
      retry_policy    = { maximum_retry_attempts = 4, maximum_event_age_in_seconds = 3600 }
      dead_letter_arn = aws_sqs_queue.dlq.arn
    }
  }

  s3_notifications = var.uploads_bucket_name == null ? {} : {
    jpg = { bucket_name = var.uploads_bucket_name, filter_prefix = "uploads/", filter_suffix = ".jpg" }
    png = { bucket_name = var.uploads_bucket_name, filter_prefix = "uploads/", filter_suffix = ".png" }
  }
}

# The DLQ belongs to this stack, so this stack writes its (exclusive) queue policy, using the
# statements the module computed (EventBridge may send only for the high_value rule).
resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = lookup(module.sources.queue_policy_statements, aws_sqs_queue.dlq.arn, [])
  })
}
