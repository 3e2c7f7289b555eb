mock_provider "aws" {
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
}

# The orders bus (issue 12 item 3), plan level: archive for replay, a dead-letter queue, the customer key.

variables {
  build_dir = "tests/fixtures/fake_build"
}

run "bus_archive_and_dead_letter_queue" {
  command = apply

  assert {
    condition     = aws_cloudwatch_event_archive.orders[0].event_source_arn == aws_cloudwatch_event_bus.orders.arn && aws_cloudwatch_event_archive.orders[0].retention_days == 30
    error_message = "The orders bus is archived (30 days by default) for replays."
  }
  assert {
    condition     = aws_cloudwatch_event_bus.orders.dead_letter_config[0].arn == aws_sqs_queue.orders_bus_dlq[0].arn && aws_cloudwatch_event_bus.orders.kms_key_identifier == null
    error_message = "The bus has a DLQ; without kms_key_arn no customer key."
  }
  assert {
    condition = one([for s in jsondecode(aws_sqs_queue_policy.orders_bus_dlq[0].policy).Statement : s if s.Sid == "AllowServiceSend"]).Condition == {
      ArnEquals    = { "aws:SourceArn" = aws_cloudwatch_event_bus.orders.arn }
      StringEquals = { "aws:SourceAccount" = "123456789012" }
    }
    error_message = "Only this bus (of this account) may send into its DLQ."
  }
  assert {
    condition     = aws_sqs_queue.orders_bus_dlq[0].sqs_managed_sse_enabled && aws_cloudwatch_metric_alarm.orders_bus_dlq_depth[0].dimensions.QueueName == aws_sqs_queue.orders_bus_dlq[0].name
    error_message = "The bus DLQ is encrypted and alarmed."
  }
}

run "bus_with_customer_key_no_archive_no_dlq" {
  command = plan

  variables {
    kms_key_arn                   = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
    orders_archive_retention_days = null
    orders_bus_dead_letter_queue  = false
  }

  assert {
    condition     = aws_cloudwatch_event_bus.orders.kms_key_identifier == "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
    error_message = "The bus is encrypted with kms_key_arn when given."
  }
  assert {
    condition     = length(aws_cloudwatch_event_archive.orders) == 0 && length(aws_sqs_queue.orders_bus_dlq) == 0 && length(aws_cloudwatch_event_bus.orders.dead_letter_config) == 0
    error_message = "Archive and DLQ can be turned off."
  }
}
