# Test harness (never deployed): every ARN comes from a resource, so it is unknown at plan time,
# as in a real stack that creates the function and its sources in the same apply.

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = "arn:aws:iam::111122223333:role/fn"
  filename      = "fn.zip"
  handler       = "handler.lambda_handler"
  runtime       = "python3.12"
}

resource "aws_sqs_queue" "q" {
  name = "q"
}

resource "aws_sqs_queue_policy" "q" {
  queue_url = aws_sqs_queue.q.id
  policy    = jsonencode({ Version = "2012-10-17", Statement = module.sources.queue_policy_statements[aws_sqs_queue.q.arn] })
}

resource "aws_sns_topic" "t" {
  name = "t"
}

resource "aws_dynamodb_table" "t" {
  name             = "t"
  hash_key         = "id"
  billing_mode     = "PAY_PER_REQUEST"
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"
  attribute {
    name = "id"
    type = "S"
  }
}

module "sources" {
  source = "../.."

  function_name      = "fn"
  function_arn       = aws_lambda_function.fn.arn
  function_role_name = "fn-role"

  sqs = { q = { queue_arn = aws_sqs_queue.q.arn } }
  dynamodb_streams = {
    t = { stream_arn = aws_dynamodb_table.t.stream_arn, on_failure_destination_arn = aws_sqs_queue.q.arn }
  }
  s3_queue_notifications     = { uploads = { bucket_name = "uploads-bucket", queue_arn = aws_sqs_queue.q.arn } }
  s3_notifications           = { direct = { bucket_name = "other-bucket" } }
  s3_notification_depends_on = [aws_sqs_queue_policy.q.id]
  sns_subscriptions          = { t = { topic_arn = aws_sns_topic.t.arn, dead_letter_queue_arn = aws_sqs_queue.q.arn } }
  eventbridge_rules          = { r = { schedule_expression = "rate(1 hour)", dead_letter_arn = aws_sqs_queue.q.arn } }
}

output "role_policy_name" {
  description = "Name of the planned role policy."
  value       = module.sources.role_policy_name
}
