output "schedule_arns" {
  description = "ARNs of the schedules."
  value       = module.schedules.schedule_arns
}

output "scheduler_role_arn" {
  description = "The Scheduler execution role the module derived from the target."
  value       = module.schedules.scheduler_role_arn
}
