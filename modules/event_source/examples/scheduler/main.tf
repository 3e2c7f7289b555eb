# A function run by EventBridge Scheduler every weekday at 07:30 in a local time zone (daylight saving
# included), within a 10-minute flexible window, with retries and an SQS dead-letter queue. The module
# creates the Scheduler execution role: invoke this function's alias, send to the DLQ, nothing else.

module "function" {
  source = "../../../lambda_function"

  function_name    = var.name
  filename         = var.filename
  source_code_hash = var.source_code_hash
  handler          = "handler.lambda_handler"
  runtime          = "python3.12"
  timeout          = 60
  publish          = true
  alias_name       = "live"
}

resource "aws_sqs_queue" "schedule_dlq" {
  name                    = "${var.name}-schedule-dlq"
  sqs_managed_sse_enabled = true
}

module "schedules" {
  source = "../.."

  function_name = module.function.function_name
  function_arn  = module.function.function_arn
  qualifier     = module.function.alias_name

  schedules = {
    weekday-morning = {
      description                  = "Weekdays 07:30 local time"
      schedule_expression          = "cron(30 7 ? * MON-FRI *)"
      timezone                     = var.timezone
      flexible_time_window_minutes = 10
      retry_policy                 = { maximum_retry_attempts = 5, maximum_event_age_in_seconds = 3600 }
      dead_letter_arn              = aws_sqs_queue.schedule_dlq.arn
    }
  }
}
