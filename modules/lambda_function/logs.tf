locals {
  log_group_name = coalesce(var.log_group_name, "/aws/lambda/${var.function_name}")

  # The group the function logs to: the one created here, or an existing one looked up by name.
  log_group = !local.create ? null : var.create_log_group ? {
    name = aws_cloudwatch_log_group.this[0].name
    arn  = aws_cloudwatch_log_group.this[0].arn
    } : {
    name = data.aws_cloudwatch_log_group.existing[0].name
    arn  = data.aws_cloudwatch_log_group.existing[0].arn
  }
}

# By default the module owns the function's log group, so retention and encryption are managed and
# the execution role needs no logs:CreateLogGroup.
resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is the caller's choice (log_retention_in_days, default 30 days to bound cost); 365+ is accepted.
  #checkov:skip=CKV_AWS_158:KMS encryption is opt-in through log_kms_key_arn (the key policy must trust CloudWatch Logs); default is service-side encryption.
  count = local.create && var.create_log_group ? 1 : 0

  name              = local.log_group_name
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn

  tags = merge(var.tags, var.log_group_tags)
}

# create_log_group = false: an existing group (e.g. one shared by several functions, managed
# elsewhere) is used by name. The lookup fails the plan clearly when it does not exist.
data "aws_cloudwatch_log_group" "existing" {
  count = local.create && !var.create_log_group ? 1 : 0

  name = local.log_group_name

  lifecycle {
    precondition {
      condition     = var.log_kms_key_arn == null
      error_message = "log_kms_key_arn encrypts a log group the module creates; with create_log_group = false, encrypt the existing group where it is managed."
    }
  }
}
