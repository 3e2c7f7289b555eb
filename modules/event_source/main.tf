locals {
  create = var.create

  # Partition, region and account come from the function ARN: no data source needed,
  # so the module also behaves under `depends_on` and under mock providers.
  arn_parts  = split(":", var.function_arn)
  partition  = local.arn_parts[1]
  account_id = local.arn_parts[4]

  # Everything points at the alias when one is given.
  target_arn = var.qualifier == null ? var.function_arn : "${var.function_arn}:${var.qualifier}"

  sqs              = { for k, v in var.sqs : k => v if local.create }
  dynamodb_streams = { for k, v in var.dynamodb_streams : k => v if local.create }
  kinesis          = { for k, v in var.kinesis : k => v if local.create }
  stream_mappings = merge(
    { for k, v in local.dynamodb_streams : "dynamodb_streams/${k}" => merge(v, { starting_position_timestamp = null }) },
    { for k, v in local.kinesis : "kinesis/${k}" => v },
  )
}

################################################################################
# Event source mappings (poll-based sources)
################################################################################

resource "aws_lambda_event_source_mapping" "sqs" {
  for_each = local.sqs

  function_name                      = local.target_arn
  event_source_arn                   = each.value.queue_arn
  enabled                            = each.value.enabled
  batch_size                         = each.value.batch_size
  maximum_batching_window_in_seconds = each.value.maximum_batching_window_in_seconds
  function_response_types            = each.value.report_batch_item_failures ? ["ReportBatchItemFailures"] : []

  dynamic "scaling_config" {
    for_each = each.value.maximum_concurrency == null ? [] : [each.value.maximum_concurrency]
    content {
      maximum_concurrency = scaling_config.value
    }
  }

  # Provisioned mode: pollers kept warm between minimum and maximum (billed per event poller unit).
  dynamic "provisioned_poller_config" {
    for_each = each.value.provisioned_poller_config == null ? [] : [each.value.provisioned_poller_config]
    content {
      minimum_pollers = provisioned_poller_config.value.minimum_pollers
      maximum_pollers = provisioned_poller_config.value.maximum_pollers
    }
  }

  # Enhanced ESM metrics (EventCount: polled, filtered, invoked, failed, dropped events; billed as custom metrics).
  dynamic "metrics_config" {
    for_each = length(each.value.metrics) > 0 ? [each.value.metrics] : []
    content {
      metrics = metrics_config.value
    }
  }

  dynamic "filter_criteria" {
    for_each = length(each.value.filter_patterns) > 0 ? [1] : []
    content {
      dynamic "filter" {
        for_each = each.value.filter_patterns
        content {
          pattern = filter.value
        }
      }
    }
  }

  tags = var.tags

  # The mapping is validated against the role when it is created: the read policy must exist first.
  depends_on = [aws_iam_role_policy.this]
}

# DynamoDB Streams and Kinesis take the same mapping settings (only Kinesis has AT_TIMESTAMP), so one
# resource serves both, keyed "<kind>/<caller key>" with kind = dynamodb_streams | kinesis.
resource "aws_lambda_event_source_mapping" "stream" {
  for_each = local.stream_mappings

  function_name                      = local.target_arn
  event_source_arn                   = each.value.stream_arn
  enabled                            = each.value.enabled
  starting_position                  = each.value.starting_position
  starting_position_timestamp        = each.value.starting_position_timestamp
  batch_size                         = each.value.batch_size
  maximum_batching_window_in_seconds = each.value.maximum_batching_window_in_seconds
  bisect_batch_on_function_error     = each.value.bisect_batch_on_function_error
  maximum_retry_attempts             = each.value.maximum_retry_attempts
  maximum_record_age_in_seconds      = each.value.maximum_record_age_in_seconds
  parallelization_factor             = each.value.parallelization_factor
  tumbling_window_in_seconds         = each.value.tumbling_window_in_seconds
  function_response_types            = each.value.report_batch_item_failures ? ["ReportBatchItemFailures"] : []

  dynamic "metrics_config" {
    for_each = length(each.value.metrics) > 0 ? [each.value.metrics] : []
    content {
      metrics = metrics_config.value
    }
  }

  dynamic "destination_config" {
    for_each = each.value.on_failure_destination_arn == null ? [] : [each.value.on_failure_destination_arn]
    content {
      on_failure {
        destination_arn = destination_config.value
      }
    }
  }

  dynamic "filter_criteria" {
    for_each = length(each.value.filter_patterns) > 0 ? [1] : []
    content {
      dynamic "filter" {
        for_each = each.value.filter_patterns
        content {
          pattern = filter.value
        }
      }
    }
  }

  tags = var.tags

  depends_on = [aws_iam_role_policy.this]
}
