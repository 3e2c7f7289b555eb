output "alias_arn" {
  description = "Start executions on the alias."
  value       = module.state_machine.alias_arn
}

output "role_policy_json" {
  description = "The derived execution role policy."
  value       = module.state_machine.role_policy_json
}
