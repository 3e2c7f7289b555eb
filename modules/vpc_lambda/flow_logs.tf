locals {
  create_flow_logs = local.create_vpc && var.flow_logs.enabled

  # arn:<partition>:logs:<region>:<account>:log-group:<name>
  flow_log_arn_parts = local.create_flow_logs ? split(":", aws_cloudwatch_log_group.flow_logs[0].arn) : []
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  #checkov:skip=CKV_AWS_338:Retention is the caller's choice (flow_logs.retention_in_days, default 30 days to bound cost).
  #checkov:skip=CKV_AWS_158:KMS encryption is opt-in through flow_logs.kms_key_arn; default is service-side encryption.
  count = local.create_flow_logs ? 1 : 0

  name              = "/aws/vpc-flow-logs/${local.name}"
  retention_in_days = var.flow_logs.retention_in_days
  kms_key_id        = var.flow_logs.kms_key_arn

  tags = var.tags
}

resource "aws_iam_role" "flow_logs" {
  count = local.create_flow_logs ? 1 : 0

  name_prefix = substr("${local.name}-flow-logs-", 0, 38)
  description = "Delivers VPC flow logs of ${local.name} to CloudWatch Logs"

  # Confused-deputy guard: only flow logs of this account may assume the role.
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "FlowLogsAssume"
        Effect    = "Allow"
        Principal = { Service = "vpc-flow-logs.amazonaws.com" }
        Action    = "sts:AssumeRole"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.flow_log_arn_parts[4] }
          ArnLike      = { "aws:SourceArn" = "arn:${local.flow_log_arn_parts[1]}:ec2:${local.flow_log_arn_parts[3]}:${local.flow_log_arn_parts[4]}:vpc-flow-log/*" }
        }
      },
    ]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "flow_logs" {
  count = local.create_flow_logs ? 1 : 0

  name = "flow-logs-delivery"
  role = aws_iam_role.flow_logs[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "WriteFlowLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
        Resource = ["${aws_cloudwatch_log_group.flow_logs[0].arn}:*"]
      },
      {
        Sid      = "DescribeLogGroups"
        Effect   = "Allow"
        Action   = ["logs:DescribeLogGroups"]
        Resource = ["${join(":", slice(local.flow_log_arn_parts, 0, 5))}:log-group:*"]
      },
    ]
  })
}

resource "aws_flow_log" "this" {
  count = local.create_flow_logs ? 1 : 0

  vpc_id               = aws_vpc.this[0].id
  traffic_type         = var.flow_logs.traffic_type
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow_logs[0].arn
  iam_role_arn         = aws_iam_role.flow_logs[0].arn

  tags = merge(var.tags, { Name = local.name })

  depends_on = [aws_iam_role_policy.flow_logs]
}
