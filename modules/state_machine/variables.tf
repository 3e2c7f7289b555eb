variable "create" {
  description = "Whether to create any resource. With false the module plans nothing and every output is null."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name of the state machine (1-80 characters: letters, digits, dots, hyphens, underscores, as Step Functions allows; AWS provider 5.x itself still refuses dots). Also names the role and the log group."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,80}$", var.name))
    error_message = "name must be 1-80 characters of letters, digits, dots, hyphens and underscores."
  }
}

variable "type" {
  description = "STANDARD (durable, exactly-once, up to a year) or EXPRESS (high-volume, at-least-once, up to 5 minutes)."
  type        = string
  default     = "STANDARD"

  validation {
    condition     = contains(["STANDARD", "EXPRESS"], var.type)
    error_message = "type must be STANDARD or EXPRESS."
  }
}

variable "definition_template" {
  description = "Path to an Amazon States Language template rendered with templatefile(path, definition_vars). Set exactly one of definition_template and definition."
  type        = string
  default     = null
}

variable "definition_vars" {
  description = "Substitutions for definition_template (e.g. Lambda ARNs, table and topic names). Lists can be passed as JSON strings and inserted verbatim."
  type        = map(string)
  default     = {}
}

variable "definition" {
  description = "The state machine definition as a raw Amazon States Language JSON string. Set exactly one of definition_template and definition."
  type        = string
  default     = null

  validation {
    condition     = var.definition == null || can(jsondecode(var.definition))
    error_message = "definition must be a JSON document."
  }
}

variable "publish" {
  description = "Whether to publish a new state machine version on every definition change (state_machine_version_arn)."
  type        = bool
  default     = false
}

variable "integrations" {
  description = <<-EOT
    Service integrations used by the definition. The execution role is derived from this and nothing else:
    lambda_function_arns -> lambda:InvokeFunction on each ARN and its versions/aliases ("<arn>:*");
    dynamodb -> the listed dynamodb:<Action>s on each table (plus its indexes with include_indexes);
    sns_topic_arns -> sns:Publish; sqs_queue_arns -> sqs:SendMessage; event_bus_arns -> events:PutEvents;
    state_machine_arns -> states:StartExecution, states:DescribeExecution/StopExecution on their executions, and
    events:PutTargets/PutRule/DescribeRule on the managed rule StepFunctionsGetEventsForStepFunctionsExecutionRule (.sync);
    kms_key_arns -> kms:Decrypt and kms:GenerateDataKey (for encrypted topics, queues, tables);
    s3 -> s3:GetObject (read) / s3:PutObject (write) on the bucket's objects and s3:ListBucket (list, e.g. a
    Distributed Map ItemReader over a prefix) on the bucket;
    http_endpoints (HTTP Task) -> states:InvokeHTTPEndpoint on this machine for URLs under url_prefix,
    events:RetrieveConnectionCredentials on the connection and secretsmanager:GetSecretValue/DescribeSecret
    on the connection's secret (events!connection/<name>/*).
  EOT
  type = object({
    lambda_function_arns = optional(list(string), [])
    dynamodb = optional(list(object({
      table_arn       = string
      actions         = list(string)
      include_indexes = optional(bool, false)
    })), [])
    sns_topic_arns     = optional(list(string), [])
    sqs_queue_arns     = optional(list(string), [])
    event_bus_arns     = optional(list(string), [])
    state_machine_arns = optional(list(string), [])
    kms_key_arns       = optional(list(string), [])
    s3 = optional(list(object({
      bucket_arn = string
      read       = optional(bool, true)
      write      = optional(bool, false)
      list       = optional(bool, false)
    })), [])
    http_endpoints = optional(list(object({
      connection_arn = string
      url_prefix     = string
    })), [])
  })
  default = {}

  validation {
    condition     = alltrue([for b in var.integrations.s3 : can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", b.bucket_arn)) && (b.read || b.write || b.list)])
    error_message = "integrations.s3[*].bucket_arn must be an S3 bucket ARN (no key), with at least one of read, write, list."
  }
  validation {
    condition     = alltrue([for h in var.integrations.http_endpoints : can(regex("^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:connection/[A-Za-z0-9_.-]+/[A-Za-z0-9-]+$", h.connection_arn)) && can(regex("^https://[^*]+$", h.url_prefix))])
    error_message = "integrations.http_endpoints[*]: connection_arn must be an EventBridge connection ARN and url_prefix an https:// URL prefix without wildcards."
  }

  validation {
    condition     = alltrue([for a in var.integrations.lambda_function_arns : can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$", a))])
    error_message = "integrations.lambda_function_arns must be Lambda function ARNs."
  }
  validation {
    condition     = alltrue([for t in var.integrations.dynamodb : can(regex("^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/[A-Za-z0-9_.-]+$", t.table_arn))])
    error_message = "integrations.dynamodb[*].table_arn must be a DynamoDB table ARN."
  }
  validation {
    condition     = alltrue([for t in var.integrations.dynamodb : length(t.actions) > 0 && alltrue([for a in t.actions : can(regex("^dynamodb:[A-Z][A-Za-z]+$", a))])])
    error_message = "integrations.dynamodb[*].actions must be a non-empty list of dynamodb:<Action> names (e.g. dynamodb:PutItem); wildcards such as dynamodb:* or dynamodb:Get* are not allowed."
  }
  validation {
    condition     = alltrue([for a in var.integrations.sns_topic_arns : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$", a))])
    error_message = "integrations.sns_topic_arns must be SNS topic ARNs."
  }
  validation {
    condition     = alltrue([for a in var.integrations.sqs_queue_arns : can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$", a))])
    error_message = "integrations.sqs_queue_arns must be SQS queue ARNs."
  }
  validation {
    condition     = alltrue([for a in var.integrations.event_bus_arns : can(regex("^arn:aws[a-z-]*:events:[a-z0-9-]+:[0-9]{12}:event-bus/[A-Za-z0-9/_.-]+$", a))])
    error_message = "integrations.event_bus_arns must be EventBridge event bus ARNs."
  }
  validation {
    condition     = alltrue([for a in var.integrations.state_machine_arns : can(regex("^arn:aws[a-z-]*:states:[a-z0-9-]+:[0-9]{12}:stateMachine:[A-Za-z0-9_.-]{1,80}$", a))])
    error_message = "integrations.state_machine_arns must be unqualified state machine ARNs."
  }
  validation {
    condition     = alltrue([for a in var.integrations.kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", a))])
    error_message = "integrations.kms_key_arns must be KMS key ARNs (not aliases)."
  }
}

variable "additional_policy_statements" {
  description = "Extra Allow statements for integrations not modelled by `integrations` (e.g. s3:GetObject for a Distributed Map). Actions must be explicit (no \"*\" wildcards)."
  type = list(object({
    sid       = optional(string)
    actions   = list(string)
    resources = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.additional_policy_statements : length(s.actions) > 0 && length(s.resources) > 0 && alltrue([for a in s.actions : can(regex("^[a-z0-9-]+:[A-Za-z0-9]+$", a))])])
    error_message = "additional_policy_statements need at least one resource and explicit service:Action names (no wildcards)."
  }
  validation {
    condition     = alltrue([for s in var.additional_policy_statements : s.sid == null || can(regex("^[A-Za-z0-9]+$", coalesce(s.sid, "x")))])
    error_message = "additional_policy_statements[*].sid must be alphanumeric."
  }
}

variable "role_arn" {
  description = "ARN of an existing execution role. When set the module creates no role and no policy (see the role_policy_json output for what the role needs)."
  type        = string
  default     = null

  validation {
    condition     = var.role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.role_arn))
    error_message = "role_arn must be an IAM role ARN."
  }
}

variable "role_name" {
  description = "Name of the created role. Defaults to \"<name>-sfn\" (truncated to 64 characters)."
  type        = string
  default     = null
}

variable "role_path" {
  description = "Path of the created role."
  type        = string
  default     = "/"
}

variable "role_permissions_boundary" {
  description = "ARN of a permissions boundary for the created role."
  type        = string
  default     = null
}

variable "logging_level" {
  description = "Execution history logging to CloudWatch Logs: ALL, ERROR, FATAL or OFF. With OFF no log group is created."
  type        = string
  default     = "ERROR"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL", "OFF"], var.logging_level)
    error_message = "logging_level must be ALL, ERROR, FATAL or OFF."
  }
}

variable "include_execution_data" {
  description = "Whether logs include execution input/output (may contain sensitive data)."
  type        = bool
  default     = false
}

variable "log_retention_in_days" {
  description = "Retention of the log group /aws/vendedlogs/states/<name>."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "log_kms_key_arn" {
  description = "ARN of a KMS key encrypting the log group (its key policy must allow logs.<region>.amazonaws.com)."
  type        = string
  default     = null
}

variable "tracing_enabled" {
  description = "Whether to enable AWS X-Ray tracing (adds the X-Ray write actions to the role)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for every taggable resource."
  type        = map(string)
  default     = {}
}

variable "state_machine_tags" {
  description = "Extra tags for the state machine."
  type        = map(string)
  default     = {}
}

variable "role_tags" {
  description = "Extra tags for the role."
  type        = map(string)
  default     = {}
}

variable "log_group_tags" {
  description = "Extra tags for the log group."
  type        = map(string)
  default     = {}
}

variable "encryption" {
  description = "Encrypt the state machine's definition and execution data with a customer managed key (encryption_configuration). The role gets kms:Decrypt and kms:GenerateDataKey on it for this machine's encryption context; the key policy must allow this role (and delivery.logs.amazonaws.com when logging is on). null = AWS owned key."
  type = object({
    kms_key_arn                       = string
    kms_data_key_reuse_period_seconds = optional(number, 300)
  })
  default = null

  validation {
    condition     = var.encryption == null || try(can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.encryption.kms_key_arn)) && var.encryption.kms_data_key_reuse_period_seconds >= 60 && var.encryption.kms_data_key_reuse_period_seconds <= 900, false)
    error_message = "encryption.kms_key_arn must be a KMS key ARN and kms_data_key_reuse_period_seconds 60-900."
  }
}

variable "alias" {
  description = "Create an aws_sfn_alias (needs publish = true). Without routing it sends 100% to the version this apply publishes; routing = [{ version_arn, weight }, ...] (1 or 2 entries, weights summing to 100) splits traffic, e.g. for a canary."
  type = object({
    name        = string
    description = optional(string)
    routing = optional(list(object({
      version_arn = string
      weight      = number
    })))
  })
  default = null

  validation {
    condition     = var.alias == null || try(can(regex("^[A-Za-z0-9_-]{1,80}$", var.alias.name)) && !can(regex("^[0-9]+$", var.alias.name)), false)
    error_message = "alias.name must be 1-80 letters, digits, hyphens and underscores, not only digits."
  }
  validation {
    condition     = var.alias == null ? true : var.alias.routing == null ? true : try(length(var.alias.routing) >= 1 && length(var.alias.routing) <= 2 && sum([for r in var.alias.routing : r.weight]) == 100, false)
    error_message = "alias.routing needs 1 or 2 entries whose weights sum to 100."
  }
}
