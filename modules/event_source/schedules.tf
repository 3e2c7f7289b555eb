################################################################################
# EventBridge Scheduler: schedules in a time zone, with a flexible window, retries, a DLQ and a key.
# Scheduler calls the target with its execution role (no lambda permission): the role below allows
# exactly the target, the DLQs and the keys.
################################################################################

locals {
  schedules = { for k, v in var.schedules : k => v if local.create }

  scheduler_dlq_arns = distinct(compact([for v in values(local.schedules) : v.dead_letter_arn]))
  scheduler_kms_arns = distinct(compact([for v in values(local.schedules) : v.kms_key_arn]))

  scheduler_statements = concat(
    [{
      Sid      = "InvokeTarget"
      Effect   = "Allow"
      Action   = ["lambda:InvokeFunction"]
      Resource = [local.target_arn]
    }],
    length(local.scheduler_dlq_arns) > 0 ? [{
      Sid      = "SendToDeadLetterQueues"
      Effect   = "Allow"
      Action   = ["sqs:SendMessage"]
      Resource = local.scheduler_dlq_arns
    }] : [],
    length(local.scheduler_kms_arns) > 0 ? [{
      Sid      = "DecryptSchedules"
      Effect   = "Allow"
      Action   = ["kms:Decrypt"]
      Resource = local.scheduler_kms_arns
    }] : [],
  )
}

resource "aws_iam_role" "scheduler" {
  count = length(local.schedules) > 0 ? 1 : 0

  name        = coalesce(var.scheduler_role_name, substr("${var.function_name}-scheduler", 0, 64))
  description = "EventBridge Scheduler execution role of ${var.function_name}'s schedules"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "SchedulerAssume"
      Effect    = "Allow"
      Principal = { Service = "scheduler.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })

  tags = var.tags
}

resource "aws_iam_role_policy" "scheduler" {
  count = length(local.schedules) > 0 ? 1 : 0

  name = "invoke-target"
  role = aws_iam_role.scheduler[0].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.scheduler_statements
  })
}

resource "aws_scheduler_schedule" "this" {
  for_each = local.schedules

  name                         = coalesce(each.value.name, substr("${var.function_name}-${each.key}", 0, 64))
  description                  = each.value.description
  group_name                   = each.value.group_name
  schedule_expression          = each.value.schedule_expression
  schedule_expression_timezone = each.value.timezone
  start_date                   = each.value.start_date
  end_date                     = each.value.end_date
  kms_key_arn                  = each.value.kms_key_arn
  state                        = each.value.state

  flexible_time_window {
    mode                      = each.value.flexible_time_window_minutes == null ? "OFF" : "FLEXIBLE"
    maximum_window_in_minutes = each.value.flexible_time_window_minutes
  }

  target {
    arn      = local.target_arn
    role_arn = aws_iam_role.scheduler[0].arn
    # A literal string, not jsonencode(): jsonencode escapes < and > (\u003c), and Scheduler substitutes
    # the context attribute only where it appears verbatim.
    input = coalesce(each.value.input, "{\"source\":\"aws.scheduler\",\"time\":\"<aws.scheduler.scheduled-time>\"}")

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
  }

  # Scheduler checks the role when the schedule is created.
  depends_on = [aws_iam_role_policy.scheduler]
}
