output "state_machine_arn" {
  description = "ARN of the state machine."
  value       = try(aws_sfn_state_machine.this[0].arn, null)
}

output "state_machine_name" {
  description = "Name of the state machine."
  value       = try(aws_sfn_state_machine.this[0].name, null)
}

output "state_machine_version_arn" {
  description = "ARN of the published version (null unless publish = true)."
  value       = try(aws_sfn_state_machine.this[0].state_machine_version_arn, null)
}

output "state_machine_definition" {
  description = "The rendered Amazon States Language definition."
  value       = local.create ? local.definition : null
}

output "role_arn" {
  description = "ARN of the execution role (created, or the role_arn passed in)."
  value       = local.create ? local.role_arn : null
}

output "role_name" {
  description = "Name of the created execution role (null when role_arn was passed in)."
  value       = try(aws_iam_role.this[0].name, null)
}

output "role_policy_json" {
  description = "The policy derived from the integrations, logging and tracing settings (attached inline to the created role; attach it yourself when bringing role_arn)."
  value       = local.create ? local.policy_json : null
}

output "log_group_name" {
  description = "Name of the execution log group (null when logging_level = OFF)."
  value       = try(aws_cloudwatch_log_group.this[0].name, null)
}

output "log_group_arn" {
  description = "ARN of the execution log group (null when logging_level = OFF)."
  value       = try(aws_cloudwatch_log_group.this[0].arn, null)
}

output "alias_arn" {
  description = "ARN of the state machine alias (null without alias): start executions on it."
  value       = try(aws_sfn_alias.this[0].arn, null)
}
