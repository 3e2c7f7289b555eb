# Safe deployments: a function whose `live` alias CodeDeploy shifts canary-style (25% for 10 minutes,
# a custom config), rolled back by the alias's Errors alarm or a latency alarm of yours, with a
# pre-traffic hook function that validates the new version first. A second function shows weighted
# routing done by hand (10% of `live` to an older version).

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

variable "hook_filename" {
  description = "Zip of the pre-traffic hook: invokes the new version, then calls codedeploy:PutLifecycleEventHookExecutionStatus."
  type        = string
  default     = "../../../../build/functions/pre_traffic_hook.zip"
}

variable "hook_source_code_hash" {
  description = "base64sha256 of the hook zip."
  type        = string
  default     = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
}

variable "account_id" {
  description = "Account of the stack (the hook's permission names the deployment group by ARN)."
  type        = string
  default     = "123456789012"
}

locals {
  function_name = "example-safe-deployment"
  # Known before the group exists, so the hook and the group do not depend on each other.
  deployment_group_arn = "arn:aws:codedeploy:${var.region}:${var.account_id}:deploymentgroup:${local.function_name}/${local.function_name}-live"
}

resource "aws_sns_topic" "alarms" {
  name              = "example-safe-deployment-alarms"
  kms_master_key_id = "alias/aws/sns"
}

# An alarm of yours the rollout also watches: p99 duration of the alias above 2 s.
resource "aws_cloudwatch_metric_alarm" "p99_latency" {
  alarm_name          = "${local.function_name}-p99-latency"
  namespace           = "AWS/Lambda"
  metric_name         = "Duration"
  dimensions          = { FunctionName = local.function_name, Resource = "${local.function_name}:live" }
  extended_statistic  = "p99"
  period              = 60
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = 2000
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}

module "pre_traffic_hook" {
  source = "../../"

  function_name    = "${local.function_name}-pre-traffic"
  filename         = var.hook_filename
  source_code_hash = var.hook_source_code_hash
  timeout          = 60

  # Reports Succeeded/Failed to the group it validates, and may invoke the version under test.
  codedeploy_hook_deployment_group_arns = [local.deployment_group_arn]
  policy_statements = {
    InvokeNewVersion = {
      actions   = ["lambda:InvokeFunction"]
      resources = ["arn:aws:lambda:${var.region}:${var.account_id}:function:${local.function_name}:*"]
    }
  }
}

module "function" {
  source = "../../"

  function_name    = local.function_name
  filename         = var.filename
  source_code_hash = var.source_code_hash
  publish          = true
  alias_name       = "live"

  deployment = {
    strategy                      = "canary"
    percentage                    = 25
    interval_minutes              = 10
    alarm_names                   = [aws_cloudwatch_metric_alarm.p99_latency.alarm_name]
    alarm_actions                 = [aws_sns_topic.alarms.arn]
    before_allow_traffic_hook_arn = module.pre_traffic_hook.function_arn
  }
}

# Weighted routing without CodeDeploy: `live` stays on the latest version, 10% goes to version 1.
module "weighted" {
  source = "../../"

  function_name                    = "${local.function_name}-weighted"
  filename                         = var.filename
  source_code_hash                 = var.source_code_hash
  publish                          = true
  alias_name                       = "live"
  alias_additional_version_weights = { "1" = 0.1 }
}

output "deployment_command" {
  description = "Run after an apply that published a new version: starts the canary."
  value       = module.function.deployment_command
}

output "deployment_appspec_json" {
  description = "The AppSpec that command deploys."
  value       = module.function.deployment_appspec_json
}
