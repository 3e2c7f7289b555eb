variable "region" {
  description = "AWS region to deploy the example into."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Prefix for every resource name."
  type        = string
  default     = "sfn-example"
}

variable "filename" {
  description = "Path to the worker function zip (e.g. build/functions/<name>.zip from scripts/build.py). The handler may raise TransientError (retried) or any other error (caught)."
  type        = string
}

variable "source_code_hash" {
  description = "base64sha256 of the zip (manifest.json `base64sha256`)."
  type        = string
}
