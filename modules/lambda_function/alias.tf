################################################################################
# Alias: weighted routing, or handed to CodeDeploy (deployment.tf)
################################################################################

locals {
  # With `deployment`, CodeDeploy moves the alias between versions; Terraform only creates it.
  codedeploy_alias = local.create && local.use_alias && var.deployment != null

  # The one alias instance, whichever resource holds it (null without an alias).
  alias = local.create && local.use_alias ? one(concat(aws_lambda_alias.this, aws_lambda_alias.codedeploy)) : null
}

# Terraform owns the alias: it follows the latest published version (or $LATEST), optionally sending
# a weighted share of requests to one other version (alias_additional_version_weights).
resource "aws_lambda_alias" "this" {
  count = local.create && local.use_alias && !local.codedeploy_alias ? 1 : 0

  name             = var.alias_name
  description      = "Points at the ${var.publish ? "latest published version" : "$LATEST"} of ${var.function_name}."
  function_name    = aws_lambda_function.this[0].function_name
  function_version = var.publish ? aws_lambda_function.this[0].version : "$LATEST"

  dynamic "routing_config" {
    for_each = length(var.alias_additional_version_weights) > 0 ? [1] : []
    content {
      additional_version_weights = var.alias_additional_version_weights
    }
  }

  lifecycle {
    precondition {
      condition     = length(var.alias_additional_version_weights) == 0 || var.publish
      error_message = "alias_additional_version_weights needs publish = true (an alias on $LATEST cannot route to a second version)."
    }
    precondition {
      condition     = !contains(keys(var.alias_additional_version_weights), aws_lambda_function.this[0].version)
      error_message = "alias_additional_version_weights must name a version other than the one the alias points at (the latest published version)."
    }
  }
}

# CodeDeploy owns the alias: Terraform creates it on the version published at creation and then
# ignores where it points, so a plan never undoes (or skips) a canary/linear shift in progress.
# Start a deployment with the module's `deployment_command` (or deployment.run_deployment).
resource "aws_lambda_alias" "codedeploy" {
  count = local.codedeploy_alias ? 1 : 0

  name             = var.alias_name
  description      = "Shifted between versions of ${var.function_name} by CodeDeploy (${local.deployment_config_name})."
  function_name    = aws_lambda_function.this[0].function_name
  function_version = aws_lambda_function.this[0].version

  lifecycle {
    ignore_changes = [function_version, routing_config]

    precondition {
      condition     = var.publish
      error_message = "deployment needs publish = true: CodeDeploy shifts the alias between published versions."
    }
    precondition {
      condition     = length(var.alias_additional_version_weights) == 0
      error_message = "alias_additional_version_weights and deployment are exclusive: CodeDeploy sets the alias's routing itself."
    }
  }
}

variable "alias_additional_version_weights" {
  description = <<-EOT
    Weighted alias routing: `{ "<version>" = <weight> }` sends that share (0-1) of the alias's requests to
    one other published version; the rest goes to the version the alias points at. AWS allows one
    additional version. Needs publish = true and alias_name; not with `deployment` (CodeDeploy sets it).
  EOT
  type        = map(number)
  default     = {}

  validation {
    condition     = length(var.alias_additional_version_weights) <= 1
    error_message = "alias_additional_version_weights takes at most one version: a Lambda alias routes to at most two versions."
  }
  validation {
    condition     = alltrue([for v in keys(var.alias_additional_version_weights) : can(regex("^[1-9][0-9]*$", v))])
    error_message = "alias_additional_version_weights keys must be published version numbers (e.g. \"3\"), not $LATEST or an alias."
  }
  validation {
    condition     = alltrue([for w in values(var.alias_additional_version_weights) : w >= 0 && w <= 1])
    error_message = "alias_additional_version_weights weights must be between 0 and 1 (0.1 = 10% of requests)."
  }
}

output "alias_name" {
  description = "Name of the alias, or null without one."
  value       = try(local.alias.name, null)

  # Checked here because they span inputs (an output precondition runs at plan time).
  precondition {
    condition     = length(var.alias_additional_version_weights) == 0 || var.alias_name != null
    error_message = "alias_additional_version_weights needs alias_name (the weights are the alias's routing)."
  }
  precondition {
    condition     = var.deployment == null || var.alias_name != null
    error_message = "deployment needs alias_name (and publish = true): CodeDeploy shifts an alias between versions."
  }
}

output "alias_arn" {
  description = "ARN of the alias, or null without one."
  value       = try(local.alias.arn, null)
}

output "alias_invoke_arn" {
  description = "Invoke ARN to use for API Gateway integrations: the alias's when an alias exists, else the function's."
  value       = try(local.alias.invoke_arn, aws_lambda_function.this[0].invoke_arn, null)
}

output "alias_function_version" {
  description = "Version the alias points at (as last read: with `deployment`, where CodeDeploy left it), or null without an alias."
  value       = try(local.alias.function_version, null)
}
