# The module owns the function's log group, so retention and encryption are managed and the
# execution role needs no logs:CreateLogGroup.
resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is the caller's choice (log_retention_in_days, default 30 days to bound cost); 365+ is accepted.
  #checkov:skip=CKV_AWS_158:KMS encryption is opt-in through log_kms_key_arn (the key policy must trust CloudWatch Logs); default is service-side encryption.
  count = local.create ? 1 : 0

  name              = "/aws/lambda/${var.function_name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn

  tags = merge(var.tags, var.log_group_tags)
}
