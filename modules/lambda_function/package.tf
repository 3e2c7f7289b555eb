# Where Lambda takes the code from: the zip uploaded directly (default), or an S3 object, either
# uploaded here (content-addressed key) or existing (s3_package.upload = false).
locals {
  upload_package = local.create && var.s3_package != null ? var.s3_package.upload : false

  # base64url of the zip's SHA-256: a valid key segment that changes exactly when the code does.
  package_key = var.s3_package == null ? null : coalesce(
    var.s3_package.key,
    "${var.s3_package.key_prefix}${var.function_name}/${replace(replace(trimsuffix(var.source_code_hash, "="), "+", "-"), "/", "_")}.zip",
  )

  package = var.s3_package == null ? {
    filename          = var.filename
    s3_bucket         = null
    s3_key            = null
    s3_object_version = null
    } : {
    filename          = null
    s3_bucket         = local.upload_package ? aws_s3_object.package[0].bucket : var.s3_package.bucket
    s3_key            = local.upload_package ? aws_s3_object.package[0].key : local.package_key
    s3_object_version = var.s3_package.object_version
  }
}

resource "aws_s3_object" "package" {
  #checkov:skip=CKV_AWS_186:SSE-KMS with a customer key is opt-in (s3_package.kms_key_arn); otherwise the bucket's default encryption applies.
  count = local.upload_package ? 1 : 0

  bucket                 = var.s3_package.bucket
  key                    = local.package_key
  source                 = var.filename
  source_hash            = var.source_code_hash
  checksum_algorithm     = "SHA256" # S3 verifies the upload; checksum_sha256 then equals source_code_hash
  kms_key_id             = var.s3_package.kms_key_arn
  server_side_encryption = var.s3_package.kms_key_arn != null ? "aws:kms" : null
  content_type           = "application/zip"

  tags = var.tags

  lifecycle {
    # The function moves to the new object before the old one is deleted.
    create_before_destroy = true

    precondition {
      condition     = var.filename != null
      error_message = "s3_package.upload = true uploads filename: set filename to the zip."
    }
  }
}
