# Order events (DESIGN section 3): orders stream -> order_stream -> custom bus `orders` ->
# rule high-value-orders (total > threshold) -> high_value_order (retry policy + DLQ).

resource "aws_cloudwatch_event_bus" "orders" {
  name = "${local.prefix}-orders"
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
