#------------------------------------------------------------------------------
# General
#------------------------------------------------------------------------------
variable "aws_region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must look like an AWS region name, e.g. us-east-1."
  }
}

variable "project" {
  description = "Project name: first part of every resource name (`<project>-<environment>-<thing>`)."
  type        = string
  default     = "imgpipe"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.project))
    error_message = "project must be 2-21 characters: lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "environment" {
  description = "Environment name (dev, staging, prod...): second part of every resource name and the API stage name."
  type        = string
  default     = "dev"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{1,11}$", var.environment))
    error_message = "environment must be 2-12 lowercase letters or digits, starting with a letter."
  }
}

variable "tags" {
  description = "Tags applied to every resource (through the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "build_dir" {
  description = "Directory holding build/manifest.json and the zips written by scripts/build.py. null = <root>/build."
  type        = string
  default     = null
}

variable "artifacts_bucket" {
  description = "Existing S3 bucket (same region) to ship function and layer zips through: each is uploaded at a content-addressed key (`lambda-packages/<function>/<hash>.zip`, `lambda-layers/<layer>/<hash>.zip`, SSE-KMS with kms_key_arn when set) and deployed from there, so zips above Lambda's 50 MB direct-upload limit work (build with `--package-store s3`). null = direct upload. The deployer needs s3:PutObject/GetObject/DeleteObject there."
  type        = string
  default     = null

  validation {
    condition     = var.artifacts_bucket == null ? true : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.artifacts_bucket))
    error_message = "artifacts_bucket must be an S3 bucket name."
  }
}

variable "architecture" {
  description = "Instruction set of every function and layer: x86_64 or arm64 (build with the same ARCH)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "kms_key_arn" {
  description = <<-EOT
    Optional customer managed KMS key for data at rest (buckets, queues, topics, tables, the alarms topic).
    null (default) = AWS managed encryption (SSE-S3, SSE-SQS, aws/sns, DynamoDB per var.dynamodb_encryption,
    CloudWatch Logs default encryption) and a dedicated CMK created by this module for the alarms topic only,
    because CloudWatch alarms cannot publish to a topic encrypted with the AWS managed aws/sns key. A key you
    pass needs the key policy in output `kms_key_policy_json` (logs.<region>, s3, sqs, sns, events,
    cloudwatch and dynamodb use it); apply fails on the log groups without the logs statement.
  EOT
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-zA-Z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN."
  }
}

variable "dynamodb_encryption" {
  description = <<-EOT
    Key of the DynamoDB tables when kms_key_arn is null: "aws_managed" (default) = the AWS managed key
    aws/dynamodb in your account (key use visible in CloudTrail, KMS request charges apply);
    "aws_owned" = the AWS owned key (no charge, no audit trail of key use). Tables are encrypted either way;
    with kms_key_arn set they use that key.
  EOT
  type        = string
  default     = "aws_managed"

  validation {
    condition     = contains(["aws_managed", "aws_owned"], var.dynamodb_encryption)
    error_message = "dynamodb_encryption must be \"aws_managed\" or \"aws_owned\"."
  }
}

#------------------------------------------------------------------------------
# Functions
#------------------------------------------------------------------------------
variable "function_settings" {
  description = <<-EOT
    Per-function overrides keyed by logical function name (ingest, validate_input, thumbnail, notify,
    orders_api, order_stream, high_value_order, daily_report). Unset fields keep the defaults of
    main.tf (memory_size MB, timeout seconds, reserved_concurrency: -1 = unreserved). Defaults reserve
    concurrency for thumbnail (20), high_value_order (5) and daily_report (1): accounts whose concurrency
    quota is still the new-account 10 need -1 there.
  EOT
  type = map(object({
    memory_size          = optional(number)
    timeout              = optional(number)
    reserved_concurrency = optional(number)
  }))
  default = {}

  validation {
    condition = alltrue([for k in keys(var.function_settings) : contains(
      ["ingest", "validate_input", "thumbnail", "notify", "orders_api", "order_stream", "high_value_order", "daily_report"], k
    )])
    error_message = "function_settings keys must be logical function names (ingest, validate_input, thumbnail, notify, orders_api, order_stream, high_value_order, daily_report)."
  }

  validation {
    condition = alltrue([for v in values(var.function_settings) :
      (v.memory_size == null || try(v.memory_size >= 128 && v.memory_size <= 10240, false)) &&
      (v.timeout == null || try(v.timeout >= 1 && v.timeout <= 900, false))
    ])
    error_message = "memory_size must be 128-10240 MB and timeout 1-900 seconds."
  }
}

variable "log_retention_in_days" {
  description = "Retention of every log group (functions, state machine, API access logs)."
  type        = number
  default     = 14

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "log_level" {
  description = "POWERTOOLS_LOG_LEVEL of every function."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing mode of functions (Active or PassThrough); the state machine and API stage trace when Active."
  type        = string
  default     = "Active"

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

variable "orders_api_publish_versions" {
  description = <<-EOT
    Publish a new orders_api version on every change and point its `live` alias (the API's target) at it.
    false = the alias follows $LATEST. Provisioned concurrency needs published versions. Lambda keeps every
    published version (75 GB code storage quota per region): README "Deploying to real AWS" says how to prune.
  EOT
  type        = bool
  default     = true
}

variable "orders_api_deployment" {
  description = <<-EOT
    Opt-in safe deployments of orders_api: CodeDeploy shifts its `live` alias (still the API's target) to
    each new version, "canary", "linear" or "all_at_once" (modules/lambda_function `deployment`), and rolls
    back when the alias's Errors alarm (threshold/period of the function alarms, to the alarms topic) or one
    of `alarm_names` fires. Implies published versions. Start a rollout with output
    `orders_api_deployment.command` after an apply, or `run_deployment = true` (AWS CLI on the machine
    running Terraform). null = today's behaviour: Terraform moves the alias. Plan-level only on the
    embedded LocalStack (no CodeDeploy in the community edition).
  EOT
  type = object({
    strategy                      = string
    percentage                    = optional(number, 10)
    interval_minutes              = optional(number)
    alarm_names                   = optional(list(string), [])
    before_allow_traffic_hook_arn = optional(string)
    after_allow_traffic_hook_arn  = optional(string)
    run_deployment                = optional(bool, false)
    wait_for_completion           = optional(bool, true)
  })
  default = null
}

variable "state_machine_tracing_enabled" {
  description = "X-Ray tracing of the image-pipeline state machine."
  type        = bool
  default     = true
}

variable "enable_provisioned_concurrency" {
  description = "Provision concurrency (with target-tracking autoscaling at 0.7) on the orders_api `live` alias."
  type        = bool
  default     = false
}

variable "provisioned_concurrency" {
  description = "Provisioned concurrent executions of orders_api when enable_provisioned_concurrency is true (autoscaling minimum)."
  type        = number
  default     = 1

  validation {
    condition     = var.provisioned_concurrency >= 1
    error_message = "provisioned_concurrency must be at least 1."
  }
}

#------------------------------------------------------------------------------
# Image pipeline
#------------------------------------------------------------------------------
variable "thumbnail_sizes" {
  description = "Thumbnail bounding boxes as WxH (aspect ratio is kept inside the box)."
  type        = list(string)
  default     = ["200x200"]

  validation {
    condition     = length(var.thumbnail_sizes) > 0 && alltrue([for s in var.thumbnail_sizes : can(regex("^[1-9][0-9]{0,3}x[1-9][0-9]{0,3}$", s))])
    error_message = "thumbnail_sizes must be a non-empty list of WxH strings with 1-4 digit sides, e.g. [\"200x200\", \"800x600\"]."
  }
}

variable "image_suffixes" {
  description = <<-EOT
    Key extensions validate_input accepts (IMAGE_SUFFIXES), compared case-insensitively: IMG_0001.JPG is a
    .jpg. Every object under uploads/ starts an execution (S3 suffix filters are case-sensitive, so there
    is none); any other extension fails validation and is reported on processing-errors.
  EOT
  type        = list(string)
  default     = [".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".heif", ".avif"]

  validation {
    condition     = length(var.image_suffixes) > 0 && alltrue([for s in var.image_suffixes : can(regex("^\\.[a-z0-9]+$", s))])
    error_message = "image_suffixes must be lowercase extensions starting with a dot."
  }
}

variable "max_image_bytes" {
  description = "Largest accepted upload in bytes (MAX_IMAGE_BYTES of validate_input and thumbnail)."
  type        = number
  default     = 26214400
}

variable "max_image_pixels" {
  description = "Largest accepted decoded image in pixels; above it the input is refused as a decompression bomb."
  type        = number
  default     = 40000000
}

variable "ingest_batch_size" {
  description = "SQS image-ingest -> ingest mapping batch size."
  type        = number
  default     = 10

  validation {
    condition     = var.ingest_batch_size >= 1 && var.ingest_batch_size <= 10000
    error_message = "ingest_batch_size must be 1-10000."
  }
}

variable "ingest_batching_window_seconds" {
  description = "SQS image-ingest -> ingest mapping batching window (0-300 s)."
  type        = number
  default     = 1

  validation {
    condition     = var.ingest_batching_window_seconds >= 0 && var.ingest_batching_window_seconds <= 300
    error_message = "ingest_batching_window_seconds must be 0-300."
  }
}

variable "ingest_maximum_concurrency" {
  description = "Maximum concurrent ingest invocations of the SQS mapping (2-1000)."
  type        = number
  default     = 5

  validation {
    condition     = var.ingest_maximum_concurrency >= 2 && var.ingest_maximum_concurrency <= 1000
    error_message = "ingest_maximum_concurrency must be 2-1000."
  }
}

variable "ingest_max_receive_count" {
  description = "Receives of an image-ingest message before it moves to image-ingest-dlq."
  type        = number
  default     = 3
}

variable "ingest_visibility_timeout_seconds" {
  description = <<-EOT
    Visibility timeout of image-ingest. null (default) = 6x the ingest timeout (AWS guidance for queues
    consumed by Lambda). A failed message is received again only after it, so it also sets how long a
    poison message takes to reach image-ingest-dlq (max receive count x timeout).
  EOT
  type        = number
  default     = null

  validation {
    condition     = var.ingest_visibility_timeout_seconds == null || try(var.ingest_visibility_timeout_seconds >= 0 && var.ingest_visibility_timeout_seconds <= 43200, false)
    error_message = "ingest_visibility_timeout_seconds must be null or 0-43200."
  }
}

variable "notify_maximum_retry_attempts" {
  description = "Async retries of notify (0-2) before the event goes to notify-dlq."
  type        = number
  default     = 2
}

variable "notify_maximum_event_age_in_seconds" {
  description = "Maximum age of an async notify event (60-21600 s) before it goes to notify-dlq."
  type        = number
  default     = 3600
}

variable "pipeline_throttle_retry" {
  description = <<-EOT
    Retry of Lambda.TooManyRequestsException in ValidateInput and GenerateThumbnail: interval_seconds x 2^n,
    each wait capped at max_delay_seconds, FULL jitter. Its expected total wait (half the capped sum) must
    cover a burst of ingest_maximum_concurrency x ingest_batch_size executions draining through thumbnail's
    reserved concurrency (checked at plan time, see image_pipeline.tf).
  EOT
  type = object({
    interval_seconds  = optional(number, 1)
    max_attempts      = optional(number, 12)
    max_delay_seconds = optional(number, 60)
  })
  default = {}

  validation {
    condition = (
      var.pipeline_throttle_retry.interval_seconds >= 1 && var.pipeline_throttle_retry.max_attempts >= 1 &&
      var.pipeline_throttle_retry.max_attempts <= 30 && var.pipeline_throttle_retry.max_delay_seconds >= var.pipeline_throttle_retry.interval_seconds
    )
    error_message = "pipeline_throttle_retry needs interval_seconds >= 1, max_attempts 1-30 and max_delay_seconds >= interval_seconds."
  }
}

variable "pipeline_crash_max_attempts" {
  description = "Retries (1-5) of a crashed, killed or timed-out runtime (Runtime.ExitError, Lambda.Unknown, Sandbox.Timedout) in ValidateInput and GenerateThumbnail, both idempotent."
  type        = number
  default     = 3

  validation {
    condition     = var.pipeline_crash_max_attempts >= 1 && var.pipeline_crash_max_attempts <= 5
    error_message = "pipeline_crash_max_attempts must be 1-5: a runtime that keeps crashing is a defect, not bad luck."
  }
}

#------------------------------------------------------------------------------
# Orders
#------------------------------------------------------------------------------
variable "high_value_threshold" {
  description = "Orders with a total strictly above this amount are routed to high_value_order."
  type        = number
  default     = 100
}

variable "upload_url_expires" {
  description = "Lifetime in seconds of the presigned upload URLs returned by POST /uploads."
  type        = number
  default     = 900
}

variable "order_stream_batch_size" {
  description = "orders stream -> order_stream mapping batch size."
  type        = number
  default     = 100
}

variable "order_stream_maximum_retry_attempts" {
  description = "Retries of a failing stream batch (with bisection) before its records go to stream-dlq."
  type        = number
  default     = 3
}

variable "order_stream_maximum_record_age_in_seconds" {
  description = "Records older than this (60-604800 s, or -1 = forever) are sent to stream-dlq instead of retried."
  type        = number
  default     = 3600
}

variable "high_value_maximum_retry_attempts" {
  description = "EventBridge retry attempts of the high-value-orders target before the DLQ."
  type        = number
  default     = 4
}

variable "high_value_maximum_event_age_in_seconds" {
  description = "EventBridge maximum event age of the high-value-orders target (60-86400 s)."
  type        = number
  default     = 3600
}

variable "async_maximum_retry_attempts" {
  description = "Lambda's own async retries (0-2) of high_value_order and daily_report after a handler error, before the event goes to their on-failure queue (high-value-failed, daily-report-failed)."
  type        = number
  default     = 2

  validation {
    condition     = var.async_maximum_retry_attempts >= 0 && var.async_maximum_retry_attempts <= 2
    error_message = "async_maximum_retry_attempts must be 0, 1 or 2."
  }
}

variable "async_maximum_event_age_in_seconds" {
  description = "Maximum age (60-21600 s) of an async high_value_order / daily_report event in Lambda's queue before it goes to the on-failure queue."
  type        = number
  default     = 3600

  validation {
    condition     = var.async_maximum_event_age_in_seconds >= 60 && var.async_maximum_event_age_in_seconds <= 21600
    error_message = "async_maximum_event_age_in_seconds must be 60-21600."
  }
}

variable "api_authorization" {
  description = <<-EOT
    Authorization of every orders API method. AWS_IAM (default) = callers sign requests with SigV4 and need
    execute-api:Invoke on the API's methods (build the policy from the api_execution_arn output, e.g.
    "<api_execution_arn>/<stage>/POST/orders"); an unsigned request gets 404 like an unknown route (the
    MISSING_AUTHENTICATION_TOKEN gateway response). NONE = public: use it only behind your own WAF or
    authorizer.
  EOT
  type        = string
  default     = "AWS_IAM"

  validation {
    condition     = contains(["AWS_IAM", "NONE"], var.api_authorization)
    error_message = "api_authorization must be AWS_IAM or NONE."
  }
}

variable "api_throttling_rate_limit" {
  description = "Steady-state requests per second of every API method."
  type        = number
  default     = 50
}

variable "api_throttling_burst_limit" {
  description = "Burst requests of every API method."
  type        = number
  default     = 100
}

variable "manage_api_gateway_account" {
  description = <<-EOT
    Manage the API Gateway account setting (the CloudWatch Logs role), which is ONE setting per account and
    region shared by every API there. false (default): this stack leaves it alone, so two environments in
    one account cannot overwrite each other and destroying one cannot break logging for the others. Stage
    access and execution logs need that role to be set once per account and region: set true in exactly one
    stack that owns it (e.g. an account baseline), or set it with
    `aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=<role arn>`.
  EOT
  type        = bool
  default     = false
}

#------------------------------------------------------------------------------
# Daily report
#------------------------------------------------------------------------------
variable "report_schedule_expression" {
  description = "Schedule of daily_report: cron(...) or rate(...), evaluated in report_schedule_timezone (Scheduler) or UTC (rule)."
  type        = string
  default     = "cron(0 6 * * ? *)"

  validation {
    condition     = can(regex("^(cron|rate)\\(.+\\)$", var.report_schedule_expression))
    error_message = "report_schedule_expression must be cron(...) or rate(...)."
  }
}

variable "report_schedule_kind" {
  description = "What fires daily_report: \"scheduler\" (default, EventBridge Scheduler: time zone, retries) or \"rule\" (an EventBridge schedule rule, UTC only)."
  type        = string
  default     = "scheduler"

  validation {
    condition     = contains(["scheduler", "rule"], var.report_schedule_kind)
    error_message = "report_schedule_kind must be \"scheduler\" or \"rule\"."
  }
}

variable "report_schedule_timezone" {
  description = "IANA time zone of report_schedule_expression with report_schedule_kind = \"scheduler\" (e.g. Europe/Berlin: cron(0 6 * * ? *) is then 06:00 Berlin time, daylight saving included). Rules run in UTC only."
  type        = string
  default     = "Etc/UTC"

  validation {
    condition     = var.report_schedule_timezone == "Etc/UTC" || var.report_schedule_kind == "scheduler"
    error_message = "report_schedule_timezone needs report_schedule_kind = \"scheduler\": EventBridge rules run in UTC only."
  }
}

variable "enable_vpc" {
  description = "Run daily_report in a private VPC (two subnets, egress-only security group, S3/DynamoDB gateway endpoints)."
  type        = bool
  default     = true
}

variable "vpc_cidr" {
  description = "CIDR of the daily_report VPC."
  type        = string
  default     = "10.42.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0))
    error_message = "vpc_cidr must be a valid IPv4 CIDR."
  }
}

variable "enable_vpc_flow_logs" {
  description = "Send the daily_report VPC's flow logs to CloudWatch Logs (with enable_vpc)."
  type        = bool
  default     = true
}

variable "reports_expiration_days" {
  description = "Days after which reports expire (0 = never)."
  type        = number
  default     = 365
}

#------------------------------------------------------------------------------
# Storage
#------------------------------------------------------------------------------
variable "enable_bucket_versioning" {
  description = "Enable versioning on the uploads, thumbnails and reports buckets."
  type        = bool
  default     = true
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent object versions expire (with versioning on)."
  type        = number
  default     = 30
}

variable "bucket_name_suffix" {
  description = "Suffix appended to bucket names to make them globally unique. null = the AWS account id."
  type        = string
  default     = null
}

variable "upload_cors_allowed_origins" {
  description = "Origins allowed to PUT to the uploads bucket with a presigned URL (browser uploads). [] = no CORS rule."
  type        = list(string)
  default     = []
}

variable "force_destroy_buckets" {
  description = "Allow terraform destroy to delete non-empty buckets (keep false outside throwaway environments)."
  type        = bool
  default     = false
}

variable "table_deletion_protection" {
  description = "Enable deletion protection on the DynamoDB tables."
  type        = bool
  default     = false
}

#------------------------------------------------------------------------------
# Alarms
#------------------------------------------------------------------------------
variable "alarm_period_seconds" {
  description = "Period of every alarm."
  type        = number
  default     = 60
}

variable "alarm_evaluation_periods" {
  description = "Evaluation periods of every alarm."
  type        = number
  default     = 1
}

variable "alarm_function_errors_threshold" {
  description = "Errors per period above which a function's Errors alarm fires."
  type        = number
  default     = 0
}

variable "alarm_iterator_age_ms" {
  description = "order_stream IteratorAge (ms) above which the stream alarm fires."
  type        = number
  default     = 60000
}

variable "alarm_email_endpoints" {
  description = "Email addresses subscribed to the alarms topic (each must confirm)."
  type        = list(string)
  default     = []
}

#------------------------------------------------------------------------------
# Orders bus
#------------------------------------------------------------------------------
variable "orders_archive_retention_days" {
  description = "Days the orders bus archive keeps events for replay (0 = forever, null = no archive)."
  type        = number
  default     = 30

  validation {
    condition     = var.orders_archive_retention_days == null || try(var.orders_archive_retention_days >= 0 && floor(var.orders_archive_retention_days) == var.orders_archive_retention_days, false)
    error_message = "orders_archive_retention_days must be null or a whole number of days >= 0."
  }
}

variable "orders_bus_dead_letter_queue" {
  description = "Give the orders bus a dead-letter queue (orders-bus-dlq, with a depth alarm) for events it cannot deliver."
  type        = bool
  default     = true
}
