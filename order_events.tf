# Order events (DESIGN section 3): orders stream -> order_stream -> custom bus `orders` (archive, DLQ,
# customer key when given) ->
# rule high-value-orders (total > threshold) -> high_value_order (retry policy + DLQ).

resource "aws_cloudwatch_event_bus" "orders" {
  name = "${local.prefix}-orders"

  # Encrypted with the stack's customer key when one is given (AWS owned key otherwise).
  kms_key_identifier = var.kms_key_arn

  # Events the bus could not deliver to a target for a bus-level reason (e.g. the key) land here.
  dynamic "dead_letter_config" {
    for_each = var.orders_bus_dead_letter_queue ? [1] : []
    content {
      arn = aws_sqs_queue.orders_bus_dlq[0].arn
    }
  }
}

# Archive of every event on the bus, for replays (aws events start-replay) after a consumer fix.
resource "aws_cloudwatch_event_archive" "orders" {
  count = var.orders_archive_retention_days != null ? 1 : 0

  name             = "${local.prefix}-orders"
  description      = "Every event of the ${local.prefix}-orders bus (replay)"
  event_source_arn = aws_cloudwatch_event_bus.orders.arn
  retention_days   = var.orders_archive_retention_days
}

resource "aws_sqs_queue" "orders_bus_dlq" {
  count = var.orders_bus_dead_letter_queue ? 1 : 0

  name                              = "${local.prefix}-orders-bus-dlq"
  message_retention_seconds         = 1209600
  sqs_managed_sse_enabled           = var.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_key_arn != null ? 300 : null

  tags = { Purpose = "Events the orders bus could not deliver" }
}

resource "aws_sqs_queue_policy" "orders_bus_dlq" {
  count = var.orders_bus_dead_letter_queue ? 1 : 0

  queue_url = aws_sqs_queue.orders_bus_dlq[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sqs:*"
        Resource  = aws_sqs_queue.orders_bus_dlq[0].arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
      {
        Sid       = "AllowServiceSend"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = aws_sqs_queue.orders_bus_dlq[0].arn
        Condition = {
          ArnEquals    = { "aws:SourceArn" = aws_cloudwatch_event_bus.orders.arn }
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      },
    ]
  })
}

resource "aws_cloudwatch_metric_alarm" "orders_bus_dlq_depth" {
  count = var.orders_bus_dead_letter_queue ? 1 : 0

  alarm_name          = "${local.prefix}-orders-bus-dlq-not-empty"
  alarm_description   = "Messages are waiting in ${aws_sqs_queue.orders_bus_dlq[0].name}: inspect them and replay from the archive"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.orders_bus_dlq[0].name }
  statistic           = "Maximum"
  period              = var.alarm_period_seconds
  evaluation_periods  = var.alarm_evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

module "order_stream_sources" {
  source = "./modules/event_source"

  function_name      = module.function["order_stream"].function_name
  function_arn       = module.function["order_stream"].function_arn
  function_role_name = module.function["order_stream"].role_name

  dynamodb_streams = {
    orders = {
      stream_arn = aws_dynamodb_table.orders.stream_arn
      # A new mapping starts from the oldest record kept (24 h): nothing written before it is lost;
      # consumers are idempotent (high_value_order sets its flag conditionally).
      starting_position              = "TRIM_HORIZON"
      batch_size                     = var.order_stream_batch_size
      bisect_batch_on_function_error = true
      maximum_retry_attempts         = var.order_stream_maximum_retry_attempts
      maximum_record_age_in_seconds  = var.order_stream_maximum_record_age_in_seconds
      report_batch_item_failures     = true
      on_failure_destination_arn     = aws_sqs_queue.this["stream-dlq"].arn
      filter_patterns                = [jsonencode({ eventName = ["INSERT", "MODIFY"] })]
    }
  }
}

module "high_value_order_sources" {
  source = "./modules/event_source"

  function_name = module.function["high_value_order"].function_name
  function_arn  = module.function["high_value_order"].function_arn

  eventbridge_rules = {
    high-value-orders = {
      name           = "${local.prefix}-high-value-orders"
      description    = "New orders with a total above ${var.high_value_threshold}"
      event_bus_name = aws_cloudwatch_event_bus.orders.name
      event_pattern = jsonencode({
        source        = [local.order_event_source]
        "detail-type" = ["OrderCreated"]
        detail        = { total = [{ numeric = [">", var.high_value_threshold] }] }
      })
      retry_policy = {
        maximum_retry_attempts       = var.high_value_maximum_retry_attempts
        maximum_event_age_in_seconds = var.high_value_maximum_event_age_in_seconds
      }
      dead_letter_arn = aws_sqs_queue.this["high-value-dlq"].arn
    }
  }
}
