# Mocks shared with tests/root.tftest.hcl (type defaults, a distinct ARN per wired resource).
mock_provider "aws" {
  source = "./tests/mocks"
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
