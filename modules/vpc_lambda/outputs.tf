output "vpc_id" {
  description = "Id of the VPC (created or passed in)."
  value       = local.create ? local.vpc_id : null
}

output "private_subnet_ids" {
  description = "Ids of the private subnets the function runs in."
  value       = local.create ? local.subnet_ids : null
}

output "route_table_id" {
  description = "Id of the private route table the module created (null with an existing VPC)."
  value       = try(aws_route_table.private[0].id, null)
}

output "route_table_ids" {
  description = "Route tables the gateway endpoints are attached to."
  value       = local.create ? local.route_table_ids : null
}

output "security_group_id" {
  description = "Id of the function's egress-only security group."
  value       = try(aws_security_group.lambda[0].id, null)
}

output "endpoints_security_group_id" {
  description = "Id of the interface endpoints' security group (null without interface endpoints)."
  value       = try(aws_security_group.endpoints[0].id, null)
}

output "s3_endpoint_id" {
  description = "Id of the S3 gateway endpoint."
  value       = try(aws_vpc_endpoint.s3[0].id, null)
}

output "s3_prefix_list_id" {
  description = "Prefix list id of the S3 gateway endpoint."
  value       = try(aws_vpc_endpoint.s3[0].prefix_list_id, null)
}

output "dynamodb_endpoint_id" {
  description = "Id of the DynamoDB gateway endpoint."
  value       = try(aws_vpc_endpoint.dynamodb[0].id, null)
}

output "dynamodb_prefix_list_id" {
  description = "Prefix list id of the DynamoDB gateway endpoint."
  value       = try(aws_vpc_endpoint.dynamodb[0].prefix_list_id, null)
}

output "interface_endpoint_ids" {
  description = "Ids of the interface endpoints, keyed by short service name."
  value       = { for k, v in aws_vpc_endpoint.interface : k => v.id }
}

output "flow_log_id" {
  description = "Id of the VPC flow log (null when disabled or with an existing VPC)."
  value       = try(aws_flow_log.this[0].id, null)
}

output "flow_log_group_name" {
  description = "Log group receiving the VPC flow logs."
  value       = try(aws_cloudwatch_log_group.flow_logs[0].name, null)
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.function.function_name
}

output "function_arn" {
  description = "Unqualified ARN of the Lambda function."
  value       = module.function.function_arn
}

output "function_invoke_arn" {
  description = "Invoke ARN of the unqualified function."
  value       = module.function.function_invoke_arn
}

output "function_qualified_arn" {
  description = "ARN of the function qualified with its latest published version."
  value       = module.function.function_qualified_arn
}

output "alias_arn" {
  description = "ARN of the alias, or null without one."
  value       = module.function.alias_arn
}

output "alias_invoke_arn" {
  description = "Invoke ARN of the alias when set, else of the function."
  value       = module.function.alias_invoke_arn
}

output "role_name" {
  description = "Name of the execution role (attach extra inline policies with aws_iam_role_policy)."
  value       = module.function.role_name
}

output "role_arn" {
  description = "ARN of the execution role."
  value       = module.function.role_arn
}

output "log_group_name" {
  description = "Name of the function's log group."
  value       = module.function.log_group_name
}

output "log_group_arn" {
  description = "ARN of the function's log group."
  value       = module.function.log_group_arn
}

output "function_version" {
  description = "Latest published version of the function (`$LATEST` when publish = false)."
  value       = module.function.function_version
}

output "alias_name" {
  description = "Name of the alias, or null without one."
  value       = module.function.alias_name
}

output "invoke_qualifier" {
  description = "Qualifier that triggers should target (the alias name), or null for the unqualified function."
  value       = module.function.invoke_qualifier
}

output "function_url" {
  description = "Function URL, or null without one."
  value       = module.function.function_url
}

output "execution_policy_json" {
  description = "JSON of the module-derived inline policy of the function's role (logs, X-Ray, VPC, destinations, DLQ)."
  value       = module.function.execution_policy_json
}

output "statements_policy_json" {
  description = "JSON of the caller-declared inline policy (policy_statements), or null when there is none."
  value       = module.function.statements_policy_json
}

# Safe deployments (modules/lambda_function alias.tf / deployment.tf), passed through.

output "alias_function_version" {
  description = "Version the alias points at (as last read: with `deployment`, where CodeDeploy left it), or null without an alias."
  value       = module.function.alias_function_version
}

output "deployment_application_name" {
  description = "CodeDeploy application name, or null without `deployment`."
  value       = module.function.deployment_application_name
}

output "deployment_group_name" {
  description = "CodeDeploy deployment group name, or null without `deployment`."
  value       = module.function.deployment_group_name
}

output "deployment_group_arn" {
  description = "CodeDeploy deployment group ARN (give it to a hook function's `codedeploy_hook_deployment_group_arns`), or null."
  value       = module.function.deployment_group_arn
}

output "deployment_config_name" {
  description = "Deployment config the group uses (a CodeDeployDefault.Lambda* name or the module's custom one), or null."
  value       = module.function.deployment_config_name
}

output "deployment_alarm_names" {
  description = "Alarms that stop and roll back a deployment (the module's Errors alarm first), or []."
  value       = module.function.deployment_alarm_names
}

output "deployment_errors_alarm" {
  description = "The alias's Errors alarm that rolls a deployment back (arn, name, threshold, period_seconds, evaluation_periods, alarm_actions), or null."
  value       = module.function.deployment_errors_alarm
}

output "deployment_role_arn" {
  description = "ARN of the CodeDeploy service role, or null."
  value       = module.function.deployment_role_arn
}

output "deployment_appspec_json" {
  description = "AppSpec of the next deployment: the alias from the version it points at to the latest published one, plus hooks. null without `deployment`."
  value       = module.function.deployment_appspec_json
}

output "deployment_command" {
  description = "`aws deploy create-deployment` command that starts the next deployment (prints its id). null without `deployment`."
  value       = module.function.deployment_command
}

output "package_s3_object" {
  description = "Bucket, key and SHA-256 checksum of the function package uploaded to S3, or null."
  value       = module.function.package_s3_object
}
