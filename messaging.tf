# SQS queues and SNS topics. Every queue and topic is encrypted and refuses non-TLS requests;
# service principals that deliver into them are scoped with aws:SourceArn and aws:SourceAccount.

locals {
  # Queues other than image-ingest (which redrives into one of them, so it is a resource of its own).
  queues = {
    image-ingest-dlq = { retention = 1209600, purpose = "image-ingest messages that failed ${var.ingest_max_receive_count} receives" }
    audit            = { retention = 1209600, purpose = "Raw image-processed notifications (audit trail)" }
    notify-dlq       = { retention = 1209600, purpose = "notify async invocations that failed every attempt" }
    stream-dlq       = { retention = 1209600, purpose = "orders stream records order_stream could not process" }
    high-value-dlq   = { retention = 1209600, purpose = "high-value-orders events EventBridge could not deliver" }
    # Lambda-level on-failure destinations of the async invocations: EventBridge's retry policy and DLQ
    # only cover delivery; once Lambda accepted the event, a failing handler ends here.
    high-value-failed   = { retention = 1209600, purpose = "high_value_order async invocations that failed every attempt" }
    daily-report-failed = { retention = 1209600, purpose = "daily_report scheduled invocations that failed every attempt" }
  }

  all_queues = merge(aws_sqs_queue.this, { image-ingest = aws_sqs_queue.image_ingest })
  dlq_keys   = ["image-ingest-dlq", "notify-dlq", "stream-dlq", "high-value-dlq", "high-value-failed", "daily-report-failed"]

  # Service principals allowed to send into a queue, each scoped to one source ARN.
  queue_service_senders = {
    image-ingest   = { service = "s3.amazonaws.com", source_arn = aws_s3_bucket.this["uploads"].arn }
    audit          = { service = "sns.amazonaws.com", source_arn = aws_sns_topic.this["image-processed"].arn }
    high-value-dlq = { service = "events.amazonaws.com", source_arn = module.high_value_order_sources.eventbridge_rule_arns["high-value-orders"] }
  }

  topics = {
    image-processed   = "Image processed by the pipeline (fan-out to audit and notify)"
    processing-errors = "Image pipeline failures (HandleError)"
    alerts            = "High-value order alerts"
    alarms            = "CloudWatch alarms of the pipeline"
  }

  # CloudWatch alarms cannot use the AWS managed aws/sns key: the alarms topic gets a CMK (kms.tf).
  topic_kms_key = {
    for k in keys(local.topics) : k => (
      var.kms_key_arn != null ? var.kms_key_arn : (k == "alarms" ? aws_kms_key.alarms[0].arn : "alias/aws/sns")
    )
  }
}

resource "aws_sqs_queue" "this" {
  for_each = local.queues

  name                      = "${local.prefix}-${each.key}"
  message_retention_seconds = each.value.retention

  sqs_managed_sse_enabled           = var.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_key_arn != null ? 300 : null

  tags = { Purpose = each.value.purpose }
}

resource "aws_sqs_queue" "image_ingest" {
  name                      = "${local.prefix}-image-ingest"
  message_retention_seconds = 345600
  # Default: 6x the consumer's timeout (AWS guidance for Lambda event source mappings).
  visibility_timeout_seconds = coalesce(var.ingest_visibility_timeout_seconds, 6 * local.function_config.ingest.timeout)

  sqs_managed_sse_enabled           = var.kms_key_arn == null ? true : null
  kms_master_key_id                 = var.kms_key_arn
  kms_data_key_reuse_period_seconds = var.kms_key_arn != null ? 300 : null

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.this["image-ingest-dlq"].arn
    maxReceiveCount     = var.ingest_max_receive_count
  })

  tags = { Purpose = "S3 ObjectCreated events of uploads/ for ingest" }
}

resource "aws_sqs_queue_policy" "this" {
  for_each = local.all_queues

  queue_url = each.value.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [{
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "sqs:*"
        Resource  = each.value.arn
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      }],
      [for s in try([local.queue_service_senders[each.key]], []) : {
        Sid       = "AllowServiceSend"
        Effect    = "Allow"
        Principal = { Service = s.service }
        Action    = "sqs:SendMessage"
        Resource  = each.value.arn
        Condition = {
          ArnEquals    = { "aws:SourceArn" = s.source_arn }
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      }],
    )
  })
}

resource "aws_sns_topic" "this" {
  for_each = local.topics

  name              = "${local.prefix}-${each.key}"
  kms_master_key_id = local.topic_kms_key[each.key]

  tags = { Purpose = each.value }
}

resource "aws_sns_topic_policy" "this" {
  for_each = aws_sns_topic.this

  arn = each.value.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid       = "AllowOwnerAccount"
          Effect    = "Allow"
          Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
          Action    = ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes", "sns:ListSubscriptionsByTopic"]
          Resource  = each.value.arn
        },
        {
          Sid       = "DenyInsecureTransport"
          Effect    = "Deny"
          Principal = "*"
          Action    = "sns:Publish"
          Resource  = each.value.arn
          Condition = { Bool = { "aws:SecureTransport" = "false" } }
        },
      ],
      each.key == "alarms" ? [{
        Sid       = "AllowCloudWatchAlarms"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = each.value.arn
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      }] : [],
    )
  })
}

# image-processed fan-out, branch 1: raw notifications into the audit queue.
resource "aws_sns_topic_subscription" "audit" {
  topic_arn            = aws_sns_topic.this["image-processed"].arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.this["audit"].arn
  raw_message_delivery = true

  depends_on = [aws_sqs_queue_policy.this]
}

resource "aws_sns_topic_subscription" "alarm_email" {
  for_each = toset(var.alarm_email_endpoints)

  topic_arn = aws_sns_topic.this["alarms"].arn
  protocol  = "email"
  endpoint  = each.value
}
