# A function and its layer shipped through S3 instead of a direct upload (needed above 50 MB zipped):
# the zips go to an existing artifacts bucket at content-addressed keys and are deployed from there.
# `python scripts/build.py --package-store s3` first; then
# `terraform init && terraform plan -var artifacts_bucket=<bucket>` here.

variable "region" {
  description = "AWS region to deploy to (the bucket must be in it)."
  type        = string
  default     = "eu-west-1"
}

variable "artifacts_bucket" {
  description = "Existing S3 bucket the zips are uploaded to."
  type        = string
  default     = "example-lambda-artifacts"
}

variable "manifest_path" {
  description = "Path to build/manifest.json written by scripts/build.py."
  type        = string
  default     = "../../../../build/manifest.json"
}

locals {
  build_dir = dirname(var.manifest_path)
  manifest  = jsondecode(file(var.manifest_path))
  function  = local.manifest.functions["thumbnail"]
  layer     = local.manifest.layers["pillow"]
}

module "pillow_layer" {
  source = "../../../layer"

  layer_name          = "example-pillow"
  filename            = "${local.build_dir}/${local.layer.path}"
  source_code_hash    = local.layer.base64sha256
  compatible_runtimes = ["python${local.manifest.python}"]
  s3_package          = { bucket = var.artifacts_bucket }
}

module "thumbnail" {
  source = "../../"

  function_name    = "example-s3-thumbnail"
  filename         = "${local.build_dir}/${local.function.path}"
  source_code_hash = local.function.base64sha256
  runtime          = "python${local.manifest.python}"
  layers           = [module.pillow_layer.layer_version_arn]
  memory_size      = 1024
  s3_package       = { bucket = var.artifacts_bucket }
}

output "packages" {
  description = "Where each zip was uploaded (bucket, content-addressed key, SHA-256 checked by S3)."
  value       = { function = module.thumbnail.package_s3_object, layer = module.pillow_layer.package_s3_object }
}
