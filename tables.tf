# DynamoDB tables (docs/CONTRACTS.md "Data"). On-demand billing, encryption at rest, point-in-time recovery.
# Encryption at rest is always on; the key is var.kms_key_arn when set, else var.dynamodb_encryption
# picks the AWS managed key aws/dynamodb (enabled = true, no key ARN) or the AWS owned key (enabled = false).

locals {
  dynamodb_kms_encryption = var.kms_key_arn != null || var.dynamodb_encryption == "aws_managed"
}

resource "aws_dynamodb_table" "metadata" {
  #checkov:skip=CKV_AWS_119:Customer managed key through var.kms_key_arn; otherwise aws/dynamodb or the AWS owned key, per var.dynamodb_encryption.
  name                        = "${local.prefix}-image-metadata"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "imageId"
  deletion_protection_enabled = var.table_deletion_protection

  attribute {
    name = "imageId"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = local.dynamodb_kms_encryption
    kms_key_arn = var.kms_key_arn
  }
}

resource "aws_dynamodb_table" "orders" {
  #checkov:skip=CKV_AWS_119:Customer managed key through var.kms_key_arn; otherwise aws/dynamodb or the AWS owned key, per var.dynamodb_encryption.
  name                        = "${local.prefix}-orders"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "orderId"
  stream_enabled              = true
  stream_view_type            = "NEW_AND_OLD_IMAGES"
  deletion_protection_enabled = var.table_deletion_protection

  attribute {
    name = "orderId"
    type = "S"
  }

  attribute {
    name = "orderDate"
    type = "S"
  }

  attribute {
    name = "createdAt"
    type = "S"
  }

  global_secondary_index {
    name            = local.orders_date_index
    hash_key        = "orderDate"
    range_key       = "createdAt"
    projection_type = "ALL"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = local.dynamodb_kms_encryption
    kms_key_arn = var.kms_key_arn
  }
}

# Powertools idempotency store of POST /orders (hash key `id`, TTL attribute `expiration`).
resource "aws_dynamodb_table" "idempotency" {
  #checkov:skip=CKV_AWS_119:Customer managed key through var.kms_key_arn; otherwise aws/dynamodb or the AWS owned key, per var.dynamodb_encryption.
  name                        = "${local.prefix}-idempotency"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "id"
  deletion_protection_enabled = var.table_deletion_protection

  attribute {
    name = "id"
    type = "S"
  }

  ttl {
    attribute_name = "expiration"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = local.dynamodb_kms_encryption
    kms_key_arn = var.kms_key_arn
  }
}
