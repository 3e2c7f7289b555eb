# A scheduled report function inside a new private VPC: two private subnets, no NAT, S3 and
# DynamoDB reached through gateway endpoints, an egress-only security group, VPC flow logs.

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "filename" {
  description = "Path to the function zip (build/functions/<name>.zip)."
  type        = string
  default     = "../../../../build/functions/daily_report.zip"
}

variable "source_code_hash" {
  description = "base64sha256 of the zip (build/manifest.json functions.<name>.base64sha256)."
  type        = string
  default     = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
}

variable "availability_zones" {
  description = "Two (or more) availability zones of the region for the private subnets."
  type        = list(string)
  default     = ["eu-west-1a", "eu-west-1b"]
}

module "report" {
  source = "../../"

  function_name      = "example-daily-report"
  filename           = var.filename
  source_code_hash   = var.source_code_hash
  timeout            = 60
  memory_size        = 256
  vpc_cidr           = "10.42.0.0/16"
  availability_zones = var.availability_zones

  environment_variables = {
    REPORTS_BUCKET = "example-reports"
  }

  policy_statements = {
    write_reports = {
      actions   = ["s3:PutObject"]
      resources = ["arn:aws:s3:::example-reports/reports/*"]
    }
  }

  reserved_concurrent_executions = 1
}

output "function_name" {
  description = "Name of the report function."
  value       = module.report.function_name
}

output "security_group_id" {
  description = "Egress-only security group of the function."
  value       = module.report.security_group_id
}
