output "state_machine_arn" {
  description = "ARN of the state machine."
  value       = module.state_machine.state_machine_arn
}

output "state_machine_version_arn" {
  description = "ARN of the published version."
  value       = module.state_machine.state_machine_version_arn
}

output "role_arn" {
  description = "Execution role derived from the integrations."
  value       = module.state_machine.role_arn
}
