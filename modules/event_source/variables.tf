variable "create" {
  description = "Whether to create any resource. With false the module plans nothing and every output is empty or null."
  type        = bool
  default     = true
}

variable "function_name" {
  description = "Name of the Lambda function that the sources invoke (unqualified)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1-64 characters of letters, digits, hyphens and underscores (the unqualified name, not an ARN)."
  }
}

variable "function_arn" {
  description = "Unqualified ARN of the Lambda function. Its partition, region and account are used for permissions and policies, so no data source is needed."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}$", var.function_arn))
    error_message = "function_arn must be an unqualified Lambda function ARN (arn:<partition>:lambda:<region>:<account>:function:<name>, no :alias or :version suffix)."
  }
}

variable "function_role_name" {
  description = "Name of the function's execution role. The module attaches an inline policy to it with exactly the read actions the event source mappings need. Null when no SQS/DynamoDB/Kinesis mapping is declared (or the policy is managed elsewhere; set create_role_policy = false)."
  type        = string
  default     = null
}

variable "create_role_policy" {
  description = "Whether to attach the inline policy for the event source mappings to function_role_name. Turn off only if you grant these actions yourself."
  type        = bool
  default     = true
}

variable "role_policy_name" {
  description = "Name of the inline role policy. Defaults to \"<function_name>-event-sources\"."
  type        = string
  default     = null
}

variable "qualifier" {
  description = "Optional alias name (e.g. \"live\"). When set, mappings, subscriptions, targets and permissions point at the alias instead of $LATEST."
  type        = string
  default     = null

  validation {
    condition     = var.qualifier == null || can(regex("^[A-Za-z0-9_-]{1,128}$", var.qualifier))
    error_message = "qualifier must be an alias name (letters, digits, hyphens, underscores), or null."
  }
}

variable "kms_key_arns" {
  description = "ARNs of customer-managed KMS keys that encrypt the SQS queues / Kinesis streams read by the mappings. Adds kms:Decrypt on them (and kms:GenerateDataKey when an on-failure destination is declared)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for k in var.kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:", k))])
    error_message = "kms_key_arns must contain KMS key ARNs."
  }
}

variable "sqs" {
  description = "SQS queues polled by the function, keyed by a stable name. Each adds an event source mapping (partial batch responses by default) and the queue read/delete permissions to the role."
  type = map(object({
    queue_arn                          = string
    batch_size                         = optional(number, 10)
    maximum_batching_window_in_seconds = optional(number, 0)
    report_batch_item_failures         = optional(bool, true)
    maximum_concurrency                = optional(number)
    filter_patterns                    = optional(list(string), [])
    enabled                            = optional(bool, true)
    metrics                            = optional(list(string), [])
    provisioned_poller_config = optional(object({
      minimum_pollers = optional(number, 2)
      maximum_pollers = optional(number, 200)
    }))
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.sqs) : can(regex("^[A-Za-z0-9_-]{1,64}$", k))])
    error_message = "sqs keys must be 1-64 characters of letters, digits, hyphens and underscores."
  }
  validation {
    condition     = alltrue([for v in values(var.sqs) : can(regex("^arn:aws[a-z-]*:sqs:", v.queue_arn))])
    error_message = "sqs[*].queue_arn must be an SQS queue ARN."
  }
  validation {
    condition     = alltrue([for v in values(var.sqs) : v.batch_size >= 1 && v.batch_size <= 10000])
    error_message = "sqs[*].batch_size must be between 1 and 10000."
  }
  validation {
    condition     = alltrue([for v in values(var.sqs) : v.maximum_batching_window_in_seconds >= 0 && v.maximum_batching_window_in_seconds <= 300])
    error_message = "sqs[*].maximum_batching_window_in_seconds must be between 0 and 300."
  }
  validation {
    condition     = alltrue([for v in values(var.sqs) : v.batch_size <= 10 || v.maximum_batching_window_in_seconds >= 1])
    error_message = "sqs[*].batch_size above 10 requires maximum_batching_window_in_seconds >= 1 (AWS rule)."
  }
  validation {
    condition     = alltrue([for v in values(var.sqs) : v.maximum_concurrency == null ? true : (v.maximum_concurrency >= 2 && v.maximum_concurrency <= 1000)])
    error_message = "sqs[*].maximum_concurrency must be between 2 and 1000 (or null for no limit)."
  }
  validation {
    condition     = alltrue([for v in values(var.sqs) : length(v.filter_patterns) <= 10 && alltrue([for p in v.filter_patterns : can(jsondecode(p))])])
    error_message = "sqs[*].filter_patterns must be at most 10 JSON filter patterns."
  }
  validation {
    condition     = alltrue([for v in values(var.sqs) : alltrue([for m in v.metrics : m == "EventCount"])])
    error_message = "sqs[*].metrics may only hold \"EventCount\" (ErrorCount and KafkaMetrics are for Kafka sources)."
  }
  validation {
    condition = alltrue([for v in values(var.sqs) : v.provisioned_poller_config == null ? true : (
      v.provisioned_poller_config.minimum_pollers >= 2 && v.provisioned_poller_config.minimum_pollers <= 200 &&
      v.provisioned_poller_config.maximum_pollers >= 2 && v.provisioned_poller_config.maximum_pollers <= 10000 &&
      v.provisioned_poller_config.minimum_pollers <= v.provisioned_poller_config.maximum_pollers &&
      floor(v.provisioned_poller_config.minimum_pollers) == v.provisioned_poller_config.minimum_pollers &&
      floor(v.provisioned_poller_config.maximum_pollers) == v.provisioned_poller_config.maximum_pollers
    )])
    error_message = "sqs[*].provisioned_poller_config needs integers 2 <= minimum_pollers <= 200, 2 <= maximum_pollers <= 10000, and minimum_pollers <= maximum_pollers (AWS limits for SQS)."
  }
}

variable "dynamodb_streams" {
  description = "DynamoDB streams read by the function, keyed by a stable name. Each adds an event source mapping and stream read permissions (plus permission to reach the on-failure destination)."
  type = map(object({
    stream_arn                         = string
    starting_position                  = optional(string, "LATEST")
    batch_size                         = optional(number, 100)
    maximum_batching_window_in_seconds = optional(number, 0)
    bisect_batch_on_function_error     = optional(bool, true)
    maximum_retry_attempts             = optional(number, 3)
    maximum_record_age_in_seconds      = optional(number, -1)
    parallelization_factor             = optional(number, 1)
    report_batch_item_failures         = optional(bool, true)
    on_failure_destination_arn         = optional(string)
    filter_patterns                    = optional(list(string), [])
    tumbling_window_in_seconds         = optional(number)
    enabled                            = optional(bool, true)
    metrics                            = optional(list(string), [])
    provisioned_poller_config          = optional(any)
  }))
  default = {}

  validation {
    condition     = alltrue([for v in values(var.dynamodb_streams) : alltrue([for m in v.metrics : m == "EventCount"])])
    error_message = "dynamodb_streams[*].metrics may only hold \"EventCount\" (ErrorCount and KafkaMetrics are for Kafka sources)."
  }
  validation {
    condition     = alltrue([for v in values(var.dynamodb_streams) : v.provisioned_poller_config == null])
    error_message = "dynamodb_streams[*].provisioned_poller_config is not supported: AWS offers provisioned mode for SQS and Kafka sources, not for streams."
  }

  validation {
    condition     = alltrue([for k in keys(var.dynamodb_streams) : can(regex("^[A-Za-z0-9_-]{1,64}$", k))])
    error_message = "dynamodb_streams keys must be 1-64 characters of letters, digits, hyphens and underscores."
  }
  validation {
    condition     = alltrue([for v in values(var.dynamodb_streams) : can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[^/]+/stream/[^/]+$", v.stream_arn))])
    error_message = "dynamodb_streams[*].stream_arn must be a DynamoDB stream ARN (arn:...:table/<table>/stream/<label>)."
  }
  validation {
    condition     = alltrue([for v in values(var.dynamodb_streams) : contains(["TRIM_HORIZON", "LATEST"], v.starting_position)])
    error_message = "dynamodb_streams[*].starting_position must be TRIM_HORIZON or LATEST."
  }
  validation {
    condition     = alltrue([for v in values(var.dynamodb_streams) : v.batch_size >= 1 && v.batch_size <= 10000 && v.maximum_batching_window_in_seconds >= 0 && v.maximum_batching_window_in_seconds <= 300])
    error_message = "dynamodb_streams[*].batch_size must be 1-10000 and maximum_batching_window_in_seconds 0-300."
  }
  validation {
    condition     = alltrue([for v in values(var.dynamodb_streams) : v.maximum_retry_attempts >= -1 && v.maximum_retry_attempts <= 10000])
    error_message = "dynamodb_streams[*].maximum_retry_attempts must be between -1 (infinite) and 10000."
  }
  validation {
    condition     = alltrue([for v in values(var.dynamodb_streams) : v.maximum_record_age_in_seconds == -1 || (v.maximum_record_age_in_seconds >= 60 && v.maximum_record_age_in_seconds <= 604800)])
    error_message = "dynamodb_streams[*].maximum_record_age_in_seconds must be -1 (infinite) or 60-604800."
  }
  validation {
    condition     = alltrue([for v in values(var.dynamodb_streams) : v.parallelization_factor >= 1 && v.parallelization_factor <= 10])
    error_message = "dynamodb_streams[*].parallelization_factor must be between 1 and 10."
  }
  validation {
    condition     = alltrue([for v in values(var.dynamodb_streams) : v.tumbling_window_in_seconds == null ? true : (v.tumbling_window_in_seconds >= 0 && v.tumbling_window_in_seconds <= 900)])
    error_message = "dynamodb_streams[*].tumbling_window_in_seconds must be between 0 and 900."
  }
  validation {
    condition     = alltrue([for v in values(var.dynamodb_streams) : v.on_failure_destination_arn == null || can(regex("^arn:aws[a-z-]*:(sqs|sns|s3):", v.on_failure_destination_arn))])
    error_message = "dynamodb_streams[*].on_failure_destination_arn must be an SQS queue, SNS topic or S3 bucket ARN."
  }
  validation {
    condition     = alltrue([for v in values(var.dynamodb_streams) : length(v.filter_patterns) <= 10 && alltrue([for p in v.filter_patterns : can(jsondecode(p))])])
    error_message = "dynamodb_streams[*].filter_patterns must be at most 10 JSON filter patterns."
  }
}

variable "kinesis" {
  description = "Kinesis data streams (or enhanced fan-out consumer ARNs) read by the function, keyed by a stable name. Each adds an event source mapping and stream read permissions (plus permission to reach the on-failure destination)."
  type = map(object({
    stream_arn                         = string
    starting_position                  = optional(string, "LATEST")
    starting_position_timestamp        = optional(string)
    batch_size                         = optional(number, 100)
    maximum_batching_window_in_seconds = optional(number, 0)
    bisect_batch_on_function_error     = optional(bool, true)
    maximum_retry_attempts             = optional(number, 3)
    maximum_record_age_in_seconds      = optional(number, -1)
    parallelization_factor             = optional(number, 1)
    report_batch_item_failures         = optional(bool, true)
    on_failure_destination_arn         = optional(string)
    filter_patterns                    = optional(list(string), [])
    tumbling_window_in_seconds         = optional(number)
    enabled                            = optional(bool, true)
    metrics                            = optional(list(string), [])
    provisioned_poller_config          = optional(any)
  }))
  default = {}

  validation {
    condition     = alltrue([for v in values(var.kinesis) : alltrue([for m in v.metrics : m == "EventCount"])])
    error_message = "kinesis[*].metrics may only hold \"EventCount\" (ErrorCount and KafkaMetrics are for Kafka sources)."
  }
  validation {
    condition     = alltrue([for v in values(var.kinesis) : v.provisioned_poller_config == null])
    error_message = "kinesis[*].provisioned_poller_config is not supported: AWS offers provisioned mode for SQS and Kafka sources, not for streams."
  }

  validation {
    condition     = alltrue([for k in keys(var.kinesis) : can(regex("^[A-Za-z0-9_-]{1,64}$", k))])
    error_message = "kinesis keys must be 1-64 characters of letters, digits, hyphens and underscores."
  }
  validation {
    condition     = alltrue([for v in values(var.kinesis) : can(regex("^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:[0-9]{12}:stream/", v.stream_arn))])
    error_message = "kinesis[*].stream_arn must be a Kinesis stream ARN (or a stream consumer ARN)."
  }
  validation {
    condition     = alltrue([for v in values(var.kinesis) : contains(["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"], v.starting_position)])
    error_message = "kinesis[*].starting_position must be TRIM_HORIZON, LATEST or AT_TIMESTAMP."
  }
  validation {
    condition     = alltrue([for v in values(var.kinesis) : (v.starting_position == "AT_TIMESTAMP") == (v.starting_position_timestamp != null)])
    error_message = "kinesis[*].starting_position_timestamp is required with (and only with) starting_position AT_TIMESTAMP."
  }
  validation {
    condition     = alltrue([for v in values(var.kinesis) : v.batch_size >= 1 && v.batch_size <= 10000 && v.maximum_batching_window_in_seconds >= 0 && v.maximum_batching_window_in_seconds <= 300])
    error_message = "kinesis[*].batch_size must be 1-10000 and maximum_batching_window_in_seconds 0-300."
  }
  validation {
    condition     = alltrue([for v in values(var.kinesis) : v.maximum_retry_attempts >= -1 && v.maximum_retry_attempts <= 10000])
    error_message = "kinesis[*].maximum_retry_attempts must be between -1 (infinite) and 10000."
  }
  validation {
    condition     = alltrue([for v in values(var.kinesis) : v.maximum_record_age_in_seconds == -1 || (v.maximum_record_age_in_seconds >= 60 && v.maximum_record_age_in_seconds <= 604800)])
    error_message = "kinesis[*].maximum_record_age_in_seconds must be -1 (infinite) or 60-604800."
  }
  validation {
    condition     = alltrue([for v in values(var.kinesis) : v.parallelization_factor >= 1 && v.parallelization_factor <= 10])
    error_message = "kinesis[*].parallelization_factor must be between 1 and 10."
  }
  validation {
    condition     = alltrue([for v in values(var.kinesis) : v.tumbling_window_in_seconds == null ? true : (v.tumbling_window_in_seconds >= 0 && v.tumbling_window_in_seconds <= 900)])
    error_message = "kinesis[*].tumbling_window_in_seconds must be between 0 and 900."
  }
  validation {
    condition     = alltrue([for v in values(var.kinesis) : v.on_failure_destination_arn == null || can(regex("^arn:aws[a-z-]*:(sqs|sns|s3):", v.on_failure_destination_arn))])
    error_message = "kinesis[*].on_failure_destination_arn must be an SQS queue, SNS topic or S3 bucket ARN."
  }
  validation {
    condition     = alltrue([for v in values(var.kinesis) : length(v.filter_patterns) <= 10 && alltrue([for p in v.filter_patterns : can(jsondecode(p))])])
    error_message = "kinesis[*].filter_patterns must be at most 10 JSON filter patterns."
  }
}

variable "s3_notifications" {
  description = <<-EOT
    S3 event notifications that invoke this function, keyed by a stable name. Entries here and in
    s3_queue_notifications are grouped by bucket_name into ONE aws_s3_bucket_notification per bucket:
    S3 keeps a single notification configuration per bucket, so a bucket listed here must not be
    notified from anywhere else (another module call or resource would overwrite it). A lambda
    permission scoped to the bucket ARN and the account is added per bucket. bucket_name must be
    known at plan time (pass aws_s3_bucket.x.bucket, not .id). bucket_arn defaults to the ARN of
    bucket_name in the function's partition.
  EOT
  type = map(object({
    bucket_name   = string
    bucket_arn    = optional(string)
    events        = optional(list(string), ["s3:ObjectCreated:*"])
    filter_prefix = optional(string)
    filter_suffix = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.s3_notifications) : can(regex("^[A-Za-z0-9_-]{1,64}$", k))])
    error_message = "s3_notifications keys must be 1-64 characters of letters, digits, hyphens and underscores."
  }
  validation {
    condition     = alltrue([for v in values(var.s3_notifications) : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", v.bucket_name))])
    error_message = "s3_notifications[*].bucket_name must be a bucket name (not an ARN)."
  }
  validation {
    condition     = alltrue([for v in values(var.s3_notifications) : v.bucket_arn == null || can(regex("^arn:aws[a-z-]*:s3:::${v.bucket_name}$", v.bucket_arn))])
    error_message = "s3_notifications[*].bucket_arn must be the ARN of bucket_name."
  }
  validation {
    condition     = alltrue([for v in values(var.s3_notifications) : length(v.events) > 0 && alltrue([for e in v.events : can(regex("^s3:[A-Za-z]+(:(\\*|[A-Za-z]+))?$", e))])])
    error_message = "s3_notifications[*].events must be a non-empty list of S3 event types such as s3:ObjectCreated:* or s3:ObjectRemoved:Delete."
  }
}

variable "s3_queue_notifications" {
  description = <<-EOT
    S3 event notifications delivered to an SQS queue instead of the function (S3 -> SQS -> this
    function through an `sqs` mapping), keyed by a stable name. Grouped with s3_notifications into
    one notification configuration per bucket (same single-configuration rule). No lambda
    permission is created; the queue owner must allow s3.amazonaws.com to sqs:SendMessage with
    aws:SourceArn = bucket ARN and aws:SourceAccount (the queue_policy_statements output has the
    statement) and pass that policy through s3_notification_depends_on, because S3 checks the
    destination when the configuration is written.
  EOT
  type = map(object({
    bucket_name   = string
    bucket_arn    = optional(string)
    queue_arn     = string
    events        = optional(list(string), ["s3:ObjectCreated:*"])
    filter_prefix = optional(string)
    filter_suffix = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.s3_queue_notifications) : can(regex("^[A-Za-z0-9_-]{1,64}$", k))])
    error_message = "s3_queue_notifications keys must be 1-64 characters of letters, digits, hyphens and underscores."
  }
  validation {
    condition     = alltrue([for v in values(var.s3_queue_notifications) : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", v.bucket_name))])
    error_message = "s3_queue_notifications[*].bucket_name must be a bucket name (not an ARN)."
  }
  validation {
    condition     = alltrue([for v in values(var.s3_queue_notifications) : v.bucket_arn == null || can(regex("^arn:aws[a-z-]*:s3:::${v.bucket_name}$", v.bucket_arn))])
    error_message = "s3_queue_notifications[*].bucket_arn must be the ARN of bucket_name."
  }
  validation {
    condition     = alltrue([for v in values(var.s3_queue_notifications) : can(regex("^arn:aws[a-z-]*:sqs:", v.queue_arn))])
    error_message = "s3_queue_notifications[*].queue_arn must be an SQS queue ARN."
  }
  validation {
    condition     = alltrue([for v in values(var.s3_queue_notifications) : length(v.events) > 0 && alltrue([for e in v.events : can(regex("^s3:[A-Za-z]+(:(\\*|[A-Za-z]+))?$", e))])])
    error_message = "s3_queue_notifications[*].events must be a non-empty list of S3 event types such as s3:ObjectCreated:*."
  }
}

variable "s3_notification_depends_on" {
  description = "Values (e.g. aws_sqs_queue_policy ids) the bucket notifications must wait for. S3 validates the destination when the notification is written, so a queue policy allowing s3.amazonaws.com must exist first. Only the notifications wait; the rest of the module does not."
  type        = list(string)
  default     = []
}

variable "sns_subscriptions" {
  description = "SNS topics that invoke the function, keyed by a stable name. Each adds a lambda subscription and a lambda permission scoped to the topic."
  type = map(object({
    topic_arn             = string
    filter_policy         = optional(string)
    filter_policy_scope   = optional(string)
    dead_letter_queue_arn = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.sns_subscriptions) : can(regex("^[A-Za-z0-9_-]{1,64}$", k))])
    error_message = "sns_subscriptions keys must be 1-64 characters of letters, digits, hyphens and underscores."
  }
  validation {
    condition     = alltrue([for v in values(var.sns_subscriptions) : can(regex("^arn:aws[a-z-]*:sns:", v.topic_arn))])
    error_message = "sns_subscriptions[*].topic_arn must be an SNS topic ARN."
  }
  validation {
    condition     = alltrue([for v in values(var.sns_subscriptions) : v.filter_policy == null || can(jsondecode(v.filter_policy))])
    error_message = "sns_subscriptions[*].filter_policy must be a JSON document."
  }
  validation {
    condition     = alltrue([for v in values(var.sns_subscriptions) : v.filter_policy_scope == null || contains(["MessageAttributes", "MessageBody"], coalesce(v.filter_policy_scope, "-"))])
    error_message = "sns_subscriptions[*].filter_policy_scope must be MessageAttributes or MessageBody."
  }
  validation {
    condition     = alltrue([for v in values(var.sns_subscriptions) : v.dead_letter_queue_arn == null || can(regex("^arn:aws[a-z-]*:sqs:", v.dead_letter_queue_arn))])
    error_message = "sns_subscriptions[*].dead_letter_queue_arn must be an SQS queue ARN."
  }
}

variable "eventbridge_rules" {
  description = "EventBridge rules (schedule or event pattern) that target the function, keyed by a stable name. Each adds a rule, a target (input, transformer, retry policy, DLQ) and a lambda permission scoped to the rule ARN. A DLQ's queue policy must allow events.amazonaws.com; see the queue_policy_statements output."
  type = map(object({
    name                = optional(string)
    description         = optional(string)
    event_bus_name      = optional(string, "default")
    schedule_expression = optional(string)
    event_pattern       = optional(string)
    input               = optional(string)
    input_transformer = optional(object({
      input_paths    = optional(map(string), {})
      input_template = string
    }))
    retry_policy = optional(object({
      maximum_retry_attempts       = optional(number, 185)
      maximum_event_age_in_seconds = optional(number, 86400)
    }), {})
    dead_letter_arn = optional(string)
    state           = optional(string, "ENABLED")
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.eventbridge_rules) : can(regex("^[A-Za-z0-9_-]{1,64}$", k))])
    error_message = "eventbridge_rules keys must be 1-64 characters of letters, digits, hyphens and underscores."
  }
  validation {
    condition     = alltrue([for v in values(var.eventbridge_rules) : (v.schedule_expression == null) != (v.event_pattern == null)])
    error_message = "eventbridge_rules[*] must set exactly one of schedule_expression and event_pattern."
  }
  validation {
    condition     = alltrue([for v in values(var.eventbridge_rules) : v.schedule_expression == null || can(regex("^(cron\\([^()]+\\)|rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\))$", v.schedule_expression))])
    error_message = "eventbridge_rules[*].schedule_expression must be cron(...) or rate(<n> <unit>)."
  }
  validation {
    condition     = alltrue([for v in values(var.eventbridge_rules) : v.schedule_expression == null || v.event_bus_name == "default"])
    error_message = "eventbridge_rules[*].schedule_expression is only supported on the default event bus."
  }
  validation {
    condition     = alltrue([for v in values(var.eventbridge_rules) : v.event_pattern == null || can(jsondecode(v.event_pattern))])
    error_message = "eventbridge_rules[*].event_pattern must be a JSON document."
  }
  validation {
    condition     = alltrue([for v in values(var.eventbridge_rules) : !(v.input != null && v.input_transformer != null)])
    error_message = "eventbridge_rules[*] may set input or input_transformer, not both."
  }
  validation {
    condition     = alltrue([for v in values(var.eventbridge_rules) : v.input == null || can(jsondecode(v.input))])
    error_message = "eventbridge_rules[*].input must be a JSON document."
  }
  validation {
    condition     = alltrue([for v in values(var.eventbridge_rules) : v.retry_policy.maximum_retry_attempts >= 0 && v.retry_policy.maximum_retry_attempts <= 185 && v.retry_policy.maximum_event_age_in_seconds >= 60 && v.retry_policy.maximum_event_age_in_seconds <= 86400])
    error_message = "eventbridge_rules[*].retry_policy: maximum_retry_attempts 0-185, maximum_event_age_in_seconds 60-86400."
  }
  validation {
    condition     = alltrue([for v in values(var.eventbridge_rules) : v.dead_letter_arn == null || can(regex("^arn:aws[a-z-]*:sqs:", v.dead_letter_arn))])
    error_message = "eventbridge_rules[*].dead_letter_arn must be an SQS queue ARN."
  }
  validation {
    condition     = alltrue([for v in values(var.eventbridge_rules) : contains(["ENABLED", "DISABLED"], v.state)])
    error_message = "eventbridge_rules[*].state must be ENABLED or DISABLED."
  }
  validation {
    condition     = alltrue([for v in values(var.eventbridge_rules) : v.name == null || can(regex("^[.A-Za-z0-9_-]{1,64}$", coalesce(v.name, "-")))])
    error_message = "eventbridge_rules[*].name must be 1-64 characters of letters, digits, dots, hyphens and underscores."
  }
}

variable "api_gateway" {
  description = "API Gateway REST APIs allowed to invoke the function, keyed by a stable name. path is appended to the execution ARN (\"<stage>/<METHOD>/<resource path>\", wildcards allowed)."
  type = map(object({
    rest_api_execution_arn = string
    path                   = optional(string, "*/*")
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.api_gateway) : can(regex("^[A-Za-z0-9_-]{1,64}$", k))])
    error_message = "api_gateway keys must be 1-64 characters of letters, digits, hyphens and underscores."
  }
  validation {
    condition     = alltrue([for v in values(var.api_gateway) : can(regex("^arn:aws[a-z-]*:execute-api:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9]+$", v.rest_api_execution_arn))])
    error_message = "api_gateway[*].rest_api_execution_arn must be an API execution ARN without a path (arn:...:execute-api:<region>:<account>:<api id>)."
  }
  validation {
    condition     = alltrue([for v in values(var.api_gateway) : length(v.path) > 0 && !startswith(v.path, "/")])
    error_message = "api_gateway[*].path must be non-empty and must not start with \"/\" (e.g. \"*/*\" or \"dev/GET/orders\")."
  }
}

variable "tags" {
  description = "Tags for the taggable resources (event source mappings, EventBridge rules)."
  type        = map(string)
  default     = {}
}

variable "schedules" {
  description = <<-EOT
    EventBridge Scheduler schedules that invoke the function (the alias when qualifier is set), keyed by a
    stable name; the alternative to a schedule rule in eventbridge_rules. Each takes a cron(), rate() or
    at() expression evaluated in `timezone` (IANA name, default Etc/UTC, so cron follows daylight saving
    in a local zone), an optional flexible window (1-1440 minutes; null = fire on time), a retry policy,
    an SQS dead-letter queue and a customer managed key. The module creates one Scheduler execution role
    allowed exactly what the targets need: lambda:InvokeFunction on the target, sqs:SendMessage on the
    DLQs, kms:Decrypt on the keys (kms:GenerateDataKey too on `dead_letter_kms_key_arn`, the key the DLQ is
    encrypted with, if any). `input` defaults to {"source":"aws.scheduler","time":<scheduled time>}.
  EOT
  type = map(object({
    name                         = optional(string)
    description                  = optional(string)
    group_name                   = optional(string, "default")
    schedule_expression          = string
    timezone                     = optional(string, "Etc/UTC")
    flexible_time_window_minutes = optional(number)
    start_date                   = optional(string)
    end_date                     = optional(string)
    input                        = optional(string)
    retry_policy = optional(object({
      maximum_retry_attempts       = optional(number, 185)
      maximum_event_age_in_seconds = optional(number, 86400)
    }), {})
    dead_letter_arn         = optional(string)
    dead_letter_kms_key_arn = optional(string)
    kms_key_arn             = optional(string)
    state                   = optional(string, "ENABLED")
  }))
  default = {}

  validation {
    condition     = alltrue([for k in keys(var.schedules) : can(regex("^[A-Za-z0-9_-]{1,64}$", k))])
    error_message = "schedules keys must be 1-64 characters of letters, digits, hyphens and underscores."
  }
  validation {
    condition     = alltrue([for v in values(var.schedules) : v.name == null || can(regex("^[.A-Za-z0-9_-]{1,64}$", coalesce(v.name, "-")))])
    error_message = "schedules[*].name must be 1-64 characters of letters, digits, dots, hyphens and underscores."
  }
  validation {
    condition     = alltrue([for v in values(var.schedules) : can(regex("^(cron\\([^()]+\\)|rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\)|at\\([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\))$", v.schedule_expression))])
    error_message = "schedules[*].schedule_expression must be cron(...), rate(<n> <unit>) or at(yyyy-mm-ddThh:mm:ss)."
  }
  validation {
    condition     = alltrue([for v in values(var.schedules) : can(regex("^(UTC|[A-Za-z]+(/[A-Za-z0-9_+-]+){1,2})$", v.timezone))])
    error_message = "schedules[*].timezone must be an IANA time zone name such as Etc/UTC, Europe/Berlin or America/Argentina/Buenos_Aires."
  }
  validation {
    condition     = alltrue([for v in values(var.schedules) : v.flexible_time_window_minutes == null || try(v.flexible_time_window_minutes >= 1 && v.flexible_time_window_minutes <= 1440 && floor(v.flexible_time_window_minutes) == v.flexible_time_window_minutes, false)])
    error_message = "schedules[*].flexible_time_window_minutes must be null (fire on time) or a whole number of minutes from 1 to 1440."
  }
  validation {
    condition     = alltrue([for v in values(var.schedules) : v.retry_policy.maximum_retry_attempts >= 0 && v.retry_policy.maximum_retry_attempts <= 185 && v.retry_policy.maximum_event_age_in_seconds >= 60 && v.retry_policy.maximum_event_age_in_seconds <= 86400])
    error_message = "schedules[*].retry_policy: maximum_retry_attempts 0-185, maximum_event_age_in_seconds 60-86400."
  }
  validation {
    condition     = alltrue([for v in values(var.schedules) : v.dead_letter_arn == null || can(regex("^arn:aws[a-z-]*:sqs:", v.dead_letter_arn))])
    error_message = "schedules[*].dead_letter_arn must be an SQS queue ARN."
  }
  validation {
    condition     = alltrue([for v in values(var.schedules) : v.dead_letter_kms_key_arn == null || (v.dead_letter_arn != null && can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", coalesce(v.dead_letter_kms_key_arn, "-"))))])
    error_message = "schedules[*].dead_letter_kms_key_arn must be a KMS key ARN, and only goes with a dead_letter_arn."
  }
  validation {
    condition     = alltrue([for v in values(var.schedules) : v.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", v.kms_key_arn))])
    error_message = "schedules[*].kms_key_arn must be a KMS key ARN."
  }
  validation {
    condition     = alltrue([for v in values(var.schedules) : v.input == null || can(jsondecode(v.input))])
    error_message = "schedules[*].input must be a JSON document."
  }
  validation {
    condition     = alltrue([for v in values(var.schedules) : contains(["ENABLED", "DISABLED"], v.state)])
    error_message = "schedules[*].state must be ENABLED or DISABLED."
  }
}

variable "scheduler_role_name" {
  description = "Name of the Scheduler execution role the module creates when schedules is not empty (default \"<function_name>-scheduler\", truncated to 64 characters)."
  type        = string
  default     = null

  validation {
    condition     = var.scheduler_role_name == null || can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", coalesce(var.scheduler_role_name, "x")))
    error_message = "scheduler_role_name must be 1-64 characters valid in an IAM role name."
  }
}
