# Publishes the Pillow layer built by scripts/build.py and shares it with one other account.

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "filename" {
  description = "Path to the layer zip (build/layers/<name>.zip)."
  type        = string
  default     = "../../../../build/layers/pillow.zip"
}

variable "source_code_hash" {
  description = "base64sha256 of the zip (build/manifest.json layers.<name>.base64sha256)."
  type        = string
  default     = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
}

module "pillow" {
  source = "../../"

  layer_name               = "example-pillow"
  description              = "Pillow for python3.12 on x86_64"
  license_info             = "MIT-CMU"
  filename                 = var.filename
  source_code_hash         = var.source_code_hash
  compatible_runtimes      = ["python3.12"]
  compatible_architectures = ["x86_64"]
  skip_destroy             = true
  principals               = ["111111111111"]
}

output "layer_version_arn" {
  description = "Pass this in a function's layers."
  value       = module.pillow.layer_version_arn
}
