locals {
  create = var.create
}

resource "aws_lambda_layer_version" "this" {
  count = local.create ? 1 : 0

  layer_name               = var.layer_name
  description              = var.description
  license_info             = var.license_info
  filename                 = local.package.filename
  s3_bucket                = local.package.s3_bucket
  s3_key                   = local.package.s3_key
  s3_object_version        = local.package.s3_object_version
  source_code_hash         = var.source_code_hash
  compatible_runtimes      = var.compatible_runtimes
  compatible_architectures = var.compatible_architectures
  skip_destroy             = var.skip_destroy

  lifecycle {
    precondition {
      condition     = var.s3_package != null || var.filename != null
      error_message = "Set filename (direct upload, or uploaded to S3 with s3_package) or s3_package with upload = false and the object's key."
    }
  }
}

# Cross-account use: one statement per account id, keyed by the id so adding one never
# replaces another.
resource "aws_lambda_layer_version_permission" "account" {
  for_each = { for p in var.principals : p => p if local.create }

  layer_name     = aws_lambda_layer_version.this[0].layer_arn
  version_number = aws_lambda_layer_version.this[0].version
  statement_id   = "account-${each.value}"
  action         = "lambda:GetLayerVersion"
  principal      = each.value
  skip_destroy   = var.skip_destroy
}

resource "aws_lambda_layer_version_permission" "organization" {
  count = local.create && var.organization_id != null ? 1 : 0

  layer_name      = aws_lambda_layer_version.this[0].layer_arn
  version_number  = aws_lambda_layer_version.this[0].version
  statement_id    = "organization"
  action          = "lambda:GetLayerVersion"
  principal       = "*"
  organization_id = var.organization_id
  skip_destroy    = var.skip_destroy
}
