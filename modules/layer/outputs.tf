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

output "package_s3_object" {
  description = "Bucket, key and SHA-256 checksum (base64, = source_code_hash) of the uploaded layer zip, or null when not uploaded by the module."
  value       = try({ bucket = aws_s3_object.package[0].bucket, key = aws_s3_object.package[0].key, checksum_sha256 = aws_s3_object.package[0].checksum_sha256 }, null)
}
