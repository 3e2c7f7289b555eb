# Mock AWS provider shared by the root module's tests (mock_provider "aws" { source = "./tests/mocks" }).
# Type-level defaults (mock_resource/mock_data) first, then one override per resource instance the
# wiring is made of, so every bucket, queue, topic, table, function, rule and state machine gets its own
# realistic ARN/URL/name. A test can then tell one wire from another (tests/wiring.tftest.hcl).

mock_data "aws_caller_identity" {
  defaults = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:user/test", user_id = "AIDTEST" }
}
mock_data "aws_partition" {
  defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
}
mock_data "aws_region" {
  defaults = { name = "us-east-1", id = "us-east-1" }
}
mock_data "aws_availability_zones" {
  defaults = { names = ["us-east-1a", "us-east-1b", "us-east-1c"], zone_ids = ["use1-az1", "use1-az2", "use1-az3"] }
}
mock_data "aws_iam_policy_document" {
  defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
}
mock_resource "aws_s3_bucket" {
  defaults = { arn = "arn:aws:s3:::mock-bucket" }
}
mock_resource "aws_sqs_queue" {
  defaults = { arn = "arn:aws:sqs:us-east-1:123456789012:mock-queue", url = "https://sqs.us-east-1.amazonaws.com/123456789012/mock-queue" }
}
mock_resource "aws_sns_topic" {
  defaults = { arn = "arn:aws:sns:us-east-1:123456789012:mock-topic" }
}
mock_resource "aws_dynamodb_table" {
  defaults = {
    arn        = "arn:aws:dynamodb:us-east-1:123456789012:table/mock"
    stream_arn = "arn:aws:dynamodb:us-east-1:123456789012:table/mock/stream/2026-01-01T00:00:00.000"
  }
}
mock_resource "aws_kms_key" {
  defaults = { arn = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000", key_id = "00000000-0000-0000-0000-000000000000" }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/mock-role" }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:mock" }
}
mock_resource "aws_lambda_layer_version" {
  defaults = {
    arn       = "arn:aws:lambda:us-east-1:123456789012:layer:mock:1"
    layer_arn = "arn:aws:lambda:us-east-1:123456789012:layer:mock"
    version   = "1"
  }
}
mock_resource "aws_lambda_function" {
  defaults = {
    arn           = "arn:aws:lambda:us-east-1:123456789012:function:mock"
    qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:mock:1"
    invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:mock/invocations"
    version       = "1"
  }
}
mock_resource "aws_lambda_alias" {
  defaults = {
    arn        = "arn:aws:lambda:us-east-1:123456789012:function:mock:live"
    invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:mock:live/invocations"
  }
}
mock_resource "aws_cloudwatch_event_bus" {
  defaults = { arn = "arn:aws:events:us-east-1:123456789012:event-bus/mock" }
}
mock_resource "aws_cloudwatch_event_rule" {
  defaults = { arn = "arn:aws:events:us-east-1:123456789012:rule/mock/mock" }
}
mock_resource "aws_sfn_state_machine" {
  defaults = { arn = "arn:aws:states:us-east-1:123456789012:stateMachine:mock" }
}
mock_resource "aws_api_gateway_rest_api" {
  defaults = {
    id               = "abc123"
    root_resource_id = "root12"
    execution_arn    = "arn:aws:execute-api:us-east-1:123456789012:abc123"
  }
}
mock_resource "aws_api_gateway_stage" {
  defaults = { invoke_url = "https://abc123.execute-api.us-east-1.amazonaws.com/dev", arn = "arn:aws:apigateway:us-east-1::/restapis/abc123/stages/dev" }
}
mock_resource "aws_vpc" {
  defaults = { arn = "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0123456789abcdef0", id = "vpc-0123456789abcdef0", default_route_table_id = "rtb-0123456789abcdef0", main_route_table_id = "rtb-0123456789abcdef0" }
}
mock_resource "aws_subnet" {
  defaults = { id = "subnet-0123456789abcdef0", arn = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0123456789abcdef0" }
}
mock_resource "aws_security_group" {
  defaults = { id = "sg-0123456789abcdef0", arn = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0" }
}
mock_resource "aws_route_table" {
  defaults = { id = "rtb-0123456789abcdef1", arn = "arn:aws:ec2:us-east-1:123456789012:route-table/rtb-0123456789abcdef1" }
}


# Buckets: id = name, as AWS returns it.

override_resource {
  target = aws_s3_bucket.this["uploads"]
  values = {
    id  = "imgpipe-dev-uploads-123456789012"
    arn = "arn:aws:s3:::imgpipe-dev-uploads-123456789012"
  }
}

override_resource {
  target = aws_s3_bucket.this["thumbnails"]
  values = {
    id  = "imgpipe-dev-thumbnails-123456789012"
    arn = "arn:aws:s3:::imgpipe-dev-thumbnails-123456789012"
  }
}

override_resource {
  target = aws_s3_bucket.this["reports"]
  values = {
    id  = "imgpipe-dev-reports-123456789012"
    arn = "arn:aws:s3:::imgpipe-dev-reports-123456789012"
  }
}

# Queues: id = url.

override_resource {
  target = aws_sqs_queue.image_ingest
  values = {
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-image-ingest"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-image-ingest"
    arn = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-image-ingest"
  }
}

override_resource {
  target = aws_sqs_queue.this["image-ingest-dlq"]
  values = {
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-image-ingest-dlq"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-image-ingest-dlq"
    arn = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-image-ingest-dlq"
  }
}

override_resource {
  target = aws_sqs_queue.this["audit"]
  values = {
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-audit"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-audit"
    arn = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-audit"
  }
}

override_resource {
  target = aws_sqs_queue.this["notify-dlq"]
  values = {
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-notify-dlq"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-notify-dlq"
    arn = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-notify-dlq"
  }
}

override_resource {
  target = aws_sqs_queue.this["high-value-failed"]
  values = {
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-high-value-failed"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-high-value-failed"
    arn = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-high-value-failed"
  }
}

override_resource {
  target = aws_sqs_queue.this["daily-report-failed"]
  values = {
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-daily-report-failed"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-daily-report-failed"
    arn = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-daily-report-failed"
  }
}

override_resource {
  target = aws_sqs_queue.this["stream-dlq"]
  values = {
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-stream-dlq"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-stream-dlq"
    arn = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-stream-dlq"
  }
}

override_resource {
  target = aws_sqs_queue.this["high-value-dlq"]
  values = {
    id  = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-high-value-dlq"
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/imgpipe-dev-high-value-dlq"
    arn = "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-high-value-dlq"
  }
}

# Topics: id = arn.

override_resource {
  target = aws_sns_topic.this["image-processed"]
  values = {
    id  = "arn:aws:sns:us-east-1:123456789012:imgpipe-dev-image-processed"
    arn = "arn:aws:sns:us-east-1:123456789012:imgpipe-dev-image-processed"
  }
}

override_resource {
  target = aws_sns_topic.this["processing-errors"]
  values = {
    id  = "arn:aws:sns:us-east-1:123456789012:imgpipe-dev-processing-errors"
    arn = "arn:aws:sns:us-east-1:123456789012:imgpipe-dev-processing-errors"
  }
}

override_resource {
  target = aws_sns_topic.this["alerts"]
  values = {
    id  = "arn:aws:sns:us-east-1:123456789012:imgpipe-dev-alerts"
    arn = "arn:aws:sns:us-east-1:123456789012:imgpipe-dev-alerts"
  }
}

override_resource {
  target = aws_sns_topic.this["alarms"]
  values = {
    id  = "arn:aws:sns:us-east-1:123456789012:imgpipe-dev-alarms"
    arn = "arn:aws:sns:us-east-1:123456789012:imgpipe-dev-alarms"
  }
}

# Tables.

override_resource {
  target = aws_dynamodb_table.orders
  values = {
    arn        = "arn:aws:dynamodb:us-east-1:123456789012:table/imgpipe-dev-orders"
    stream_arn = "arn:aws:dynamodb:us-east-1:123456789012:table/imgpipe-dev-orders/stream/2026-01-01T00:00:00.000"
  }
}

override_resource {
  target = aws_dynamodb_table.metadata
  values = {
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/imgpipe-dev-image-metadata"
  }
}

override_resource {
  target = aws_dynamodb_table.idempotency
  values = {
    arn = "arn:aws:dynamodb:us-east-1:123456789012:table/imgpipe-dev-idempotency"
  }
}

# Functions, their roles and log groups (daily_report: in modules/vpc_lambda, or plain without the VPC).

override_resource {
  target = module.function["ingest"].aws_lambda_function.this[0]
  values = {
    arn           = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-ingest"
    qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-ingest:1"
    version       = "1"
    invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-ingest/invocations"
  }
}

override_resource {
  target = module.function["ingest"].aws_iam_role.this[0]
  values = {
    arn = "arn:aws:iam::123456789012:role/imgpipe-dev-ingest"
  }
}

override_resource {
  target = module.function["ingest"].aws_cloudwatch_log_group.this[0]
  values = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/imgpipe-dev-ingest"
  }
}

override_resource {
  target = module.function["validate_input"].aws_lambda_function.this[0]
  values = {
    arn           = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-validate-input"
    qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-validate-input:1"
    version       = "1"
    invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-validate-input/invocations"
  }
}

override_resource {
  target = module.function["validate_input"].aws_iam_role.this[0]
  values = {
    arn = "arn:aws:iam::123456789012:role/imgpipe-dev-validate-input"
  }
}

override_resource {
  target = module.function["validate_input"].aws_cloudwatch_log_group.this[0]
  values = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/imgpipe-dev-validate-input"
  }
}

override_resource {
  target = module.function["thumbnail"].aws_lambda_function.this[0]
  values = {
    arn           = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-thumbnail"
    qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-thumbnail:1"
    version       = "1"
    invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-thumbnail/invocations"
  }
}

override_resource {
  target = module.function["thumbnail"].aws_iam_role.this[0]
  values = {
    arn = "arn:aws:iam::123456789012:role/imgpipe-dev-thumbnail"
  }
}

override_resource {
  target = module.function["thumbnail"].aws_cloudwatch_log_group.this[0]
  values = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/imgpipe-dev-thumbnail"
  }
}

override_resource {
  target = module.function["notify"].aws_lambda_function.this[0]
  values = {
    arn           = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-notify"
    qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-notify:1"
    version       = "1"
    invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-notify/invocations"
  }
}

override_resource {
  target = module.function["notify"].aws_iam_role.this[0]
  values = {
    arn = "arn:aws:iam::123456789012:role/imgpipe-dev-notify"
  }
}

override_resource {
  target = module.function["notify"].aws_cloudwatch_log_group.this[0]
  values = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/imgpipe-dev-notify"
  }
}

override_resource {
  target = module.function["orders_api"].aws_lambda_function.this[0]
  values = {
    arn           = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-orders-api"
    qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-orders-api:1"
    version       = "1"
    invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-orders-api/invocations"
  }
}

override_resource {
  target = module.function["orders_api"].aws_iam_role.this[0]
  values = {
    arn = "arn:aws:iam::123456789012:role/imgpipe-dev-orders-api"
  }
}

override_resource {
  target = module.function["orders_api"].aws_cloudwatch_log_group.this[0]
  values = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/imgpipe-dev-orders-api"
  }
}

override_resource {
  target = module.function["order_stream"].aws_lambda_function.this[0]
  values = {
    arn           = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-order-stream"
    qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-order-stream:1"
    version       = "1"
    invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-order-stream/invocations"
  }
}

override_resource {
  target = module.function["order_stream"].aws_iam_role.this[0]
  values = {
    arn = "arn:aws:iam::123456789012:role/imgpipe-dev-order-stream"
  }
}

override_resource {
  target = module.function["order_stream"].aws_cloudwatch_log_group.this[0]
  values = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/imgpipe-dev-order-stream"
  }
}

override_resource {
  target = module.function["high_value_order"].aws_lambda_function.this[0]
  values = {
    arn           = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-high-value-order"
    qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-high-value-order:1"
    version       = "1"
    invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-high-value-order/invocations"
  }
}

override_resource {
  target = module.function["high_value_order"].aws_iam_role.this[0]
  values = {
    arn = "arn:aws:iam::123456789012:role/imgpipe-dev-high-value-order"
  }
}

override_resource {
  target = module.function["high_value_order"].aws_cloudwatch_log_group.this[0]
  values = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/imgpipe-dev-high-value-order"
  }
}

override_resource {
  target = module.daily_report_vpc.module.function.aws_lambda_function.this[0]
  values = {
    arn           = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-daily-report"
    qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-daily-report:1"
    version       = "1"
    invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-daily-report/invocations"
  }
}

override_resource {
  target = module.daily_report_vpc.module.function.aws_iam_role.this[0]
  values = {
    arn = "arn:aws:iam::123456789012:role/imgpipe-dev-daily-report"
  }
}

override_resource {
  target = module.daily_report_vpc.module.function.aws_cloudwatch_log_group.this[0]
  values = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/imgpipe-dev-daily-report"
  }
}

override_resource {
  target = module.daily_report.aws_lambda_function.this[0]
  values = {
    arn           = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-daily-report"
    qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-daily-report:1"
    version       = "1"
    invoke_arn    = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-daily-report/invocations"
  }
}

override_resource {
  target = module.daily_report.aws_iam_role.this[0]
  values = {
    arn = "arn:aws:iam::123456789012:role/imgpipe-dev-daily-report"
  }
}

override_resource {
  target = module.daily_report.aws_cloudwatch_log_group.this[0]
  values = {
    arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/imgpipe-dev-daily-report"
  }
}

override_resource {
  target = module.function["orders_api"].aws_lambda_alias.this[0]
  values = {
    arn        = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-orders-api:live"
    invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-orders-api:live/invocations"
  }
}

# Bus, rules, state machine.

override_resource {
  target = aws_cloudwatch_event_bus.orders
  values = {
    arn = "arn:aws:events:us-east-1:123456789012:event-bus/imgpipe-dev-orders"
  }
}

override_resource {
  target = module.high_value_order_sources.aws_cloudwatch_event_rule.this["high-value-orders"]
  values = {
    arn = "arn:aws:events:us-east-1:123456789012:rule/imgpipe-dev-orders/imgpipe-dev-high-value-orders"
  }
}

override_resource {
  target = module.daily_report_sources.aws_cloudwatch_event_rule.this["schedule"]
  values = {
    arn = "arn:aws:events:us-east-1:123456789012:rule/imgpipe-dev-daily-report"
  }
}

override_resource {
  target = module.state_machine.aws_sfn_state_machine.this[0]
  values = {
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:imgpipe-dev-image-pipeline"
  }
}

override_resource {
  target = module.state_machine.aws_iam_role.this[0]
  values = {
    arn = "arn:aws:iam::123456789012:role/imgpipe-dev-image-pipeline"
  }
}
