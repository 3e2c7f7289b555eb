# Buckets: uploads (pipeline input), thumbnails (output: a different bucket, so a write can never
# re-trigger the pipeline), reports (daily_report output). All private, encrypted, TLS-only.

locals {
  bucket_suffix = var.bucket_name_suffix != null ? var.bucket_name_suffix : local.account_id

  buckets = {
    uploads    = { purpose = "Image uploads: input of the image pipeline" }
    thumbnails = { purpose = "Thumbnails written by the image pipeline" }
    reports    = { purpose = "Daily order reports" }
  }
}

resource "aws_s3_bucket" "this" {
  for_each = local.buckets

  #checkov:skip=CKV2_AWS_6:Public access block: aws_s3_bucket_public_access_block.this (for_each, not matched by checkov).
  #checkov:skip=CKV2_AWS_61:Lifecycle: aws_s3_bucket_lifecycle_configuration.this (for_each, not matched by checkov).
  #checkov:skip=CKV_AWS_21:Versioning: aws_s3_bucket_versioning.this, toggled by var.enable_bucket_versioning.
  #checkov:skip=CKV2_AWS_62:Only uploads/ needs events (S3 -> SQS image-ingest); thumbnails/reports are outputs.
  #checkov:skip=CKV_AWS_18:Server access logs need a log bucket per account; CloudTrail data events are the account-level choice.
  #checkov:skip=CKV_AWS_144:Cross-region replication is a DR decision outside this stack.
  #checkov:skip=CKV_AWS_145:SSE-S3 by default; SSE-KMS with a customer key through var.kms_key_arn.

  bucket        = "${local.prefix}-${each.key}-${local.bucket_suffix}"
  force_destroy = var.force_destroy_buckets

  tags = { Purpose = each.value.purpose }
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = aws_s3_bucket.this

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.kms_key_arn != null ? "aws:kms" : "AES256"
      kms_master_key_id = var.kms_key_arn
    }
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = { for k, b in aws_s3_bucket.this : k => b if var.enable_bucket_versioning }

  bucket = each.value.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = aws_s3_bucket.this

  #checkov:skip=CKV_AWS_300:The first rule aborts incomplete multipart uploads after 7 days (checkov misreads the dynamic rules).

  bucket = each.value.id

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"

    filter {}

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  dynamic "rule" {
    for_each = var.enable_bucket_versioning ? [1] : []
    content {
      id     = "expire-noncurrent-versions"
      status = "Enabled"

      filter {}

      noncurrent_version_expiration {
        noncurrent_days = var.noncurrent_version_expiration_days
      }
    }
  }

  dynamic "rule" {
    for_each = each.key == "reports" && var.reports_expiration_days > 0 ? [1] : []
    content {
      id     = "expire-reports"
      status = "Enabled"

      filter {
        prefix = "reports/"
      }

      expiration {
        days = var.reports_expiration_days
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_policy" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [each.value.arn, "${each.value.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })

  # S3 rejects a policy while the public access block is being written.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

# Browsers upload straight to S3 with the presigned URL of POST /uploads.
resource "aws_s3_bucket_cors_configuration" "uploads" {
  count = length(var.upload_cors_allowed_origins) > 0 ? 1 : 0

  bucket = aws_s3_bucket.this["uploads"].id

  cors_rule {
    allowed_methods = ["PUT"]
    allowed_origins = var.upload_cors_allowed_origins
    allowed_headers = ["content-type"]
    max_age_seconds = 3000
  }
}
