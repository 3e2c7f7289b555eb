locals {
  create      = var.create
  create_role = local.create && var.role_arn == null

  # Exactly one of definition / definition_template (checked by a precondition below).
  definition = var.definition != null ? var.definition : (
    var.definition_template != null ? templatefile(var.definition_template, var.definition_vars) : null
  )

  logging_enabled = var.logging_level != "OFF"
  role_arn        = local.create_role ? try(aws_iam_role.this[0].arn, null) : var.role_arn
}

data "aws_caller_identity" "current" {
  count = local.create ? 1 : 0
}

data "aws_region" "current" {
  count = local.create ? 1 : 0
}

data "aws_partition" "current" {
  count = local.create ? 1 : 0
}

locals {
  account_id = try(data.aws_caller_identity.current[0].account_id, "")
  region     = try(data.aws_region.current[0].id, "")
  partition  = try(data.aws_partition.current[0].partition, "aws")
}

resource "aws_sfn_state_machine" "this" {
  #checkov:skip=CKV_AWS_284:X-Ray tracing is the caller's choice (tracing_enabled, default true); checkov cannot evaluate caller expressions.
  count = local.create ? 1 : 0

  name       = var.name
  type       = var.type
  role_arn   = local.role_arn
  definition = local.definition
  publish    = var.publish

  dynamic "logging_configuration" {
    for_each = local.logging_enabled ? [1] : []
    content {
      log_destination        = "${aws_cloudwatch_log_group.this[0].arn}:*"
      include_execution_data = var.include_execution_data
      level                  = var.logging_level
    }
  }

  dynamic "encryption_configuration" {
    for_each = var.encryption == null ? [] : [var.encryption]
    content {
      type                              = "CUSTOMER_MANAGED_KMS_KEY"
      kms_key_id                        = encryption_configuration.value.kms_key_arn
      kms_data_key_reuse_period_seconds = encryption_configuration.value.kms_data_key_reuse_period_seconds
    }
  }

  dynamic "tracing_configuration" {
    for_each = var.tracing_enabled ? [1] : []
    content {
      enabled = true
    }
  }

  tags = merge(var.tags, var.state_machine_tags)

  lifecycle {
    precondition {
      condition     = var.alias == null || var.publish
      error_message = "alias needs publish = true (an alias routes to published versions)."
    }
    precondition {
      condition     = (var.definition == null) != (var.definition_template == null)
      error_message = "Set exactly one of definition and definition_template."
    }
    precondition {
      condition     = local.definition == null ? true : can(jsondecode(local.definition).StartAt) && can(jsondecode(local.definition).States)
      error_message = "The rendered definition must be a JSON Amazon States Language document with StartAt and States."
    }
  }

  # The role must be able to deliver logs and reach its integrations before creation
  # (Step Functions validates the role's logging permissions synchronously).
  depends_on = [aws_iam_role_policy.this]
}

# Alias over published versions: callers start executions on the alias ARN, and a new version only
# takes traffic as routing says.
resource "aws_sfn_alias" "this" {
  count = local.create && var.alias != null ? 1 : 0

  name        = var.alias.name
  description = var.alias.description

  dynamic "routing_configuration" {
    for_each = var.alias.routing != null ? var.alias.routing : [{ version_arn = aws_sfn_state_machine.this[0].state_machine_version_arn, weight = 100 }]
    content {
      state_machine_version_arn = routing_configuration.value.version_arn
      weight                    = routing_configuration.value.weight
    }
  }
}
