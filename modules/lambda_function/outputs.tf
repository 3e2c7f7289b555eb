output "function_name" {
  description = "Name of the Lambda function."
  value       = try(aws_lambda_function.this[0].function_name, null)
}

output "function_arn" {
  description = "Unqualified ARN of the Lambda function."
  value       = try(aws_lambda_function.this[0].arn, null)
}

output "function_invoke_arn" {
  description = "Invoke ARN of the unqualified function (for API Gateway integrations without an alias)."
  value       = try(aws_lambda_function.this[0].invoke_arn, null)
}

output "function_qualified_arn" {
  description = "ARN of the function qualified with its latest published version (`:$LATEST` when publish = false)."
  value       = try(aws_lambda_function.this[0].qualified_arn, null)
}

output "function_version" {
  description = "Latest published version of the function (`$LATEST` when publish = false)."
  value       = try(aws_lambda_function.this[0].version, null)
}

output "invoke_qualifier" {
  description = "Qualifier that triggers should target (the alias name), or null for the unqualified function."
  value       = local.qualifier
}

output "role_arn" {
  description = "ARN of the execution role (created, or the one passed in role_arn)."
  value       = local.create ? local.role_arn : null
}

output "role_name" {
  description = "Name of the execution role. Other modules add permissions with `aws_iam_role_policy` (inline, non-exclusive) on this name."
  value       = local.create ? local.role_name : null
}

output "log_group_name" {
  description = "Name of the function's log group (`/aws/lambda/<function_name>` unless log_group_name is set), created or existing."
  value       = try(local.log_group.name, null)
}

output "log_group_arn" {
  description = "ARN of the function's log group, created or existing."
  value       = try(local.log_group.arn, null)
}

output "function_url" {
  description = "Function URL, or null without one."
  value       = try(aws_lambda_function_url.this[0].function_url, null)
}

output "execution_policy_json" {
  description = "JSON of the module-derived inline policy (logs, X-Ray, VPC, destinations, DLQ), or null when no role is created."
  value       = try(aws_iam_role_policy.execution[0].policy, null)
}

output "statements_policy_json" {
  description = "JSON of the caller-declared inline policy (policy_statements), or null when there is none."
  value       = try(aws_iam_role_policy.statements[0].policy, null)
}

output "package_s3_object" {
  description = "Bucket, key and SHA-256 checksum (base64, = source_code_hash) of the uploaded package, or null when the module uploaded none."
  value       = try({ bucket = aws_s3_object.package[0].bucket, key = aws_s3_object.package[0].key, checksum_sha256 = aws_s3_object.package[0].checksum_sha256 }, null)
}
