output "layer_arn" {
  description = "ARN of the layer, without version."
  value       = try(aws_lambda_layer_version.this[0].layer_arn, null)
}

output "layer_version_arn" {
  description = "ARN of this layer version: pass it in a function's `layers`."
  value       = try(aws_lambda_layer_version.this[0].arn, null)
}

output "version" {
  description = "Version number of this layer version."
  value       = try(aws_lambda_layer_version.this[0].version, null)
}

output "layer_name" {
  description = "Name of the layer."
  value       = try(aws_lambda_layer_version.this[0].layer_name, null)
}
