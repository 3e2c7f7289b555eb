resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:Retention is the caller's choice (log_retention_in_days, default 30 days to bound cost); 365+ is accepted.
  count = local.create && local.logging_enabled ? 1 : 0

  # The /aws/vendedlogs/ prefix keeps the CloudWatch Logs resource policy small
  # (Step Functions log delivery is a vended log source).
  name              = "/aws/vendedlogs/states/${var.name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.log_kms_key_arn

  tags = merge(var.tags, var.log_group_tags)
}
