# Image pipeline (DESIGN section 1): uploads/ ObjectCreated -> SQS image-ingest -> ingest ->
# Step Functions image-pipeline (ValidateInput -> GenerateThumbnail -> StoreMetadata -> NotifyComplete,
# failures -> HandleError -> Fail) -> SNS image-processed -> audit queue + notify.

locals {
  # Every object under uploads/ starts an execution: S3 suffix filters are case-sensitive (IMG_0001.JPG
  # would start nothing and report nothing), so validate_input decides what it accepts, case-insensitively
  # (IMAGE_SUFFIXES), and reports anything else on processing-errors.
  uploads_notification = {
    bucket_name   = aws_s3_bucket.this["uploads"].bucket
    queue_arn     = aws_sqs_queue.image_ingest.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = "uploads/"
  }
}

module "ingest_sources" {
  source = "./modules/event_source"

  function_name      = module.function["ingest"].function_name
  function_arn       = module.function["ingest"].function_arn
  function_role_name = module.function["ingest"].role_name
  kms_key_arns       = compact([var.kms_key_arn])

  sqs = {
    image-ingest = {
      queue_arn                          = aws_sqs_queue.image_ingest.arn
      batch_size                         = var.ingest_batch_size
      maximum_batching_window_in_seconds = var.ingest_batching_window_seconds
      report_batch_item_failures         = true
      maximum_concurrency                = var.ingest_maximum_concurrency
    }
  }

  s3_queue_notifications = { uploads = local.uploads_notification }
  # S3 checks it may send to the queue when the configuration is written.
  s3_notification_depends_on = [aws_sqs_queue_policy.this["image-ingest"].id]
}

module "state_machine" {
  source = "./modules/state_machine"

  name = local.state_machine_name
  type = "STANDARD"

  definition_template = "${path.module}/templates/image_pipeline.asl.json"
  definition_vars = {
    partition                   = local.partition
    validate_input_arn          = module.function["validate_input"].function_arn
    thumbnail_arn               = module.function["thumbnail"].function_arn
    metadata_table_name         = aws_dynamodb_table.metadata.name
    image_processed_topic_arn   = aws_sns_topic.this["image-processed"].arn
    processing_errors_topic_arn = aws_sns_topic.this["processing-errors"].arn
    # Lambda service errors and the handlers' TransientError: 3 s, then 6 s (2 retries).
    retry_interval_seconds = "3"
    retry_max_attempts     = "2"
    retry_backoff_rate     = "2.0"
    # Lambda.TooManyRequestsException: its own budget, sized against the burst (locals below).
    throttle_interval_seconds  = tostring(var.pipeline_throttle_retry.interval_seconds)
    throttle_max_attempts      = tostring(var.pipeline_throttle_retry.max_attempts)
    throttle_backoff_rate      = "2.0"
    throttle_max_delay_seconds = tostring(var.pipeline_throttle_retry.max_delay_seconds)
    # Runtime.ExitError, Lambda.Unknown, Sandbox.Timedout (crashed, OOM-killed or timed-out runtime).
    crash_interval_seconds = "2"
    crash_max_attempts     = tostring(var.pipeline_crash_max_attempts)
  }

  # The role is derived from exactly these integrations. The ARNs are built from names (known at plan
  # time): the module sizes its policy from them, which fails on values only known after apply.
  integrations = {
    lambda_function_arns = [local.known_arns.functions["validate_input"], local.known_arns.functions["thumbnail"]]
    dynamodb             = [{ table_arn = local.known_arns.metadata_table, actions = ["dynamodb:PutItem"] }]
    sns_topic_arns       = [local.known_arns.topics["image-processed"], local.known_arns.topics["processing-errors"]]
    kms_key_arns         = compact([var.kms_key_arn])
  }

  logging_level         = "ERROR"
  log_retention_in_days = var.log_retention_in_days
  tracing_enabled       = var.state_machine_tracing_enabled
}

# image-processed fan-out, branch 2 (branch 1, the audit queue, is in messaging.tf).
module "notify_sources" {
  source = "./modules/event_source"

  function_name = module.function["notify"].function_name
  function_arn  = module.function["notify"].function_arn

  sns_subscriptions = {
    image-processed = { topic_arn = aws_sns_topic.this["image-processed"].arn }
  }
}

# Sizing concurrency and the throttling budget together (issue 10). One poll cycle of the image-ingest
# mapping runs up to ingest_maximum_concurrency ingest invocations of ingest_batch_size records, each
# starting one execution per record: a burst of 5 x 10 = 50 executions by default. thumbnail runs at
# most its reserved concurrency (20) at a time, so the burst drains in ceil(50 / 20) = 3 waves, each at
# most one thumbnail timeout (60 s): a throttled task must be able to wait 3 x 60 = 180 s.
# The throttling retrier waits min(interval x 2^n, max_delay) before attempt n+1, with FULL jitter
# (uniform in [0, delay]): the expected total wait is half the capped sum. Defaults 1 s, 12 attempts,
# max 60 s: 1+2+4+8+16+32 + 6 x 60 = 423 s, expected 211 s >= 180 s (the old budget, 3 s + 6 s, was 9 s).
locals {
  pipeline_burst_executions = var.ingest_maximum_concurrency * var.ingest_batch_size
  thumbnail_concurrency     = local.function_config.thumbnail.reserved_concurrency
  # Unreserved (null or -1): no per-function cap; the account limit is far above one burst.
  thumbnail_waves = (local.thumbnail_concurrency == null ? 1 : (local.thumbnail_concurrency < 0 ? 1 :
  ceil(local.pipeline_burst_executions / max(local.thumbnail_concurrency, 1))))
  throttle_wait_needed_seconds = local.thumbnail_waves * local.function_config.thumbnail.timeout
  throttle_expected_wait_seconds = sum([
    for n in range(var.pipeline_throttle_retry.max_attempts) :
    min(var.pipeline_throttle_retry.interval_seconds * pow(2, n), var.pipeline_throttle_retry.max_delay_seconds)
  ]) / 2
}

# Fails the plan when the burst cannot drain within the throttling budget.
resource "terraform_data" "pipeline_sizing" {
  input = {
    burst_executions      = local.pipeline_burst_executions
    thumbnail_waves       = local.thumbnail_waves
    wait_needed_seconds   = local.throttle_wait_needed_seconds
    expected_wait_seconds = local.throttle_expected_wait_seconds
  }

  lifecycle {
    precondition {
      condition     = local.thumbnail_concurrency == 0 || local.throttle_expected_wait_seconds >= local.throttle_wait_needed_seconds
      error_message = "Throttling budget too small: ingest can start ${local.pipeline_burst_executions} executions at once (ingest_maximum_concurrency x ingest_batch_size), thumbnail runs ${coalesce(local.thumbnail_concurrency, -1)} at a time, so a throttled task may wait ${local.throttle_wait_needed_seconds} s (${local.thumbnail_waves} waves x thumbnail timeout) but pipeline_throttle_retry waits ${local.throttle_expected_wait_seconds} s on average. Raise pipeline_throttle_retry.max_attempts / max_delay_seconds, thumbnail's reserved concurrency, or lower the ingest concurrency or batch size."
    }
  }
}
