# CloudWatch alarms cannot publish to an SNS topic encrypted with the AWS managed aws/sns key (its key
# policy cannot grant the cloudwatch service principal). Without var.kms_key_arn the alarms topic gets
# this dedicated customer managed key; everything else stays on AWS managed encryption.

resource "aws_kms_key" "alarms" {
  count = var.kms_key_arn == null ? 1 : 0

  description             = "${local.prefix} alarms topic"
  enable_key_rotation     = true
  deletion_window_in_days = 7

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "AllowCloudWatchAlarms"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
      {
        Sid       = "AllowSnsForSubscriptions"
        Effect    = "Allow"
        Principal = { Service = "sns.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  })
}

resource "aws_kms_alias" "alarms" {
  count = var.kms_key_arn == null ? 1 : 0

  name          = "alias/${local.prefix}-alarms"
  target_key_id = aws_kms_key.alarms[0].key_id
}

# The key policy a key passed as var.kms_key_arn needs, complete for everything this stack encrypts with
# it (output kms_key_policy_json). IAM principals of the account are authorised by their IAM policies
# through the account statement: function and state machine roles, and the deploying principal, through
# which Lambda (environment variables) and DynamoDB (tables, streams) use the key. The services below
# act as their own principals.
locals {
  kms_key_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        # Log groups: API access and execution logs, the functions' and the state machine's groups.
        Sid       = "CloudWatchLogs"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*" }
        }
      },
      {
        # s3 -> encrypted SQS notifications, sns -> encrypted SQS subscriptions, events -> encrypted
        # targets and DLQs, cloudwatch -> encrypted alarms topic.
        Sid    = "ServicesDeliveringToEncryptedQueuesAndTopics"
        Effect = "Allow"
        Principal = { Service = [
          "s3.amazonaws.com", "sns.amazonaws.com", "events.amazonaws.com", "cloudwatch.amazonaws.com",
        ] }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  }
}
