# Image pipeline (DESIGN section 1): uploads/ ObjectCreated -> SQS image-ingest -> ingest ->
# Step Functions image-pipeline (ValidateInput -> GenerateThumbnail -> StoreMetadata -> NotifyComplete,
# failures -> HandleError -> Fail) -> SNS image-processed -> audit queue + notify.

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

  # S3 allows one suffix per rule: one queue configuration per image extension, all in the single
  # notification configuration of the uploads bucket.
  s3_queue_notifications = {
    for suffix in var.image_suffixes : "uploads-${trimprefix(suffix, ".")}" => {
      bucket_name   = aws_s3_bucket.this["uploads"].bucket
      queue_arn     = aws_sqs_queue.image_ingest.arn
      events        = ["s3:ObjectCreated:*"]
      filter_prefix = "uploads/"
      filter_suffix = suffix
    }
  }
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
