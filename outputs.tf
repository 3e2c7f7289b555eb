# Root outputs: docs/CONTRACTS.md "Root outputs" (used by scripts/demo.py and the end-to-end suite),
# plus a few extras.

output "uploads_bucket_name" {
  description = "Bucket to upload images to (under uploads/)."
  value       = aws_s3_bucket.this["uploads"].id
}

output "thumbnails_bucket_name" {
  description = "Bucket the pipeline writes thumbnails to (under thumbnails/)."
  value       = aws_s3_bucket.this["thumbnails"].id
}

output "reports_bucket_name" {
  description = "Bucket daily_report writes reports to (under reports/<date>/)."
  value       = aws_s3_bucket.this["reports"].id
}

output "api_id" {
  description = "Id of the orders REST API."
  value       = aws_api_gateway_rest_api.orders.id
}

output "api_execution_arn" {
  description = "Execution ARN of the orders REST API, for execute-api:Invoke policies: append /<stage>/<METHOD>/<path>, e.g. \"<arn>/dev/GET/orders/*\"."
  value       = aws_api_gateway_rest_api.orders.execution_arn
}

output "api_stage_name" {
  description = "Stage of the orders REST API (= environment)."
  value       = aws_api_gateway_stage.this.stage_name
}

output "api_url" {
  description = "Invoke URL of the orders API stage, without a trailing slash (e.g. https://<id>.execute-api.<region>.amazonaws.com/dev)."
  value       = trimsuffix(aws_api_gateway_stage.this.invoke_url, "/")
}

output "state_machine_arn" {
  description = "ARN of the image-pipeline state machine."
  value       = module.state_machine.state_machine_arn
}

output "image_ingest_queue_url" {
  description = "URL of the image-ingest queue (S3 notifications for ingest)."
  value       = aws_sqs_queue.image_ingest.url
}

output "image_ingest_dlq_url" {
  description = "URL of image-ingest-dlq."
  value       = aws_sqs_queue.this["image-ingest-dlq"].url
}

output "audit_queue_url" {
  description = "URL of the audit queue (raw image-processed notifications)."
  value       = aws_sqs_queue.this["audit"].url
}

output "notify_dlq_url" {
  description = "URL of notify-dlq (failed async notify invocations)."
  value       = aws_sqs_queue.this["notify-dlq"].url
}

output "stream_dlq_url" {
  description = "URL of stream-dlq (orders stream records order_stream could not process)."
  value       = aws_sqs_queue.this["stream-dlq"].url
}

output "high_value_dlq_url" {
  description = "URL of high-value-dlq (high-value-orders events EventBridge could not deliver)."
  value       = aws_sqs_queue.this["high-value-dlq"].url
}

output "high_value_failed_queue_url" {
  description = "URL of high-value-failed (high_value_order async invocations that failed every attempt)."
  value       = aws_sqs_queue.this["high-value-failed"].url
}

output "daily_report_failed_queue_url" {
  description = "URL of daily-report-failed (daily_report scheduled invocations that failed every attempt)."
  value       = aws_sqs_queue.this["daily-report-failed"].url
}

output "image_processed_topic_arn" {
  description = "ARN of the image-processed topic."
  value       = aws_sns_topic.this["image-processed"].arn
}

output "processing_errors_topic_arn" {
  description = "ARN of the processing-errors topic."
  value       = aws_sns_topic.this["processing-errors"].arn
}

output "alerts_topic_arn" {
  description = "ARN of the alerts topic (high-value orders)."
  value       = aws_sns_topic.this["alerts"].arn
}

output "alarms_topic_arn" {
  description = "ARN of the alarms topic (CloudWatch alarms)."
  value       = aws_sns_topic.this["alarms"].arn
}

output "orders_table_name" {
  description = "Name of the orders table."
  value       = aws_dynamodb_table.orders.name
}

output "metadata_table_name" {
  description = "Name of the image-metadata table."
  value       = aws_dynamodb_table.metadata.name
}

output "idempotency_table_name" {
  description = "Name of the idempotency table of POST /orders."
  value       = aws_dynamodb_table.idempotency.name
}

output "event_bus_name" {
  description = "Name of the orders event bus."
  value       = aws_cloudwatch_event_bus.orders.name
}

output "function_names" {
  description = "Deployed function name by logical name."
  value = merge(
    { for k, m in module.function : k => m.function_name },
    { daily_report = local.daily_report.function_name },
  )
}

output "function_arns" {
  description = "Function ARN by logical name."
  value = merge(
    { for k, m in module.function : k => m.function_arn },
    { daily_report = local.daily_report.function_arn },
  )
}

output "layer_version_arns" {
  description = "Layer version ARN by layer name."
  value       = { for k, m in module.layer : k => m.layer_version_arn }
}

output "report_schedule_rule_name" {
  description = "Name of the EventBridge rule that runs daily_report (null with report_schedule_kind = \"scheduler\"; see report_schedule)."
  value       = lookup(module.daily_report_sources.eventbridge_rule_names, "schedule", null)
}

output "high_value_rule_arn" {
  description = "ARN of the high-value-orders rule on the orders bus."
  value       = module.high_value_order_sources.eventbridge_rule_arns["high-value-orders"]
}

output "vpc_id" {
  description = "VPC of daily_report (null when enable_vpc = false)."
  value       = local.report_vpc_id
}

output "kms_key_policy_json" {
  description = "Key policy for a customer managed key passed as kms_key_arn: complete for everything this stack encrypts with it (CloudWatch Logs in this region, S3/SNS/EventBridge/CloudWatch delivering to encrypted queues and topics, DynamoDB). Create the key with it before setting kms_key_arn (e.g. a first apply without kms_key_arn prints it)."
  value       = jsonencode(local.kms_key_policy)
}

output "report_schedule" {
  description = "What fires daily_report: kind (scheduler | rule), name and time zone."
  value = {
    kind     = var.report_schedule_kind
    name     = var.report_schedule_kind == "scheduler" ? lookup(module.daily_report_sources.schedule_names, "daily", null) : lookup(module.daily_report_sources.eventbridge_rule_names, "schedule", null)
    timezone = var.report_schedule_kind == "scheduler" ? var.report_schedule_timezone : "UTC"
  }
}

output "orders_api_deployment" {
  description = "CodeDeploy rollout of orders_api (null unless orders_api_deployment is set): application, deployment group, config, watched alarms, and the command that starts the next deployment (run it after an apply that published a new version)."
  value = var.orders_api_deployment == null ? null : {
    application_name      = module.function["orders_api"].deployment_application_name
    deployment_group_name = module.function["orders_api"].deployment_group_name
    deployment_config     = module.function["orders_api"].deployment_config_name
    alarm_names           = module.function["orders_api"].deployment_alarm_names
    command               = module.function["orders_api"].deployment_command
  }
}
