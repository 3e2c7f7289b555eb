# Mocks shared with tests/root.tftest.hcl (type defaults, a distinct ARN per wired resource).
mock_provider "aws" {
  source = "./tests/mocks"
}

# Real-AWS defects of issue 12 (plan level, mock provider): what a real account would reject or break.

variables {
  build_dir = "tests/fixtures/fake_build"
}

run "real_aws_defaults" {
  command = apply

  # The account-level API Gateway setting is a regional singleton: not managed unless asked.
  assert {
    condition     = length(aws_api_gateway_account.this) == 0 && length(aws_iam_role.api_gateway_cloudwatch) == 0
    error_message = "manage_api_gateway_account defaults to false: no account setting, no CloudWatch role."
  }

  # Execution logs get a managed group (retention) instead of API Gateway's unmanaged one.
  assert {
    condition     = aws_cloudwatch_log_group.api_execution.name == "API-Gateway-Execution-Logs_abc123/dev" && aws_cloudwatch_log_group.api_execution.retention_in_days == 14
    error_message = "The execution log group API-Gateway-Execution-Logs_<api id>/<stage> is managed with the stack's retention."
  }

  # The deployment trigger is the hash of everything a deployment snapshots, including authorization and
  # request parameters of every method.
  assert {
    condition     = aws_api_gateway_deployment.orders.triggers.redeployment == sha1(jsonencode(local.api_redeployment_inputs))
    error_message = "The redeployment trigger must hash local.api_redeployment_inputs."
  }
  assert {
    condition = (
      length(local.api_redeployment_inputs.methods) == 8
      && alltrue([for m in local.api_redeployment_inputs.methods : m.authorization == "AWS_IAM"])
      && local.api_redeployment_inputs.methods["order-GET"].request_parameters == tomap({ "method.request.path.id" = true })
      && length(local.api_redeployment_inputs.integrations) == 8
      && alltrue([for i in local.api_redeployment_inputs.integrations : i.uri != null && i.type == "AWS_PROXY"])
    )
    error_message = "The trigger inputs must carry each method's authorization and request parameters and each integration."
  }

  # DynamoDB: the AWS managed key by default (what the docs say now), a choice through dynamodb_encryption.
  assert {
    condition     = alltrue([for t in [aws_dynamodb_table.orders, aws_dynamodb_table.metadata, aws_dynamodb_table.idempotency] : t.server_side_encryption[0].enabled])
    error_message = "dynamodb_encryption = aws_managed: SSE enabled, no key given (aws/dynamodb)."
  }

  # The documented key policy covers CloudWatch Logs in this region and every delivering service.
  assert {
    condition     = one([for s in jsondecode(output.kms_key_policy_json).Statement : s if s.Sid == "CloudWatchLogs"]).Principal.Service == "logs.us-east-1.amazonaws.com"
    error_message = "The key policy must let logs.<region>.amazonaws.com use the key (encrypted log groups fail to apply otherwise)."
  }
  assert {
    condition = toset(one([for s in jsondecode(output.kms_key_policy_json).Statement : s if s.Sid == "ServicesDeliveringToEncryptedQueuesAndTopics"]).Principal.Service) == toset([
      "s3.amazonaws.com", "sns.amazonaws.com", "events.amazonaws.com", "cloudwatch.amazonaws.com",
    ])
    error_message = "The key policy must let S3, SNS, EventBridge and CloudWatch deliver to encrypted queues and topics."
  }
}

run "real_aws_customer_key_and_owned_key_choice" {
  command = plan

  variables {
    manage_api_gateway_account = true
    dynamodb_encryption        = "aws_owned"
    api_authorization          = "NONE"
  }

  assert {
    condition     = length(aws_api_gateway_account.this) == 1
    error_message = "manage_api_gateway_account = true manages the account setting."
  }
  assert {
    condition     = alltrue([for t in [aws_dynamodb_table.orders, aws_dynamodb_table.metadata, aws_dynamodb_table.idempotency] : !t.server_side_encryption[0].enabled])
    error_message = "dynamodb_encryption = aws_owned: SSE disabled, i.e. the AWS owned key."
  }
  assert {
    condition     = alltrue([for m in aws_api_gateway_method.this : m.authorization == "NONE"])
    error_message = "api_authorization reaches every method (and so the redeployment trigger)."
  }
}

run "real_aws_customer_managed_key" {
  command = plan

  variables {
    kms_key_arn         = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
    dynamodb_encryption = "aws_owned"
  }

  assert {
    condition     = aws_cloudwatch_log_group.api_execution.kms_key_id == "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
    error_message = "The execution log group is encrypted with kms_key_arn."
  }
  assert {
    condition     = alltrue([for t in [aws_dynamodb_table.orders, aws_dynamodb_table.metadata] : t.server_side_encryption[0].enabled && t.server_side_encryption[0].kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"])
    error_message = "With kms_key_arn the tables use it, whatever dynamodb_encryption says."
  }
}

run "rejects_bad_dynamodb_encryption" {
  command = plan

  variables {
    dynamodb_encryption = "customer"
  }

  expect_failures = [var.dynamodb_encryption]
}
