################################################################################
# Push-based sources: each creates the lambda permission it needs, scoped by source_arn.
################################################################################

locals {
  s3_notifications       = { for k, v in var.s3_notifications : k => merge(v, { bucket_arn = coalesce(v.bucket_arn, "arn:${local.partition}:s3:::${v.bucket_name}") }) if local.create }
  s3_queue_notifications = { for k, v in var.s3_queue_notifications : k => merge(v, { bucket_arn = coalesce(v.bucket_arn, "arn:${local.partition}:s3:::${v.bucket_name}") }) if local.create }

  # One notification configuration per bucket (S3 keeps exactly one per bucket).
  s3_buckets = toset(concat(
    [for v in values(local.s3_notifications) : v.bucket_name],
    [for v in values(local.s3_queue_notifications) : v.bucket_name],
  ))
  # One permission per bucket that invokes the function directly.
  s3_lambda_buckets = { for v in values(local.s3_notifications) : v.bucket_name => v.bucket_arn... }

  sns_subscriptions = { for k, v in var.sns_subscriptions : k => v if local.create }
  eventbridge_rules = { for k, v in var.eventbridge_rules : k => v if local.create }
  api_gateway       = { for k, v in var.api_gateway : k => v if local.create }
}

################################################################################
# S3
################################################################################

resource "aws_lambda_permission" "s3" {
  for_each = local.s3_lambda_buckets

  statement_id   = "AllowExecutionFromS3-${replace(each.key, ".", "_")}"
  action         = "lambda:InvokeFunction"
  function_name  = var.function_name
  qualifier      = var.qualifier
  principal      = "s3.amazonaws.com"
  source_arn     = each.value[0]
  source_account = local.account_id
}

resource "aws_s3_bucket_notification" "this" {
  for_each = local.s3_buckets

  bucket = each.key

  dynamic "lambda_function" {
    for_each = { for k, v in local.s3_notifications : k => v if v.bucket_name == each.key }
    content {
      id                  = lambda_function.key
      lambda_function_arn = local.target_arn
      events              = lambda_function.value.events
      filter_prefix       = lambda_function.value.filter_prefix
      filter_suffix       = lambda_function.value.filter_suffix
    }
  }

  dynamic "queue" {
    for_each = { for k, v in local.s3_queue_notifications : k => v if v.bucket_name == each.key }
    content {
      id            = queue.key
      queue_arn     = queue.value.queue_arn
      events        = queue.value.events
      filter_prefix = queue.value.filter_prefix
      filter_suffix = queue.value.filter_suffix
    }
  }

  # S3 test-invokes/validates every destination when the configuration is written.
  depends_on = [aws_lambda_permission.s3, var.s3_notification_depends_on]
}

################################################################################
# SNS
################################################################################

resource "aws_lambda_permission" "sns" {
  for_each = local.sns_subscriptions

  statement_id  = "AllowExecutionFromSNS-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  qualifier     = var.qualifier
  principal     = "sns.amazonaws.com"
  source_arn    = each.value.topic_arn
}

resource "aws_sns_topic_subscription" "this" {
  for_each = local.sns_subscriptions

  topic_arn           = each.value.topic_arn
  protocol            = "lambda"
  endpoint            = local.target_arn
  filter_policy       = each.value.filter_policy
  filter_policy_scope = each.value.filter_policy == null ? null : each.value.filter_policy_scope
  redrive_policy      = each.value.dead_letter_queue_arn == null ? null : jsonencode({ deadLetterTargetArn = each.value.dead_letter_queue_arn })

  depends_on = [aws_lambda_permission.sns]
}

################################################################################
# EventBridge
################################################################################

resource "aws_cloudwatch_event_rule" "this" {
  for_each = local.eventbridge_rules

  name                = coalesce(each.value.name, substr("${var.function_name}-${each.key}", 0, 64))
  description         = coalesce(each.value.description, "Invokes ${var.function_name} (${each.key})")
  event_bus_name      = each.value.event_bus_name
  schedule_expression = each.value.schedule_expression
  event_pattern       = each.value.event_pattern
  state               = each.value.state

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = local.eventbridge_rules

  rule           = aws_cloudwatch_event_rule.this[each.key].name
  event_bus_name = each.value.event_bus_name
  target_id      = substr("lambda-${each.key}", 0, 64)
  arn            = local.target_arn
  input          = each.value.input

  dynamic "input_transformer" {
    for_each = each.value.input_transformer == null ? [] : [each.value.input_transformer]
    content {
      input_paths    = input_transformer.value.input_paths
      input_template = input_transformer.value.input_template
    }
  }

  retry_policy {
    maximum_retry_attempts       = each.value.retry_policy.maximum_retry_attempts
    maximum_event_age_in_seconds = each.value.retry_policy.maximum_event_age_in_seconds
  }

  dynamic "dead_letter_config" {
    for_each = each.value.dead_letter_arn == null ? [] : [each.value.dead_letter_arn]
    content {
      arn = dead_letter_config.value
    }
  }

  depends_on = [aws_lambda_permission.eventbridge]
}

resource "aws_lambda_permission" "eventbridge" {
  for_each = local.eventbridge_rules

  statement_id  = "AllowExecutionFromEventBridge-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  qualifier     = var.qualifier
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this[each.key].arn
}

################################################################################
# API Gateway
################################################################################

resource "aws_lambda_permission" "api_gateway" {
  for_each = local.api_gateway

  statement_id  = "AllowExecutionFromAPIGateway-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  qualifier     = var.qualifier
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${each.value.rest_api_execution_arn}/${each.value.path}"
}

################################################################################
# Statements the owners of destination queues must add to their queue policies
# (aws_sqs_queue_policy is exclusive, so this module never writes one).
################################################################################

locals {
  s3_queue_pairs = distinct([for v in values(local.s3_queue_notifications) : { queue_arn = v.queue_arn, bucket_arn = v.bucket_arn, bucket_name = v.bucket_name }])

  queue_policy_statement_list = concat(
    [for p in local.s3_queue_pairs : {
      queue_arn = p.queue_arn
      statement = {
        Sid       = "AllowS3Notifications${replace(title(replace(p.bucket_name, "/[.-]/", " ")), " ", "")}"
        Effect    = "Allow"
        Principal = { Service = "s3.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = p.queue_arn
        Condition = {
          ArnLike      = { "aws:SourceArn" = p.bucket_arn }
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      }
    }],
    [for k, v in local.eventbridge_rules : {
      queue_arn = v.dead_letter_arn
      statement = {
        Sid       = "AllowEventBridgeDlq${replace(title(replace(k, "/[_-]/", " ")), " ", "")}"
        Effect    = "Allow"
        Principal = { Service = "events.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = v.dead_letter_arn
        Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.this[k].arn } }
      }
    } if v.dead_letter_arn != null],
    [for k, v in local.sns_subscriptions : {
      queue_arn = v.dead_letter_queue_arn
      statement = {
        Sid       = "AllowSnsDlq${replace(title(replace(k, "/[_-]/", " ")), " ", "")}"
        Effect    = "Allow"
        Principal = { Service = "sns.amazonaws.com" }
        Action    = "sqs:SendMessage"
        Resource  = v.dead_letter_queue_arn
        Condition = { ArnEquals = { "aws:SourceArn" = v.topic_arn } }
      }
    } if v.dead_letter_queue_arn != null],
  )

  queue_policy_statements = { for s in local.queue_policy_statement_list : s.queue_arn => s.statement... }
}
