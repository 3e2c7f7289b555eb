# Layers and functions. Each function gets its own role (created by modules/lambda_function) with
# exactly the caller statements below plus what its wiring adds (modules/event_source): no `*` actions,
# resources scoped to ARNs. daily_report lives in report.tf (inside modules/vpc_lambda).

module "layer" {
  source   = "./modules/layer"
  for_each = local.layer_zip

  layer_name               = "${local.prefix}-${each.key}"
  description              = "${each.key} for ${local.prefix} (built by scripts/build.py)"
  filename                 = each.value.filename
  source_code_hash         = each.value.source_code_hash
  s3_package               = local.package_s3
  compatible_runtimes      = [local.runtime]
  compatible_architectures = [var.architecture]
}

locals {
  runtime = "python3.12"

  # The layers each function uses come from functions/<name>/layers.txt via build/manifest.json.
  function_layers = {
    for name in keys(local.function_names) :
    name => [for layer in try(local.manifest.functions[name].layers, []) : module.layer[layer].layer_version_arn]
  }

  uploads_arn    = aws_s3_bucket.this["uploads"].arn
  thumbnails_arn = aws_s3_bucket.this["thumbnails"].arn
  reports_arn    = aws_s3_bucket.this["reports"].arn

  # HeadObject on a missing key answers 403 instead of 404 without ListBucket (scoped to uploads/).
  list_uploads_statement = {
    actions    = ["s3:ListBucket"]
    resources  = [local.uploads_arn]
    conditions = [{ test = "StringLike", variable = "s3:prefix", values = ["uploads/*"] }]
  }

  # With a customer managed key, every function reads and writes data encrypted with it.
  kms_statements = var.kms_key_arn == null ? {} : {
    UseDataKey = { actions = ["kms:Decrypt", "kms:GenerateDataKey"], resources = [var.kms_key_arn] }
  }

  # Caller statements per function: what its code calls, nothing more (wiring adds the rest).
  function_statements = {
    ingest = {
      StartImagePipeline = { actions = ["states:StartExecution"], resources = [local.state_machine_arn] }
    }
    validate_input = {
      ReadUploads = { actions = ["s3:GetObject"], resources = ["${local.uploads_arn}/uploads/*"] }
      ListUploads = local.list_uploads_statement
    }
    thumbnail = {
      ReadUploads     = { actions = ["s3:GetObject"], resources = ["${local.uploads_arn}/uploads/*"] }
      ListUploads     = local.list_uploads_statement
      WriteThumbnails = { actions = ["s3:PutObject"], resources = ["${local.thumbnails_arn}/thumbnails/*"] }
    }
    notify = {
      MarkNotified = { actions = ["dynamodb:UpdateItem"], resources = [aws_dynamodb_table.metadata.arn] }
      # notify_store reads the item back when the conditional update fails without returning it.
      ReadMetadata = { actions = ["dynamodb:GetItem"], resources = [aws_dynamodb_table.metadata.arn] }
    }
    orders_api = {
      Orders = {
        actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query", "dynamodb:Scan"]
        resources = [aws_dynamodb_table.orders.arn, "${aws_dynamodb_table.orders.arn}/index/${local.orders_date_index}"]
      }
      # Powertools idempotency: GetItem reads a record back when a conditional put finds one without
      # returning it, DeleteItem drops the record when the handler fails (both unused by the happy path).
      Idempotency = {
        actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
        resources = [aws_dynamodb_table.idempotency.arn]
      }
      # Presigned PUT URLs are signed with the role: it must be allowed the PUT itself.
      PresignUploads = { actions = ["s3:PutObject"], resources = ["${local.uploads_arn}/uploads/*"] }
    }
    order_stream = {
      PutOrderEvents = { actions = ["events:PutEvents"], resources = [aws_cloudwatch_event_bus.orders.arn] }
    }
    high_value_order = {
      FlagOrder    = { actions = ["dynamodb:UpdateItem"], resources = [aws_dynamodb_table.orders.arn] }
      PublishAlert = { actions = ["sns:Publish"], resources = [aws_sns_topic.this["alerts"].arn] }
    }
    daily_report = {
      QueryOrdersByDate = { actions = ["dynamodb:Query"], resources = ["${aws_dynamodb_table.orders.arn}/index/${local.orders_date_index}"] }
      WriteReports      = { actions = ["s3:PutObject"], resources = ["${local.reports_arn}/reports/*"] }
    }
  }

  function_descriptions = {
    ingest           = "SQS image-ingest -> one image-pipeline execution per uploaded object"
    validate_input   = "image-pipeline ValidateInput: checks the upload is a supported, safe image"
    thumbnail        = "image-pipeline GenerateThumbnail: every configured size from one decode"
    notify           = "image-processed subscriber: marks the metadata item as notified"
    orders_api       = "Orders REST API (API Gateway proxy)"
    order_stream     = "orders stream -> OrderCreated / OrderStatusChanged on the orders bus"
    high_value_order = "high-value-orders rule target: flags the order and alerts"
    daily_report     = "Daily orders report (JSON and CSV) into the reports bucket"
  }

  # Functions deployed by module.function (daily_report is deployed by module.daily_report).
  regular_functions = { for k, v in local.function_config : k => v if k != "daily_report" }
}

module "function" {
  source   = "./modules/lambda_function"
  for_each = local.regular_functions

  function_name    = local.function_names[each.key]
  description      = local.function_descriptions[each.key]
  filename         = local.function_zip[each.key].filename
  source_code_hash = local.function_zip[each.key].source_code_hash
  s3_package       = local.package_s3
  handler          = "handler.lambda_handler"
  runtime          = local.runtime
  architectures    = [var.architecture]
  memory_size      = each.value.memory_size
  timeout          = each.value.timeout
  layers           = local.function_layers[each.key]

  reserved_concurrent_executions = coalesce(each.value.reserved_concurrency, -1)

  environment_variables = merge(
    local.common_environment,
    { POWERTOOLS_SERVICE_NAME = each.key },
    local.function_environment[each.key],
  )
  kms_key_arn = var.kms_key_arn

  policy_statements = merge(local.function_statements[each.key], local.kms_statements)

  tracing_mode          = var.tracing_mode
  log_format            = "JSON"
  application_log_level = local.application_log_level
  log_retention_in_days = var.log_retention_in_days

  # The API targets the `live` alias; it carries provisioned concurrency when enabled.
  publish    = each.key == "orders_api" && (var.orders_api_publish_versions || var.enable_provisioned_concurrency || var.orders_api_deployment != null)
  alias_name = each.key == "orders_api" ? "live" : null
  # Opt-in CodeDeploy rollouts of the alias (null: Terraform moves it, as before).
  deployment = each.key == "orders_api" ? local.orders_api_deployment : null
  provisioned_concurrency_autoscaling = each.key == "orders_api" && var.enable_provisioned_concurrency ? {
    min_capacity       = var.provisioned_concurrency
    max_capacity       = max(var.provisioned_concurrency * 10, var.provisioned_concurrency)
    target_utilization = 0.7
  } : null

  # Async invocations (SNS -> notify, EventBridge -> high_value_order): bounded retries, then a queue.
  async_invoke = lookup(local.async_invoke, each.key, null)
}

locals {
  # The root's alarm settings and topic for the rollout's Errors alarm.
  # (Spelled out, not merge(): a null merge() result would be typed without `strategy`.)
  orders_api_deployment = var.orders_api_deployment == null ? null : {
    strategy                      = var.orders_api_deployment.strategy
    percentage                    = var.orders_api_deployment.percentage
    interval_minutes              = var.orders_api_deployment.interval_minutes
    alarm_names                   = var.orders_api_deployment.alarm_names
    before_allow_traffic_hook_arn = var.orders_api_deployment.before_allow_traffic_hook_arn
    after_allow_traffic_hook_arn  = var.orders_api_deployment.after_allow_traffic_hook_arn
    run_deployment                = var.orders_api_deployment.run_deployment
    wait_for_completion           = var.orders_api_deployment.wait_for_completion
    errors_alarm = {
      threshold          = var.alarm_function_errors_threshold
      period_seconds     = var.alarm_period_seconds
      evaluation_periods = var.alarm_evaluation_periods
    }
    alarm_actions = local.alarm_actions
  }

  async_invoke = {
    notify = {
      maximum_retry_attempts       = var.notify_maximum_retry_attempts
      maximum_event_age_in_seconds = var.notify_maximum_event_age_in_seconds
      on_failure_destination_arn   = aws_sqs_queue.this["notify-dlq"].arn
    }
    high_value_order = {
      maximum_retry_attempts       = var.async_maximum_retry_attempts
      maximum_event_age_in_seconds = var.async_maximum_event_age_in_seconds
      on_failure_destination_arn   = aws_sqs_queue.this["high-value-failed"].arn
    }
    daily_report = {
      maximum_retry_attempts       = var.async_maximum_retry_attempts
      maximum_event_age_in_seconds = var.async_maximum_event_age_in_seconds
      on_failure_destination_arn   = aws_sqs_queue.this["daily-report-failed"].arn
    }
  }
}
