# A function with every optional feature switched on: alias + provisioned concurrency with
# autoscaling, async destinations, a DLQ, an API Gateway trigger, a caller statement and a URL.

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "filename" {
  description = "Path to the function zip (build/functions/<name>.zip)."
  type        = string
  default     = "../../../../build/functions/orders_api.zip"
}

variable "source_code_hash" {
  description = "base64sha256 of the zip (build/manifest.json functions.<name>.base64sha256)."
  type        = string
  default     = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
}

variable "orders_table_arn" {
  description = "ARN of the DynamoDB table the function reads and writes."
  type        = string
  default     = "arn:aws:dynamodb:eu-west-1:123456789012:table/example-orders"
}

variable "api_execution_arn" {
  description = "Execution ARN of the REST API that calls the function."
  type        = string
  default     = "arn:aws:execute-api:eu-west-1:123456789012:abc123"
}

resource "aws_sqs_queue" "failures" {
  name                    = "example-complete-failures"
  sqs_managed_sse_enabled = true
}

resource "aws_sns_topic" "successes" {
  name              = "example-complete-successes"
  kms_master_key_id = "alias/aws/sns"
}

module "function" {
  source = "../../"

  function_name          = "example-complete"
  description            = "Every option of modules/lambda_function"
  filename               = var.filename
  source_code_hash       = var.source_code_hash
  runtime                = "python3.12"
  architectures          = ["arm64"]
  memory_size            = 512
  timeout                = 10
  ephemeral_storage_size = 1024
  environment_variables  = { ORDERS_TABLE = element(split("/", var.orders_table_arn), 1) }

  reserved_concurrent_executions = 50
  application_log_level          = "INFO"
  system_log_level               = "WARN"
  log_retention_in_days          = 14

  policy_statements = {
    orders = {
      actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
      resources = [var.orders_table_arn]
    }
  }

  publish                 = true
  alias_name              = "live"
  provisioned_concurrency = 1
  provisioned_concurrency_autoscaling = {
    min_capacity       = 1
    max_capacity       = 5
    target_utilization = 0.7
  }

  async_invoke = {
    maximum_retry_attempts       = 2
    maximum_event_age_in_seconds = 3600
    on_success_destination_arn   = aws_sns_topic.successes.arn
    on_failure_destination_arn   = aws_sqs_queue.failures.arn
  }

  allowed_triggers = {
    ApiGateway = {
      principal  = "apigateway.amazonaws.com"
      source_arn = "${var.api_execution_arn}/*/*/*"
    }
  }

  function_url = {
    authorization_type = "AWS_IAM"
  }

  tags = { example = "complete" }
}

output "alias_invoke_arn" {
  description = "Invoke ARN for an API Gateway integration (the alias)."
  value       = module.function.alias_invoke_arn
}

output "role_name" {
  description = "Execution role name (attach more inline policies with aws_iam_role_policy)."
  value       = module.function.role_name
}
