# Deploys one function and its layer straight from scripts/build.py's output.
# `make build` first; then `terraform init && terraform plan` here.

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "manifest_path" {
  description = "Path to build/manifest.json written by scripts/build.py."
  type        = string
  default     = "../../../../build/manifest.json"
}

locals {
  # manifest paths are relative to the directory holding manifest.json (docs/CONTRACTS.md).
  build_dir = dirname(var.manifest_path)
  manifest  = jsondecode(file(var.manifest_path))
  function  = local.manifest.functions["orders_api"]
  layer     = local.manifest.layers["powertools"]
}

module "powertools_layer" {
  source = "../../../layer"

  layer_name               = "example-powertools"
  filename                 = "${local.build_dir}/${local.layer.path}"
  source_code_hash         = local.layer.base64sha256
  compatible_runtimes      = ["python${local.manifest.python}"]
  compatible_architectures = [local.manifest.arch]
}

module "orders_api" {
  source = "../../"

  function_name    = "example-orders-api"
  filename         = "${local.build_dir}/${local.function.path}"
  source_code_hash = local.function.base64sha256
  handler          = "handler.lambda_handler"
  runtime          = "python${local.manifest.python}"
  architectures    = [local.manifest.arch]
  layers           = [module.powertools_layer.layer_version_arn]

  environment_variables = {
    POWERTOOLS_SERVICE_NAME = "orders_api"
  }
}

output "function_arn" {
  description = "ARN of the function."
  value       = module.orders_api.function_arn
}
