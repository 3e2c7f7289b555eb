variable "region" {
  description = "AWS region to deploy the example into."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Prefix for every resource name."
  type        = string
  default     = "scheduler-example"
}

variable "filename" {
  description = "Path to the function zip (e.g. build/functions/<name>.zip from scripts/build.py)."
  type        = string
}

variable "source_code_hash" {
  description = "base64sha256 of the zip (manifest.json `base64sha256`)."
  type        = string
}

variable "timezone" {
  description = "IANA time zone of the schedule."
  type        = string
  default     = "Europe/Berlin"
}
