output "event_source_mapping_uuids" {
  description = "UUIDs of the event source mappings."
  value       = module.sources.event_source_mapping_uuids
}

output "eventbridge_rule_arns" {
  description = "ARNs of the EventBridge rules."
  value       = module.sources.eventbridge_rule_arns
}

output "role_policy_name" {
  description = "Inline policy added to the function role."
  value       = module.sources.role_policy_name
}
