variable "region" {
  description = "AWS region to deploy the example into."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Prefix for every resource name."
  type        = string
  default     = "sfn-dmap-example"
}

variable "kms_key_arn" {
  description = "Customer managed key for the state machine's data (its policy must allow the execution role)."
  type        = string
}

variable "manifest_bucket_arn" {
  description = "Bucket whose objects under a prefix the Distributed Map iterates over (read + list)."
  type        = string
}

variable "results_bucket_arn" {
  description = "Bucket the Distributed Map writes its results to (write)."
  type        = string
}
