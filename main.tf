# Root module: composes the whole serverless pipeline of docs/DESIGN (sections 1-5).
# Files by concern: storage.tf (buckets), messaging.tf (queues, topics), tables.tf, functions.tf,
# image_pipeline.tf (S3 -> SQS -> ingest -> Step Functions -> SNS fan-out), api.tf (orders REST API),
# order_events.tf (stream -> bus -> rule, schedule), alarms.tf, kms.tf.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  prefix     = "${var.project}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.id

  # Build output of scripts/build.py (docs/CONTRACTS.md "Build output").
  build_dir = var.build_dir != null ? var.build_dir : "${path.module}/build"
  manifest  = jsondecode(file("${local.build_dir}/manifest.json"))

  # Deployed function name per logical name: imgpipe-dev-validate-input.
  function_names = {
    for name in ["ingest", "validate_input", "thumbnail", "notify", "orders_api", "order_stream", "high_value_order", "daily_report"] :
    name => "${local.prefix}-${replace(name, "_", "-")}"
  }

  # Sizing defaults; var.function_settings overrides field by field.
  function_defaults = {
    ingest           = { memory_size = 256, timeout = 30, reserved_concurrency = null }
    validate_input   = { memory_size = 512, timeout = 30, reserved_concurrency = null }
    thumbnail        = { memory_size = 1536, timeout = 60, reserved_concurrency = 20 } # caps Pillow fan-out (memory, S3 PUT rate)
    notify           = { memory_size = 128, timeout = 10, reserved_concurrency = null }
    orders_api       = { memory_size = 256, timeout = 10, reserved_concurrency = null }
    order_stream     = { memory_size = 256, timeout = 30, reserved_concurrency = null }
    high_value_order = { memory_size = 128, timeout = 10, reserved_concurrency = 5 }  # protects the orders table and the alerts topic
    daily_report     = { memory_size = 512, timeout = 120, reserved_concurrency = 1 } # one report at a time
  }
  function_config = {
    for name, d in local.function_defaults : name => {
      memory_size          = coalesce(try(var.function_settings[name].memory_size, null), d.memory_size)
      timeout              = coalesce(try(var.function_settings[name].timeout, null), d.timeout)
      reserved_concurrency = try(var.function_settings[name].reserved_concurrency, null) != null ? var.function_settings[name].reserved_concurrency : d.reserved_concurrency
    }
  }

  function_zip = {
    for name, f in local.manifest.functions : name => {
      filename         = "${local.build_dir}/${f.path}"
      source_code_hash = f.base64sha256
    }
  }
  layer_zip = {
    for name, l in local.manifest.layers : name => {
      filename         = "${local.build_dir}/${l.path}"
      source_code_hash = l.base64sha256
    }
  }

  # Lambda's JSON log level filter names differ from Python's for one level.
  application_log_level = var.log_level == "WARNING" ? "WARN" : var.log_level

  common_environment = {
    POWERTOOLS_METRICS_NAMESPACE = var.project
    POWERTOOLS_LOG_LEVEL         = var.log_level
  }

  # Function environment, exactly as docs/CONTRACTS.md.
  function_environment = {
    ingest = {
      STATE_MACHINE_ARN = local.state_machine_arn
    }
    validate_input = {
      MAX_IMAGE_BYTES  = tostring(var.max_image_bytes)
      MAX_IMAGE_PIXELS = tostring(var.max_image_pixels)
      IMAGE_SUFFIXES   = join(",", var.image_suffixes)
    }
    thumbnail = {
      THUMBNAIL_BUCKET = aws_s3_bucket.this["thumbnails"].id
      THUMBNAIL_SIZES  = join(",", var.thumbnail_sizes)
      MAX_IMAGE_BYTES  = tostring(var.max_image_bytes)
      MAX_IMAGE_PIXELS = tostring(var.max_image_pixels)
    }
    notify = {
      METADATA_TABLE = aws_dynamodb_table.metadata.name
    }
    orders_api = {
      ORDERS_TABLE       = aws_dynamodb_table.orders.name
      IDEMPOTENCY_TABLE  = aws_dynamodb_table.idempotency.name
      UPLOADS_BUCKET     = aws_s3_bucket.this["uploads"].id
      UPLOAD_URL_EXPIRES = tostring(var.upload_url_expires)
    }
    order_stream = {
      EVENT_BUS_NAME = aws_cloudwatch_event_bus.orders.name
      EVENT_SOURCE   = local.order_event_source
    }
    high_value_order = {
      ORDERS_TABLE     = aws_dynamodb_table.orders.name
      ALERTS_TOPIC_ARN = aws_sns_topic.this["alerts"].arn
    }
    daily_report = {
      ORDERS_TABLE      = aws_dynamodb_table.orders.name
      ORDERS_DATE_INDEX = local.orders_date_index
      REPORTS_BUCKET    = aws_s3_bucket.this["reports"].id
    }
  }

  # Known before apply, so ingest (which starts executions) and the state machine (which invokes
  # validate_input and thumbnail) do not form a dependency cycle.
  state_machine_name = "${local.prefix}-image-pipeline"
  state_machine_arn  = "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${local.state_machine_name}"

  # ARNs built from names, for inputs that must be known at plan time.
  known_arns = {
    functions      = { for k, n in local.function_names : k => "arn:${local.partition}:lambda:${local.region}:${local.account_id}:function:${n}" }
    topics         = { for k in keys(local.topics) : k => "arn:${local.partition}:sns:${local.region}:${local.account_id}:${local.prefix}-${k}" }
    metadata_table = "arn:${local.partition}:dynamodb:${local.region}:${local.account_id}:table/${local.prefix}-image-metadata"
  }

  order_event_source = "${var.project}.orders"
  orders_date_index  = "byOrderDate"
}
