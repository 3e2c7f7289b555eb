variable "create" {
  description = "Whether to create any resource at all. With false the module plans nothing and every output is null."
  type        = bool
  default     = true
}

variable "layer_name" {
  description = "Name of the layer (1-140 characters: letters, digits, hyphens, underscores)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,140}$", var.layer_name))
    error_message = "layer_name must be 1-140 characters of letters, digits, hyphens and underscores."
  }
}

variable "description" {
  description = "Description of the layer version (at most 256 characters)."
  type        = string
  default     = null

  validation {
    condition     = var.description == null ? true : length(var.description) <= 256
    error_message = "description must be at most 256 characters."
  }
}

variable "license_info" {
  description = "License of the layer's contents: an SPDX identifier (e.g. `MIT`), a URL, or the full text (at most 512 characters)."
  type        = string
  default     = null

  validation {
    condition     = var.license_info == null ? true : length(var.license_info) <= 512
    error_message = "license_info must be at most 512 characters."
  }
}

variable "filename" {
  description = "Path to the layer zip (its root holds `python/` for Python layers). With scripts/build.py: `<manifest dir>/<manifest.layers[name].path>`. Uploaded directly (at most 50 MB zipped) or to S3 with s3_package; may be null only with s3_package.upload = false."
  type        = string
  default     = null

  validation {
    condition     = var.filename == null ? true : endswith(lower(var.filename), ".zip")
    error_message = "filename must point at a .zip file."
  }
}

variable "s3_package" {
  description = "Publish the layer from S3 instead of a direct upload (needed above 50 MB zipped). `upload = true` (default) uploads `filename` to `<key_prefix><layer_name>/<source_code_hash as base64url>.zip` (a changed zip is a new object; SSE-KMS with `kms_key_arn`, else the bucket default); `upload = false` uses the existing object at `key` (optionally `object_version`)."
  type = object({
    bucket         = string
    key            = optional(string)
    key_prefix     = optional(string, "lambda-layers/")
    upload         = optional(bool, true)
    object_version = optional(string)
    kms_key_arn    = optional(string)
  })
  default = null

  validation {
    condition     = var.s3_package == null ? true : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.s3_package.bucket))
    error_message = "s3_package.bucket must be an S3 bucket name."
  }
  validation {
    condition     = var.s3_package == null ? true : (var.s3_package.upload ? var.s3_package.object_version == null : var.s3_package.key != null)
    error_message = "s3_package: with upload = false give the existing object's key; object_version applies only to an existing object (upload = false)."
  }
}

variable "source_code_hash" {
  description = "Base64-encoded SHA-256 of the zip (`manifest.layers[name].base64sha256`). A new layer version is published only when it changes."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+/]{43}=$", var.source_code_hash))
    error_message = "source_code_hash must be a base64-encoded SHA-256 (44 characters ending in '=')."
  }
}

variable "compatible_runtimes" {
  description = "Runtimes the layer works with (at most 15)."
  type        = list(string)
  default     = ["python3.12"]

  validation {
    condition = length(var.compatible_runtimes) <= 15 && alltrue([
      for r in var.compatible_runtimes : contains([
        "python3.10", "python3.11", "python3.12", "python3.13",
        "nodejs20.x", "nodejs22.x",
        "java17", "java21",
        "dotnet8",
        "ruby3.3",
        "provided.al2023", "provided.al2",
      ], r)
    ])
    error_message = "compatible_runtimes must hold at most 15 supported runtimes: python3.10-3.13, nodejs20.x, nodejs22.x, java17, java21, dotnet8, ruby3.3, provided.al2023, provided.al2."
  }
}

variable "compatible_architectures" {
  description = "Architectures the layer works with: `x86_64`, `arm64` or both. A layer with compiled wheels (e.g. Pillow) matches the architecture it was built for."
  type        = list(string)
  default     = ["x86_64"]

  validation {
    condition     = length(var.compatible_architectures) >= 1 && length(var.compatible_architectures) <= 2 && length(distinct(var.compatible_architectures)) == length(var.compatible_architectures) && alltrue([for a in var.compatible_architectures : contains(["x86_64", "arm64"], a)])
    error_message = "compatible_architectures must be one or both of x86_64 and arm64, without repeats."
  }
}

variable "skip_destroy" {
  description = "Keep old layer versions (and their permissions) in AWS when Terraform replaces or destroys them, so functions still pinned to them keep working."
  type        = bool
  default     = false
}

variable "principals" {
  description = "AWS account ids (12 digits) allowed to use this layer version (lambda:GetLayerVersion), one permission statement each."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.principals : can(regex("^[0-9]{12}$", p))])
    error_message = "principals must be 12-digit AWS account ids."
  }
}

variable "organization_id" {
  description = "AWS Organizations id (o-...) whose accounts may use this layer version. null = none."
  type        = string
  default     = null

  validation {
    condition     = var.organization_id == null ? true : can(regex("^o-[a-z0-9]{10,32}$", var.organization_id))
    error_message = "organization_id must look like o-xxxxxxxxxx."
  }
}
