locals {
  create      = var.create
  create_role = local.create && var.role_arn == null

  use_alias   = var.alias_name != null
  autoscaling = var.provisioned_concurrency_autoscaling != null

  # Triggers, async config, URL and provisioned concurrency target the alias when there is one.
  qualifier = local.create && local.use_alias ? local.alias.name : null

  is_json_logging = var.log_format == "JSON"
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_272:Code signing is opt-in through code_signing_config_arn; zips are deterministic and pinned by source_code_hash.
  count = local.create ? 1 : 0

  function_name                  = var.function_name
  description                    = var.description
  role                           = local.role_arn
  package_type                   = "Zip"
  filename                       = local.package.filename
  s3_bucket                      = local.package.s3_bucket
  s3_key                         = local.package.s3_key
  s3_object_version              = local.package.s3_object_version
  source_code_hash               = var.source_code_hash
  handler                        = var.handler
  runtime                        = var.runtime
  architectures                  = var.architectures
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  layers                         = var.layers
  publish                        = var.publish
  reserved_concurrent_executions = var.reserved_concurrent_executions
  kms_key_arn                    = var.kms_key_arn
  code_signing_config_arn        = var.code_signing_config_arn

  ephemeral_storage {
    size = var.ephemeral_storage_size
  }

  # SnapStart (Python 3.12+, Java 11+, .NET 8+): snapshots each published version after init.
  dynamic "snap_start" {
    for_each = var.snap_start ? [1] : []
    content {
      apply_on = "PublishedVersions"
    }
  }

  dynamic "environment" {
    for_each = length(var.environment_variables) > 0 ? [1] : []
    content {
      variables = var.environment_variables
    }
  }

  tracing_config {
    mode = var.tracing_mode
  }

  logging_config {
    log_format            = var.log_format
    log_group             = local.log_group.name
    application_log_level = local.is_json_logging ? var.application_log_level : null
    system_log_level      = local.is_json_logging ? var.system_log_level : null
  }

  dynamic "vpc_config" {
    for_each = var.vpc_config != null ? [var.vpc_config] : []
    content {
      subnet_ids                  = vpc_config.value.subnet_ids
      security_group_ids          = vpc_config.value.security_group_ids
      ipv6_allowed_for_dual_stack = vpc_config.value.ipv6_allowed_for_dual_stack
    }
  }

  dynamic "dead_letter_config" {
    for_each = var.dead_letter_target_arn != null ? [var.dead_letter_target_arn] : []
    content {
      target_arn = dead_letter_config.value
    }
  }

  tags = merge(var.tags, var.function_tags)

  # The role must be able to write logs (and reach its DLQ) before the first invocation.
  depends_on = [
    aws_cloudwatch_log_group.this,
    aws_iam_role_policy.execution,
    aws_iam_role_policy.statements,
  ]

  lifecycle {
    precondition {
      condition     = var.s3_package != null || var.filename != null
      error_message = "Set filename (direct upload, or uploaded to S3 with s3_package) or s3_package with upload = false and the object's key."
    }
    precondition {
      condition     = !var.snap_start || var.publish
      error_message = "snap_start needs publish = true (SnapStart snapshots published versions only)."
    }
    precondition {
      condition     = !(startswith(var.runtime, "python") || startswith(var.runtime, "nodejs")) || can(regex("^[A-Za-z0-9_/.-]+\\.[A-Za-z_$][A-Za-z0-9_$]*$", var.handler))
      error_message = "For Python and Node.js runtimes, handler must be `<module>.<function>`, e.g. handler.lambda_handler."
    }
    precondition {
      condition     = local.is_json_logging || (var.application_log_level == null && var.system_log_level == null)
      error_message = "application_log_level and system_log_level need log_format = \"JSON\"."
    }
    precondition {
      condition     = (var.provisioned_concurrency == 0 && !local.autoscaling) || (var.publish && local.use_alias)
      error_message = "provisioned_concurrency and provisioned_concurrency_autoscaling need publish = true and alias_name."
    }
    precondition {
      condition     = var.role_arn == null || length(var.policy_statements) == 0
      error_message = "policy_statements are attached to the role the module creates; with role_arn, add them to your own role instead."
    }
  }
}

################################################################################
# Alias and provisioned concurrency
################################################################################

# The alias itself is in alias.tf (Terraform-managed, or handed to CodeDeploy by deployment.tf).

# Fixed provisioned concurrency (no autoscaling): Terraform owns the value.
resource "aws_lambda_provisioned_concurrency_config" "this" {
  count = local.create && local.use_alias && var.provisioned_concurrency > 0 && !local.autoscaling ? 1 : 0

  function_name                     = local.alias.function_name
  qualifier                         = local.alias.name
  provisioned_concurrent_executions = var.provisioned_concurrency
}

# With autoscaling, Application Auto Scaling owns the value after creation: Terraform sets the
# initial value and then ignores it so plans do not fight the scaler.
resource "aws_lambda_provisioned_concurrency_config" "autoscaled" {
  count = local.create && local.use_alias && local.autoscaling ? 1 : 0

  function_name                     = local.alias.function_name
  qualifier                         = local.alias.name
  provisioned_concurrent_executions = max(var.provisioned_concurrency, var.provisioned_concurrency_autoscaling.min_capacity)

  lifecycle {
    ignore_changes = [provisioned_concurrent_executions]
  }
}

resource "aws_appautoscaling_target" "this" {
  count = local.create && local.use_alias && local.autoscaling ? 1 : 0

  service_namespace  = "lambda"
  scalable_dimension = "lambda:function:ProvisionedConcurrency"
  resource_id        = "function:${local.alias.function_name}:${local.alias.name}"
  min_capacity       = var.provisioned_concurrency_autoscaling.min_capacity
  max_capacity       = var.provisioned_concurrency_autoscaling.max_capacity

  tags = var.tags

  depends_on = [aws_lambda_provisioned_concurrency_config.autoscaled]
}

resource "aws_appautoscaling_policy" "this" {
  count = local.create && local.use_alias && local.autoscaling ? 1 : 0

  name               = "${var.function_name}-provisioned-concurrency-utilization"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.this[0].service_namespace
  scalable_dimension = aws_appautoscaling_target.this[0].scalable_dimension
  resource_id        = aws_appautoscaling_target.this[0].resource_id

  target_tracking_scaling_policy_configuration {
    target_value = var.provisioned_concurrency_autoscaling.target_utilization

    predefined_metric_specification {
      predefined_metric_type = "LambdaProvisionedConcurrencyUtilization"
    }
  }
}

################################################################################
# Asynchronous invocation
################################################################################

resource "aws_lambda_function_event_invoke_config" "this" {
  count = local.create && var.async_invoke != null ? 1 : 0

  function_name                = aws_lambda_function.this[0].function_name
  qualifier                    = local.qualifier
  maximum_retry_attempts       = var.async_invoke.maximum_retry_attempts
  maximum_event_age_in_seconds = var.async_invoke.maximum_event_age_in_seconds

  dynamic "destination_config" {
    for_each = length(local.async_destinations) > 0 ? [1] : []
    content {
      dynamic "on_success" {
        for_each = var.async_invoke.on_success_destination_arn != null ? [var.async_invoke.on_success_destination_arn] : []
        content {
          destination = on_success.value
        }
      }
      dynamic "on_failure" {
        for_each = var.async_invoke.on_failure_destination_arn != null ? [var.async_invoke.on_failure_destination_arn] : []
        content {
          destination = on_failure.value
        }
      }
    }
  }

  depends_on = [aws_iam_role_policy.execution]
}

################################################################################
# Resource-based permissions (triggers) and function URL
################################################################################

resource "aws_lambda_permission" "this" {
  for_each = { for k, v in var.allowed_triggers : k => v if local.create }

  statement_id   = each.key
  action         = each.value.action
  function_name  = aws_lambda_function.this[0].function_name
  qualifier      = local.qualifier
  principal      = each.value.principal
  source_arn     = each.value.source_arn
  source_account = each.value.source_account
}

resource "aws_lambda_function_url" "this" {
  count = local.create && var.function_url != null ? 1 : 0

  function_name      = aws_lambda_function.this[0].function_name
  qualifier          = local.qualifier
  authorization_type = var.function_url.authorization_type
  invoke_mode        = var.function_url.invoke_mode

  dynamic "cors" {
    for_each = var.function_url.cors != null ? [var.function_url.cors] : []
    content {
      allow_credentials = cors.value.allow_credentials
      allow_headers     = cors.value.allow_headers
      allow_methods     = cors.value.allow_methods
      allow_origins     = cors.value.allow_origins
      expose_headers    = cors.value.expose_headers
      max_age           = cors.value.max_age
    }
  }
}

# A public (authorization_type = NONE) URL needs this resource-based statement; the API does not add it.
resource "aws_lambda_permission" "function_url_public" {
  #checkov:skip=CKV_AWS_301:Created only when the caller explicitly asks for a public URL (function_url.authorization_type = "NONE").
  count = local.create && var.function_url != null ? (var.function_url.authorization_type == "NONE" ? 1 : 0) : 0

  statement_id           = "FunctionURLAllowPublicAccess"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.this[0].function_name
  qualifier              = local.qualifier
  principal              = "*"
  function_url_auth_type = "NONE"
}

# Recursive loop detection: Lambda stops a function caught in an SQS/SNS/S3 loop ("Terminate", the AWS
# default) unless the function is meant to recurse ("Allow").
resource "aws_lambda_function_recursion_config" "this" {
  count = local.create && var.recursive_loop != null ? 1 : 0

  function_name  = aws_lambda_function.this[0].function_name
  recursive_loop = var.recursive_loop
}
