# Two functions, two log group choices: one creates a custom-named group, the other logs to a group
# that already exists (managed elsewhere, e.g. by a platform team) and creates none. Both get larger /tmp.
# `make build` first; then `terraform init && terraform plan -var existing_log_group_name=<group>` here.

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "existing_log_group_name" {
  description = "An existing CloudWatch log group the second function writes to (looked up at plan time)."
  type        = string
  default     = "/platform/shared-functions"
}

# A variable, not a literal path: `terraform validate` (make lint) then runs before `make build` too.
variable "manifest_path" {
  description = "Path to build/manifest.json written by scripts/build.py."
  type        = string
  default     = "../../../../build/manifest.json"
}

locals {
  manifest  = jsondecode(file(var.manifest_path))
  build_dir = dirname(var.manifest_path)
  function  = local.manifest.functions["thumbnail"]
}

module "custom_group" {
  source = "../../"

  function_name          = "example-custom-log-group"
  filename               = "${local.build_dir}/${local.function.path}"
  source_code_hash       = local.function.base64sha256
  ephemeral_storage_size = 2048

  log_group_name        = "/example/functions/custom-log-group"
  log_retention_in_days = 14
  application_log_level = "INFO"
  system_log_level      = "WARN"
}

module "existing_group" {
  source = "../../"

  function_name          = "example-existing-log-group"
  filename               = "${local.build_dir}/${local.function.path}"
  source_code_hash       = local.function.base64sha256
  ephemeral_storage_size = 1024

  create_log_group = false
  log_group_name   = var.existing_log_group_name
}

output "log_groups" {
  description = "The group each function writes to."
  value       = { custom = module.custom_group.log_group_arn, existing = module.existing_group.log_group_arn }
}
