# CloudWatch alarms (DESIGN section 5) -> SNS alarms topic: Errors and Throttles of every function,
# depth > 0 of every DLQ, IteratorAge of the orders stream consumer.

locals {
  alarm_actions = [aws_sns_topic.this["alarms"].arn]

  function_alarms = merge([
    for name, fn in local.function_names : {
      "${name}-errors" = {
        function    = fn
        metric_name = "Errors"
        threshold   = var.alarm_function_errors_threshold
        description = "${fn} reported function errors"
      }
      "${name}-throttles" = {
        function    = fn
        metric_name = "Throttles"
        threshold   = 0
        description = "${fn} invocations were throttled"
      }
    }
  ]...)
}

resource "aws_cloudwatch_metric_alarm" "function" {
  for_each = local.function_alarms

  alarm_name          = "${local.prefix}-${each.key}"
  alarm_description   = each.value.description
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric_name
  dimensions          = { FunctionName = each.value.function }
  statistic           = "Sum"
  period              = var.alarm_period_seconds
  evaluation_periods  = var.alarm_evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "dlq_depth" {
  for_each = toset(local.dlq_keys)

  alarm_name          = "${local.prefix}-${each.key}-not-empty"
  alarm_description   = "Messages are waiting in ${local.all_queues[each.key].name}: inspect and redrive them"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = local.all_queues[each.key].name }
  statistic           = "Maximum"
  period              = var.alarm_period_seconds
  evaluation_periods  = var.alarm_evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "order_stream_iterator_age" {
  alarm_name          = "${local.prefix}-order-stream-iterator-age"
  alarm_description   = "order_stream is falling behind the orders stream"
  namespace           = "AWS/Lambda"
  metric_name         = "IteratorAge"
  dimensions          = { FunctionName = local.function_names["order_stream"] }
  statistic           = "Maximum"
  period              = var.alarm_period_seconds
  evaluation_periods  = var.alarm_evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_iterator_age_ms
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}
