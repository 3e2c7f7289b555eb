################################################################################
# General
################################################################################

variable "create" {
  description = "Whether to create any resource at all. With false the module plans nothing and every output is null."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags applied to every resource the module creates."
  type        = map(string)
  default     = {}
}

variable "function_tags" {
  description = "Extra tags for the Lambda function (merged over `tags`)."
  type        = map(string)
  default     = {}
}

variable "role_tags" {
  description = "Extra tags for the execution role (merged over `tags`)."
  type        = map(string)
  default     = {}
}

variable "log_group_tags" {
  description = "Extra tags for the log group (merged over `tags`)."
  type        = map(string)
  default     = {}
}

################################################################################
# Function
################################################################################

variable "function_name" {
  description = "Name of the Lambda function (1-64 characters: letters, digits, hyphens, underscores)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.function_name))
    error_message = "function_name must be 1-64 characters of letters, digits, hyphens and underscores."
  }
}

variable "description" {
  description = "Description of the function (at most 256 characters)."
  type        = string
  default     = null

  validation {
    condition     = var.description == null ? true : length(var.description) <= 256
    error_message = "description must be at most 256 characters."
  }
}

variable "filename" {
  description = "Path to the deployment package (zip). With scripts/build.py: `<manifest dir>/<manifest.functions[name].path>`. Uploaded directly (at most 50 MB zipped), or to S3 with s3_package. May be null only with s3_package.upload = false (the object exists already)."
  type        = string
  default     = null

  validation {
    condition     = var.filename == null ? true : endswith(lower(var.filename), ".zip")
    error_message = "filename must point at a .zip deployment package."
  }
}

variable "s3_package" {
  description = <<-EOT
    Deploy the package from S3 instead of a direct upload (needed above Lambda's 50 MB direct-upload limit;
    up to 250 MB unzipped). `bucket` must be in the function's region. `upload = true` (default): the module
    uploads `filename` as an `aws_s3_object` at a content-addressed key, `<key_prefix><function_name>/<source_code_hash
    as base64url>.zip`, so a changed zip is a new object (the old one is deleted after the function moved on);
    `kms_key_arn` encrypts it with SSE-KMS (null = the bucket's default encryption). `upload = false`: the object
    already exists at `key` (optionally `object_version`), e.g. uploaded by CI; nothing is uploaded.
    Either way `source_code_hash` must be the zip's hash: it decides when Lambda's code is updated.
  EOT
  type = object({
    bucket         = string
    key            = optional(string)
    key_prefix     = optional(string, "lambda-packages/")
    upload         = optional(bool, true)
    object_version = optional(string)
    kms_key_arn    = optional(string)
  })
  default = null

  validation {
    condition     = var.s3_package == null ? true : can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.s3_package.bucket))
    error_message = "s3_package.bucket must be an S3 bucket name."
  }
  validation {
    condition     = var.s3_package == null ? true : (var.s3_package.upload ? var.s3_package.object_version == null : var.s3_package.key != null)
    error_message = "s3_package: with upload = false give the existing object's key; object_version applies only to an existing object (upload = false)."
  }
}

variable "source_code_hash" {
  description = "Base64-encoded SHA-256 of the zip (`manifest.functions[name].base64sha256`, or `filebase64sha256(filename)`). A change triggers a code update; an unchanged build never does."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+/]{43}=$", var.source_code_hash))
    error_message = "source_code_hash must be a base64-encoded SHA-256 (44 characters ending in '=')."
  }
}

variable "handler" {
  description = "Function entrypoint, e.g. `handler.lambda_handler` (Python/Node: `<module>.<function>`; Java: `package.Class::method`)."
  type        = string
  default     = "handler.lambda_handler"

  validation {
    condition     = can(regex("^[A-Za-z0-9_./:$-]{1,128}$", var.handler))
    error_message = "handler must be 1-128 characters of letters, digits and . _ / : $ - (no spaces)."
  }
}

variable "runtime" {
  description = <<-EOT
    Lambda runtime identifier. Checked by family, so a runtime AWS adds later passes without a module
    change: python3.N (N >= 10), nodejsN.x (N >= 20), javaN (N >= 17), dotnetN (N >= 8), ruby3.N (N >= 3),
    provided.al2 / provided.al20NN. Families and versions AWS has deprecated are refused.
  EOT
  type        = string
  default     = "python3.12"

  validation {
    condition = (
      can(regex("^python3\\.[0-9]+$", var.runtime)) ? tonumber(regex("^python3\\.([0-9]+)$", var.runtime)[0]) >= 10 :
      can(regex("^nodejs[0-9]+\\.x$", var.runtime)) ? tonumber(regex("^nodejs([0-9]+)\\.x$", var.runtime)[0]) >= 20 :
      can(regex("^java[0-9]+$", var.runtime)) ? tonumber(regex("^java([0-9]+)$", var.runtime)[0]) >= 17 :
      can(regex("^dotnet[0-9]+$", var.runtime)) ? tonumber(regex("^dotnet([0-9]+)$", var.runtime)[0]) >= 8 :
      can(regex("^ruby3\\.[0-9]+$", var.runtime)) ? tonumber(regex("^ruby3\\.([0-9]+)$", var.runtime)[0]) >= 3 :
      can(regex("^provided\\.al2(0[0-9]{2})?$", var.runtime))
    )
    error_message = "runtime \"${var.runtime}\" is not a supported Lambda runtime: python3.N (N >= 10), nodejsN.x (N >= 20), javaN (N >= 17), dotnetN (N >= 8), ruby3.N (N >= 3), provided.al2 or provided.al20NN."
  }
}

variable "architectures" {
  description = "Instruction set architecture: exactly one of `x86_64` or `arm64`, as a one-element list."
  type        = list(string)
  default     = ["x86_64"]

  validation {
    condition     = length(var.architectures) == 1 && alltrue([for a in var.architectures : contains(["x86_64", "arm64"], a)])
    error_message = "architectures must be exactly one of [\"x86_64\"] or [\"arm64\"]."
  }
}

variable "memory_size" {
  description = "Memory in MB (128-10240). CPU scales with memory."
  type        = number
  default     = 128

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be an integer between 128 and 10240."
  }
}

variable "timeout" {
  description = "Timeout in seconds (1-900)."
  type        = number
  default     = 3

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be an integer between 1 and 900 seconds."
  }
}

variable "ephemeral_storage_size" {
  description = "Size of /tmp (ephemeral storage) in MB, an integer from 512 (the free default) to 10240."
  type        = number
  default     = 512

  validation {
    condition     = var.ephemeral_storage_size >= 512 && var.ephemeral_storage_size <= 10240 && floor(var.ephemeral_storage_size) == var.ephemeral_storage_size
    error_message = "ephemeral_storage_size must be an integer between 512 and 10240 MB."
  }
}

variable "environment_variables" {
  description = "Environment variables. Lambda rejects more than 4 KB in total (the UTF-8 bytes of every name and value); this is checked at plan time. Do not put secrets here."
  type        = map(string)
  default     = {}

  # Bytes, not characters: the base64 length gives the exact UTF-8 size (3 bytes per 4 characters, less padding).
  validation {
    condition = (
      length(base64encode(join("", [for k, v in var.environment_variables : "${k}${v}"]))) * 3 / 4
      -length(regexall("=", base64encode(join("", [for k, v in var.environment_variables : "${k}${v}"]))))
    ) <= 4096
    error_message = "environment_variables exceed Lambda's 4 KB limit (the UTF-8 bytes of all names and values)."
  }

  validation {
    condition     = alltrue([for k in keys(var.environment_variables) : can(regex("^[A-Za-z][A-Za-z0-9_]*$", k))])
    error_message = "environment variable names must start with a letter and contain only letters, digits and underscores."
  }
}

variable "kms_key_arn" {
  description = "KMS key ARN used to encrypt environment variables at rest (null = AWS managed key)."
  type        = string
  default     = null
}

variable "code_signing_config_arn" {
  description = "ARN of a Lambda code signing config to enforce signed deployment packages (null = no code signing)."
  type        = string
  default     = null
}

variable "layers" {
  description = "Layer version ARNs (at most 5), applied in order."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.layers) <= 5
    error_message = "A function can use at most 5 layers."
  }

  validation {
    condition     = alltrue([for l in var.layers : can(regex("^arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:layer:[A-Za-z0-9_-]+:[0-9]+$", l))])
    error_message = "Each layer must be a layer version ARN (arn:<partition>:lambda:<region>:<account>:layer:<name>:<version>)."
  }
}

variable "reserved_concurrent_executions" {
  description = "Reserved concurrency: -1 = unreserved (default), 0 = throttle every invocation, N = cap at N (protects downstreams)."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrent_executions >= -1 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions
    error_message = "reserved_concurrent_executions must be an integer >= -1."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing mode: `Active` (sample and trace) or `PassThrough` (trace only when the caller sampled)."
  type        = string
  default     = "Active"

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

variable "vpc_config" {
  description = "Run the function in a VPC. Adds the ENI-management statement to the role. null = no VPC."
  type = object({
    subnet_ids                  = list(string)
    security_group_ids          = list(string)
    ipv6_allowed_for_dual_stack = optional(bool, false)
  })
  default = null

  validation {
    condition     = var.vpc_config == null ? true : (length(var.vpc_config.subnet_ids) > 0 && length(var.vpc_config.security_group_ids) > 0)
    error_message = "vpc_config needs at least one subnet id and one security group id."
  }
}

variable "dead_letter_target_arn" {
  description = "SQS queue or SNS topic ARN that receives events whose asynchronous invocation failed every attempt. Adds sqs:SendMessage / sns:Publish on it to the role."
  type        = string
  default     = null

  validation {
    condition     = var.dead_letter_target_arn == null ? true : can(regex("^arn:[a-z-]+:(sqs|sns):", var.dead_letter_target_arn))
    error_message = "dead_letter_target_arn must be an SQS queue or SNS topic ARN."
  }
}

################################################################################
# Logging
################################################################################

variable "log_format" {
  description = "Log format: `JSON` (structured, enables log level filtering) or `Text`."
  type        = string
  default     = "JSON"

  validation {
    condition     = contains(["JSON", "Text"], var.log_format)
    error_message = "log_format must be JSON or Text."
  }
}

variable "application_log_level" {
  description = "Application log level filter (JSON format only): TRACE, DEBUG, INFO, WARN, ERROR, FATAL. null = Lambda default (INFO)."
  type        = string
  default     = null

  validation {
    condition     = var.application_log_level == null ? true : contains(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"], var.application_log_level)
    error_message = "application_log_level must be one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL."
  }
}

variable "system_log_level" {
  description = "System (platform) log level filter (JSON format only): DEBUG, INFO, WARN. null = Lambda default (INFO)."
  type        = string
  default     = null

  validation {
    condition     = var.system_log_level == null ? true : contains(["DEBUG", "INFO", "WARN"], var.system_log_level)
    error_message = "system_log_level must be one of DEBUG, INFO, WARN."
  }
}

variable "log_group_name" {
  description = "Name of the function's log group (null = `/aws/lambda/<function_name>`). A custom name lets several functions share one group; Lambda writes there through `logging_config`, and the role may write only there."
  type        = string
  default     = null

  validation {
    condition     = var.log_group_name == null ? true : can(regex("^[A-Za-z0-9._/#-]{1,512}$", var.log_group_name))
    error_message = "log_group_name must be 1-512 characters of letters, digits and . _ / # -."
  }
}

variable "create_log_group" {
  description = "Create the log group (retention, KMS and tags from the inputs below). false = use the existing group named log_group_name (or `/aws/lambda/<function_name>`), looked up at plan time; the module then leaves its retention and encryption alone."
  type        = bool
  default     = true
}

variable "log_retention_in_days" {
  description = "Retention of the created log group in days (0 = never expire). Ignored with create_log_group = false."
  type        = number
  default     = 30

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "log_retention_in_days must be one of 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key ARN to encrypt the created log group (the key policy must allow logs.<region>.amazonaws.com). null = CloudWatch Logs default encryption. Ignored with create_log_group = false."
  type        = string
  default     = null
}

################################################################################
# IAM
################################################################################

variable "role_arn" {
  description = "Bring your own execution role. When set, the module creates no role and attaches nothing to it: that role must already allow logging, tracing, VPC access and destinations as needed."
  type        = string
  default     = null

  validation {
    condition     = var.role_arn == null ? true : can(regex("^arn:[a-z-]+:iam::[0-9]{12}:role/.+$", var.role_arn))
    error_message = "role_arn must be an IAM role ARN."
  }
}

variable "role_name" {
  description = "Name of the created execution role (default: the function name)."
  type        = string
  default     = null

  validation {
    condition     = var.role_name == null ? true : can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "role_path" {
  description = "Path of the created execution role."
  type        = string
  default     = "/"
}

variable "role_permissions_boundary" {
  description = "ARN of a permissions boundary for the created execution role."
  type        = string
  default     = null
}

variable "policy_statements" {
  description = <<-EOT
    Least-privilege statements added to the execution role (inline policy `statements`), keyed by a
    name that becomes the Sid. Actions must be explicit: `*` and `service:*` are rejected.
    Each condition: `{ test = "StringEquals", variable = "aws:SourceAccount", values = ["123456789012"] }`.
  EOT
  type = map(object({
    effect    = optional(string, "Allow")
    actions   = list(string)
    resources = list(string)
    conditions = optional(list(object({
      test     = string
      variable = string
      values   = list(string)
    })), [])
  }))
  default = {}

  validation {
    condition     = alltrue([for k, s in var.policy_statements : can(regex("^[A-Za-z0-9_-]+$", k))])
    error_message = "policy_statements keys must contain only letters, digits, hyphens and underscores (they become Sids)."
  }

  # The Sid is the key without - and _ (IAM allows only letters and digits), so two keys can map to one Sid.
  validation {
    condition = alltrue([
      for sid, ks in { for k in keys(var.policy_statements) : replace(k, "/[^A-Za-z0-9]/", "") => k... } : length(ks) == 1
    ])
    error_message = format(
      "policy_statements keys must stay distinct without - and _ (they become Sids); these collide: %s.",
      join("; ", [for sid, ks in { for k in keys(var.policy_statements) : replace(k, "/[^A-Za-z0-9]/", "") => k... } : format("%s -> %s", join(", ", ks), sid) if length(ks) > 1])
    )
  }

  validation {
    condition     = alltrue([for s in var.policy_statements : contains(["Allow", "Deny"], s.effect)])
    error_message = "policy_statements effect must be Allow or Deny."
  }

  validation {
    condition = alltrue(flatten([
      for s in var.policy_statements : [
        for a in s.actions : can(regex("^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$", a)) && !can(regex("^[^:]+:\\*$", a))
      ]
    ]))
    error_message = "policy_statements actions must be explicit `service:Action` names: `*` and `service:*` are not allowed."
  }

  validation {
    condition     = alltrue([for s in var.policy_statements : length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "Every policy statement needs at least one action and one resource."
  }
}

################################################################################
# Versions, alias, concurrency
################################################################################

variable "publish" {
  description = "Publish a new version on every code or configuration change. Required for provisioned concurrency."
  type        = bool
  default     = false
}

variable "alias_name" {
  description = "Create an alias (e.g. `live`) pointing at the published version (at `$LATEST` when publish = false). Triggers, async config, URL and provisioned concurrency then target the alias."
  type        = string
  default     = null

  validation {
    condition     = var.alias_name == null ? true : can(regex("^[A-Za-z0-9_-]{1,128}$", var.alias_name)) && !can(regex("^[0-9]+$", var.alias_name))
    error_message = "alias_name must be 1-128 characters of letters, digits, hyphens and underscores, and not only digits (that would be a version number)."
  }
}

variable "provisioned_concurrency" {
  description = "Provisioned concurrent executions on the alias (0 = off). Needs publish = true and alias_name."
  type        = number
  default     = 0

  validation {
    condition     = var.provisioned_concurrency >= 0 && floor(var.provisioned_concurrency) == var.provisioned_concurrency
    error_message = "provisioned_concurrency must be an integer >= 0."
  }
}

variable "provisioned_concurrency_autoscaling" {
  description = "Target-tracking autoscaling of provisioned concurrency on the alias (metric LambdaProvisionedConcurrencyUtilization). Needs publish = true and alias_name. Terraform then ignores the live provisioned value."
  type = object({
    min_capacity       = number
    max_capacity       = number
    target_utilization = optional(number, 0.7)
  })
  default = null

  validation {
    condition = var.provisioned_concurrency_autoscaling == null ? true : (
      var.provisioned_concurrency_autoscaling.min_capacity >= 1 &&
      var.provisioned_concurrency_autoscaling.max_capacity >= var.provisioned_concurrency_autoscaling.min_capacity &&
      var.provisioned_concurrency_autoscaling.target_utilization > 0.1 &&
      var.provisioned_concurrency_autoscaling.target_utilization <= 0.9
    )
    error_message = "provisioned_concurrency_autoscaling needs 1 <= min_capacity <= max_capacity and 0.1 < target_utilization <= 0.9."
  }
}

################################################################################
# Async invocation
################################################################################

variable "async_invoke" {
  description = "Asynchronous invocation config (on the alias when set): retries 0-2, max event age 60-21600 s, destinations (SQS, SNS, Lambda or EventBridge ARNs; an S3 bucket ARN for on-failure only, as AWS allows). The role gets the actions each destination needs (S3: PutObject on its objects, ListBucket on the bucket)."
  type = object({
    maximum_retry_attempts       = optional(number, 2)
    maximum_event_age_in_seconds = optional(number, 21600)
    on_success_destination_arn   = optional(string)
    on_failure_destination_arn   = optional(string)
  })
  default = null

  validation {
    condition     = var.async_invoke == null ? true : (var.async_invoke.maximum_retry_attempts >= 0 && var.async_invoke.maximum_retry_attempts <= 2)
    error_message = "async_invoke.maximum_retry_attempts must be 0, 1 or 2."
  }

  validation {
    condition     = var.async_invoke == null ? true : (var.async_invoke.maximum_event_age_in_seconds >= 60 && var.async_invoke.maximum_event_age_in_seconds <= 21600)
    error_message = "async_invoke.maximum_event_age_in_seconds must be between 60 and 21600."
  }

  validation {
    condition = var.async_invoke == null ? true : alltrue([
      for a in compact([var.async_invoke.on_success_destination_arn]) : can(regex("^arn:[a-z-]+:(sqs|sns|lambda|events):", a))
    ])
    error_message = "async_invoke.on_success_destination_arn must be an SQS queue, SNS topic, Lambda function or EventBridge bus ARN (AWS accepts S3 buckets for on-failure only)."
  }

  validation {
    condition = var.async_invoke == null ? true : alltrue([
      for a in compact([var.async_invoke.on_failure_destination_arn]) : can(regex("^arn:[a-z-]+:(sqs|sns|lambda|events):", a)) || can(regex("^arn:[a-z-]+:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", a))
    ])
    error_message = "async_invoke.on_failure_destination_arn must be an SQS queue, SNS topic, Lambda function, EventBridge bus or S3 bucket ARN."
  }
}

################################################################################
# Triggers and URL
################################################################################

variable "allowed_triggers" {
  description = "Resource-based permissions (`aws_lambda_permission`), keyed by statement id. Scope every service principal with `source_arn` (and `source_account` for S3)."
  type = map(object({
    principal      = string
    source_arn     = optional(string)
    source_account = optional(string)
    action         = optional(string, "lambda:InvokeFunction")
  }))
  default = {}

  validation {
    condition     = alltrue([for k, t in var.allowed_triggers : can(regex("^[A-Za-z0-9_-]{1,100}$", k))])
    error_message = "allowed_triggers keys become statement ids: 1-100 letters, digits, hyphens, underscores."
  }

  validation {
    condition     = alltrue([for t in var.allowed_triggers : t.principal != "*"])
    error_message = "allowed_triggers principal must not be `*`; name the service or account."
  }

  validation {
    condition     = alltrue([for t in var.allowed_triggers : contains(["lambda:InvokeFunction", "lambda:InvokeFunctionUrl"], t.action)])
    error_message = "allowed_triggers action must be lambda:InvokeFunction or lambda:InvokeFunctionUrl."
  }
}

variable "function_url" {
  description = "Create a function URL (on the alias when set). `authorization_type = \"NONE\"` makes it public and adds the public InvokeFunctionUrl permission."
  type = object({
    authorization_type = optional(string, "AWS_IAM")
    invoke_mode        = optional(string, "BUFFERED")
    cors = optional(object({
      allow_credentials = optional(bool, false)
      allow_headers     = optional(list(string))
      allow_methods     = optional(list(string))
      allow_origins     = optional(list(string))
      expose_headers    = optional(list(string))
      max_age           = optional(number)
    }))
  })
  default = null

  validation {
    condition     = var.function_url == null ? true : contains(["AWS_IAM", "NONE"], var.function_url.authorization_type)
    error_message = "function_url.authorization_type must be AWS_IAM or NONE."
  }

  validation {
    condition     = var.function_url == null ? true : contains(["BUFFERED", "RESPONSE_STREAM"], var.function_url.invoke_mode)
    error_message = "function_url.invoke_mode must be BUFFERED or RESPONSE_STREAM."
  }
}

################################################################################
# SnapStart, recursion, IAM escape hatches
################################################################################

variable "snap_start" {
  description = "Enable SnapStart on published versions (Python 3.12+, Java 11+, .NET 8+). Needs publish = true."
  type        = bool
  default     = false
}

variable "recursive_loop" {
  description = "Recursive loop detection: \"Terminate\" (AWS default: stop a function looping through SQS, SNS or S3) or \"Allow\" for functions meant to recurse. null = leave the account default."
  type        = string
  default     = null

  validation {
    condition     = var.recursive_loop == null || contains(["Allow", "Terminate"], coalesce(var.recursive_loop, "Terminate"))
    error_message = "recursive_loop must be null, \"Allow\" or \"Terminate\"."
  }
}

variable "managed_policy_arns" {
  description = "Managed policies to attach to the created role (escape hatch; prefer policy_statements). Ignored with role_arn."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.managed_policy_arns : can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$", a))])
    error_message = "managed_policy_arns must be IAM policy ARNs."
  }
}

variable "policy_json" {
  description = "An extra inline policy document for the created role (escape hatch, inline policy `extra`). Wildcard actions (`*`, `service:*`) are rejected like in policy_statements."
  type        = string
  default     = null

  validation {
    condition     = var.policy_json == null ? true : can(jsondecode(var.policy_json).Statement)
    error_message = "policy_json must be an IAM policy document (JSON with Statement)."
  }
  validation {
    condition = var.policy_json == null ? true : try(alltrue(flatten([
      for st in flatten([jsondecode(var.policy_json).Statement]) : [
        for a in flatten([try(st.Action, [])]) : !can(regex("(^\\*$)|(:\\*$)", a))
      ]
    ])), false)
    error_message = "policy_json must not allow wildcard actions (`*` or `service:*`)."
  }
}

variable "trusted_entities" {
  description = "Extra principals allowed to assume the created role besides lambda.amazonaws.com (escape hatch): service principals and AWS account/role ARNs."
  type = object({
    services = optional(list(string), [])
    aws      = optional(list(string), [])
  })
  default = { services = [], aws = [] }

  validation {
    condition     = alltrue([for s in var.trusted_entities.services : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", s))])
    error_message = "trusted_entities.services must be service principals such as edgelambda.amazonaws.com."
  }
}
