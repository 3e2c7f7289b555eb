output "event_source_mapping_uuids" {
  description = "UUIDs of the event source mappings, by kind (sqs, dynamodb_streams, kinesis) and caller key."
  value = {
    sqs              = { for k, v in aws_lambda_event_source_mapping.sqs : k => v.uuid }
    dynamodb_streams = { for k in keys(local.dynamodb_streams) : k => aws_lambda_event_source_mapping.stream["dynamodb_streams/${k}"].uuid }
    kinesis          = { for k in keys(local.kinesis) : k => aws_lambda_event_source_mapping.stream["kinesis/${k}"].uuid }
  }
}

output "event_source_mapping_arns" {
  description = "ARNs of the event source mappings, by kind (sqs, dynamodb_streams, kinesis) and caller key."
  value = {
    sqs              = { for k, v in aws_lambda_event_source_mapping.sqs : k => v.arn }
    dynamodb_streams = { for k in keys(local.dynamodb_streams) : k => aws_lambda_event_source_mapping.stream["dynamodb_streams/${k}"].arn }
    kinesis          = { for k in keys(local.kinesis) : k => aws_lambda_event_source_mapping.stream["kinesis/${k}"].arn }
  }
}

output "eventbridge_rule_arns" {
  description = "ARNs of the EventBridge rules, by caller key (use them in DLQ queue policies: aws:SourceArn)."
  value       = { for k, v in aws_cloudwatch_event_rule.this : k => v.arn }
}

output "eventbridge_rule_names" {
  description = "Names of the EventBridge rules, by caller key."
  value       = { for k, v in aws_cloudwatch_event_rule.this : k => v.name }
}

output "sns_subscription_arns" {
  description = "ARNs of the SNS subscriptions, by caller key."
  value       = { for k, v in aws_sns_topic_subscription.this : k => v.arn }
}

output "s3_bucket_notification_ids" {
  description = "IDs of the bucket notification configurations, by bucket name (one per bucket)."
  value       = { for k, v in aws_s3_bucket_notification.this : k => v.id }
}

output "lambda_permission_statement_ids" {
  description = "Statement IDs of the lambda permissions the module added, by source kind and key (s3 keyed by bucket name)."
  value = {
    s3          = { for k, v in aws_lambda_permission.s3 : k => v.statement_id }
    sns         = { for k, v in aws_lambda_permission.sns : k => v.statement_id }
    eventbridge = { for k, v in aws_lambda_permission.eventbridge : k => v.statement_id }
    api_gateway = { for k, v in aws_lambda_permission.api_gateway : k => v.statement_id }
  }
}

output "role_policy_name" {
  description = "Name of the inline policy attached to the function role (null when none was needed)."
  value       = try(aws_iam_role_policy.this[0].name, null)
}

output "role_policy_json" {
  description = "The inline policy document the module attaches (or would attach) to the function role for the event source mappings."
  value       = local.create && local.has_mappings ? local.policy_json : null
}

output "queue_policy_statements" {
  description = "IAM statements, grouped by SQS queue ARN, that queue owners must add to their queue policy: S3 -> SQS notifications (s3.amazonaws.com), EventBridge target DLQs (events.amazonaws.com, aws:SourceArn = rule ARN) and SNS subscription DLQs (sns.amazonaws.com). Look up with lookup(output, queue_arn, [])."
  value       = local.queue_policy_statements
}

output "mapping_settings" {
  description = "Settings of every event source mapping as created, keyed `sqs/<key>` or `<kind>/<key>` (kind = dynamodb_streams | kinesis): target, source, batching, partial-batch response, retries, on-failure destination, concurrency, filters."
  value = merge(
    { for k, m in aws_lambda_event_source_mapping.sqs : "sqs/${k}" => {
      function_name                      = m.function_name
      event_source_arn                   = m.event_source_arn
      batch_size                         = m.batch_size
      maximum_batching_window_in_seconds = m.maximum_batching_window_in_seconds
      function_response_types            = tolist(m.function_response_types)
      bisect_batch_on_function_error     = null
      maximum_retry_attempts             = null
      maximum_record_age_in_seconds      = null
      starting_position                  = null
      on_failure_destination_arn         = null
      maximum_concurrency                = try(m.scaling_config[0].maximum_concurrency, null)
      filter_patterns                    = [for f in try(m.filter_criteria[0].filter, []) : f.pattern]
    } },
    { for k, m in aws_lambda_event_source_mapping.stream : k => {
      function_name                      = m.function_name
      event_source_arn                   = m.event_source_arn
      batch_size                         = m.batch_size
      maximum_batching_window_in_seconds = m.maximum_batching_window_in_seconds
      function_response_types            = tolist(m.function_response_types)
      bisect_batch_on_function_error     = m.bisect_batch_on_function_error
      maximum_retry_attempts             = m.maximum_retry_attempts
      maximum_record_age_in_seconds      = m.maximum_record_age_in_seconds
      starting_position                  = m.starting_position
      on_failure_destination_arn         = try(m.destination_config[0].on_failure[0].destination_arn, null)
      maximum_concurrency                = null
      filter_patterns                    = [for f in try(m.filter_criteria[0].filter, []) : f.pattern]
    } },
  )
}

output "eventbridge_targets" {
  description = "Every EventBridge rule with its target as created, by caller key: bus, pattern or schedule, target ARN, retry policy, dead-letter queue."
  value = { for k, r in aws_cloudwatch_event_rule.this : k => {
    event_bus_name               = r.event_bus_name
    event_pattern                = r.event_pattern
    schedule_expression          = r.schedule_expression
    target_arn                   = aws_cloudwatch_event_target.this[k].arn
    maximum_retry_attempts       = try(aws_cloudwatch_event_target.this[k].retry_policy[0].maximum_retry_attempts, null)
    maximum_event_age_in_seconds = try(aws_cloudwatch_event_target.this[k].retry_policy[0].maximum_event_age_in_seconds, null)
    dead_letter_arn              = try(aws_cloudwatch_event_target.this[k].dead_letter_config[0].arn, null)
  } }
}

output "sns_subscription_endpoints" {
  description = "Endpoint (the function or its alias) of every SNS subscription, by caller key, with the topic it subscribes to."
  value       = { for k, v in aws_sns_topic_subscription.this : k => { topic_arn = v.topic_arn, endpoint = v.endpoint } }
}

output "schedule_arns" {
  description = "ARNs of the EventBridge Scheduler schedules, by caller key."
  value       = { for k, v in aws_scheduler_schedule.this : k => v.arn }
}

output "schedule_names" {
  description = "Names of the EventBridge Scheduler schedules, by caller key."
  value       = { for k, v in aws_scheduler_schedule.this : k => v.name }
}

output "scheduler_role_arn" {
  description = "ARN of the Scheduler execution role (null without schedules). A DLQ encrypted with a customer key must let this role use the key."
  value       = try(aws_iam_role.scheduler[0].arn, null)
}

output "schedule_targets" {
  description = "Every Scheduler schedule with its target as created, by caller key: expression, time zone, flexible window, target ARN, retry policy, dead-letter queue."
  value = { for k, s in aws_scheduler_schedule.this : k => {
    schedule_expression          = s.schedule_expression
    timezone                     = s.schedule_expression_timezone
    flexible_window_minutes      = s.flexible_time_window[0].maximum_window_in_minutes
    target_arn                   = s.target[0].arn
    maximum_retry_attempts       = s.target[0].retry_policy[0].maximum_retry_attempts
    maximum_event_age_in_seconds = s.target[0].retry_policy[0].maximum_event_age_in_seconds
    dead_letter_arn              = try(s.target[0].dead_letter_config[0].arn, null)
  } }
}
