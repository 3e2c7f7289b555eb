################################################################################
# Safe deployments: CodeDeploy shifts the alias canary / linear / all-at-once, rolls back on alarm
################################################################################

variable "deployment" {
  description = <<-EOT
    Shift the alias to each new published version with CodeDeploy instead of moving it in Terraform
    (needs publish = true and alias_name). `strategy`: "canary" (`percentage` of traffic for
    `interval_minutes`, then the rest), "linear" (`percentage` more every `interval_minutes`) or
    "all_at_once". 10% with 5/10/15/30 min (canary) or 1/2/3/10 min (linear) use the predefined
    CodeDeployDefault.Lambda* configs; other values create a custom deployment config. The module creates
    the application, the deployment group, its service role, and an Errors alarm on the alias
    (`errors_alarm`); `alarm_names` adds alarms of yours. An alarm in ALARM stops the deployment and rolls
    the alias back (`auto_rollback_events`). `before_allow_traffic_hook_arn` / `after_allow_traffic_hook_arn`:
    validation functions CodeDeploy invokes; each must report with
    codedeploy:PutLifecycleEventHookExecutionStatus (see `codedeploy_hook_deployment_group_arns`).
    The module outputs the AppSpec and the `aws deploy create-deployment` command; `run_deployment = true`
    runs it from Terraform (local-exec, needs the AWS CLI) when the target version changes.
  EOT
  type = object({
    strategy         = string
    percentage       = optional(number, 10)
    interval_minutes = optional(number)

    application_name      = optional(string)
    deployment_group_name = optional(string)

    errors_alarm = optional(object({
      threshold          = optional(number, 0)
      period_seconds     = optional(number, 60)
      evaluation_periods = optional(number, 1)
    }), {})
    alarm_names               = optional(list(string), [])
    alarm_actions             = optional(list(string), [])
    ignore_poll_alarm_failure = optional(bool, false)
    auto_rollback_events      = optional(list(string), ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"])

    before_allow_traffic_hook_arn = optional(string)
    after_allow_traffic_hook_arn  = optional(string)

    role_name                 = optional(string)
    role_permissions_boundary = optional(string)

    run_deployment      = optional(bool, false)
    wait_for_completion = optional(bool, true)
    aws_cli_command     = optional(string, "aws")
  })
  default = null

  validation {
    condition     = var.deployment == null || contains(["canary", "linear", "all_at_once"], try(var.deployment.strategy, ""))
    error_message = "deployment.strategy must be \"canary\", \"linear\" or \"all_at_once\"."
  }
  validation {
    condition = var.deployment == null || try(
      var.deployment.percentage >= 1 && var.deployment.percentage <= 99 && floor(var.deployment.percentage) == var.deployment.percentage,
    false)
    error_message = "deployment.percentage must be a whole number from 1 to 99 (the share shifted at the first step / every step)."
  }
  # CodeDeploy allows at most 48 hours between the first and the last traffic shift of a Lambda deployment.
  validation {
    condition = var.deployment == null || try(
      # (HCL's || does not short-circuit: a null interval, i.e. the default, is checked as 1 minute.)
      coalesce(var.deployment.interval_minutes, 1) >= 1 &&
      floor(coalesce(var.deployment.interval_minutes, 1)) == coalesce(var.deployment.interval_minutes, 1) &&
      coalesce(var.deployment.interval_minutes, 1) * (var.deployment.strategy == "linear" ? ceil(100 / var.deployment.percentage) - 1 : 1) <= 2880,
    false)
    error_message = "deployment.interval_minutes must be a whole number of minutes >= 1, and the whole shift (canary: one interval; linear: interval x (ceil(100 / percentage) - 1)) at most 2880 minutes (CodeDeploy's 48 hours)."
  }
  validation {
    condition     = var.deployment == null || try(length(var.deployment.alarm_names) + 1 <= 50, false)
    error_message = "deployment.alarm_names: a deployment group watches at most 50 alarms (the module's Errors alarm is one)."
  }
  validation {
    condition = var.deployment == null || try(alltrue([
      for e in var.deployment.auto_rollback_events : contains(["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"], e)
    ]), false)
    error_message = "deployment.auto_rollback_events must be DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM or DEPLOYMENT_STOP_ON_REQUEST."
  }
  validation {
    condition = var.deployment == null || try(alltrue([
      for a in compact([var.deployment.before_allow_traffic_hook_arn, var.deployment.after_allow_traffic_hook_arn]) :
      can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}$", a))
    ]), false)
    error_message = "deployment hook ARNs must be unqualified Lambda function ARNs (arn:<partition>:lambda:<region>:<account>:function:<name>)."
  }
  validation {
    condition = var.deployment == null || try(alltrue([
      for n in compact([var.deployment.application_name, var.deployment.deployment_group_name]) : can(regex("^[A-Za-z0-9._+=,@-]{1,100}$", n))
    ]), false)
    error_message = "deployment.application_name and deployment_group_name must be 1-100 characters of letters, digits and . _ + = , @ -."
  }
  validation {
    condition     = var.deployment == null || try(alltrue([for n in var.deployment.alarm_names : can(regex("^[^:]{1,255}$", n))]), false)
    error_message = "deployment.alarm_names must be alarm names (1-255 characters, no ':'), not ARNs."
  }
  validation {
    condition     = var.deployment == null || try(alltrue([for a in var.deployment.alarm_actions : can(regex("^arn:aws[a-z-]*:sns:", a))]), false)
    error_message = "deployment.alarm_actions must be SNS topic ARNs."
  }
  # It is put into a shell command (run_deployment, deployment_command): a program and plain arguments only.
  validation {
    condition     = var.deployment == null || try(can(regex("^[A-Za-z0-9_./=-]+( [A-Za-z0-9_./=-]+)*$", var.deployment.aws_cli_command)), false)
    error_message = "deployment.aws_cli_command must be a command and plain arguments (letters, digits, _ . / = -), e.g. \"aws\" or \"aws --profile prod\"."
  }
  validation {
    condition     = var.deployment == null || try(can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", coalesce(var.deployment.role_name, "default"))), false)
    error_message = "deployment.role_name must be 1-64 characters of letters, digits and +=,.@_-."
  }
}

variable "codedeploy_hook_deployment_group_arns" {
  description = "Make this function a CodeDeploy lifecycle hook: its role may call codedeploy:PutLifecycleEventHookExecutionStatus on these deployment groups (the `deployment_group_arn` output of the module it validates)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.codedeploy_hook_deployment_group_arns : can(regex("^arn:aws[a-z-]*:codedeploy:[a-z0-9-]+:[0-9]{12}:deploymentgroup:[^/]+/.+$", a))])
    error_message = "codedeploy_hook_deployment_group_arns must be CodeDeploy deployment group ARNs (arn:<partition>:codedeploy:<region>:<account>:deploymentgroup:<app>/<group>)."
  }
}

locals {
  deploy = local.codedeploy_alias

  deploy_strategy = try(var.deployment.strategy, null)
  deploy_percent  = try(var.deployment.percentage, 10)
  deploy_interval = try(coalesce(var.deployment.interval_minutes, local.deploy_strategy == "linear" ? 1 : 5), 5)

  # CodeDeploy's predefined Lambda configs, keyed by strategy / percent / minutes.
  predefined_deployment_configs = {
    "canary/10/5"   = "CodeDeployDefault.LambdaCanary10Percent5Minutes"
    "canary/10/10"  = "CodeDeployDefault.LambdaCanary10Percent10Minutes"
    "canary/10/15"  = "CodeDeployDefault.LambdaCanary10Percent15Minutes"
    "canary/10/30"  = "CodeDeployDefault.LambdaCanary10Percent30Minutes"
    "linear/10/1"   = "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"
    "linear/10/2"   = "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes"
    "linear/10/3"   = "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes"
    "linear/10/10"  = "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes"
    "all_at_once/-" = "CodeDeployDefault.LambdaAllAtOnce"
  }
  deployment_config_key = local.deploy_strategy == "all_at_once" ? "all_at_once/-" : "${coalesce(local.deploy_strategy, "none")}/${local.deploy_percent}/${local.deploy_interval}"
  custom_deployment_config = (
    local.deploy && !contains(keys(local.predefined_deployment_configs), local.deployment_config_key)
  )
  deployment_config_name = (
    local.deploy_strategy == null ? null :
    local.custom_deployment_config ? "${var.function_name}-${local.deploy_strategy}-${local.deploy_percent}pct-${local.deploy_interval}min" :
    lookup(local.predefined_deployment_configs, local.deployment_config_key, null)
  )

  deploy_app_name   = try(coalesce(var.deployment.application_name, var.function_name), var.function_name)
  deploy_group_name = try(coalesce(var.deployment.deployment_group_name, "${var.function_name}-${var.alias_name}"), var.function_name)

  # partition, region and account from the function's ARN (no data sources needed).
  fn_arn_parts = local.deploy ? split(":", aws_lambda_function.this[0].arn) : []
  arn_prefix   = try(format("arn:%s", local.fn_arn_parts[1]), null)
  arn_region   = try(local.fn_arn_parts[3], null)
  arn_account  = try(local.fn_arn_parts[4], null)

  errors_alarm_name      = "${var.function_name}-${coalesce(var.alias_name, "alias")}-deployment-errors"
  deployment_alarm_names = local.deploy ? concat([local.errors_alarm_name], var.deployment.alarm_names) : []

  # Hook functions in lifecycle order (BeforeAllowTraffic, then AfterAllowTraffic).
  deploy_hooks = local.deploy ? [
    for h in [
      { event = "BeforeAllowTraffic", arn = var.deployment.before_allow_traffic_hook_arn },
      { event = "AfterAllowTraffic", arn = var.deployment.after_allow_traffic_hook_arn },
    ] : h if h.arn != null
  ] : []
  deploy_hook_arns = [for h in local.deploy_hooks : h.arn]

  # AppSpec for the next deployment: from where the alias is now to the latest published version.
  deploy_current_version = local.deploy ? aws_lambda_alias.codedeploy[0].function_version : null
  deploy_target_version  = local.deploy ? aws_lambda_function.this[0].version : null
  appspec = local.deploy ? merge(
    {
      version = "0.0"
      Resources = [{
        LambdaFunction = {
          Type = "AWS::Lambda::Function"
          Properties = {
            Name           = var.function_name
            Alias          = var.alias_name
            CurrentVersion = local.deploy_current_version
            TargetVersion  = local.deploy_target_version
          }
        }
      }]
    },
    length(local.deploy_hooks) > 0 ? { Hooks = [for h in local.deploy_hooks : { (h.event) = h.arn }] } : {},
  ) : null
  appspec_json = local.deploy ? jsonencode(local.appspec) : null
  deployment_revision_json = local.deploy ? jsonencode({
    revisionType   = "AppSpecContent"
    appSpecContent = { content = local.appspec_json, sha256 = sha256(local.appspec_json) }
  }) : null
  # Every value in it is validated (names, versions, ARNs): no single quote can break the quoting.
  deployment_command = local.deploy ? join(" ", [
    var.deployment.aws_cli_command, "deploy create-deployment",
    "--application-name", local.deploy_app_name,
    "--deployment-group-name", local.deploy_group_name,
    # (CodeDeploy keeps at most 100 characters of a description.)
    "--description", "'${substr("${var.function_name}:${var.alias_name} ${local.deploy_current_version} -> ${local.deploy_target_version}", 0, 100)}'",
    "--revision", "'${local.deployment_revision_json}'",
    "--query deploymentId --output text",
  ]) : null
}

# A hook function built with this module reports its verdict to the deployment groups it validates.
resource "aws_iam_role_policy" "codedeploy_hook" {
  count = local.create_role && length(var.codedeploy_hook_deployment_group_arns) > 0 ? 1 : 0

  name = "codedeploy-hook"
  role = aws_iam_role.this[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "ReportHookStatus"
      Effect   = "Allow"
      Action   = ["codedeploy:PutLifecycleEventHookExecutionStatus"]
      Resource = var.codedeploy_hook_deployment_group_arns
    }]
  })
}

resource "aws_codedeploy_app" "this" {
  count = local.deploy ? 1 : 0

  name             = local.deploy_app_name
  compute_platform = "Lambda"
  tags             = var.tags
}

# Custom canary / linear steps when no predefined config matches.
resource "aws_codedeploy_deployment_config" "this" {
  count = local.custom_deployment_config ? 1 : 0

  deployment_config_name = local.deployment_config_name
  compute_platform       = "Lambda"

  traffic_routing_config {
    type = local.deploy_strategy == "canary" ? "TimeBasedCanary" : "TimeBasedLinear"

    dynamic "time_based_canary" {
      for_each = local.deploy_strategy == "canary" ? [1] : []
      content {
        percentage = local.deploy_percent
        interval   = local.deploy_interval
      }
    }
    dynamic "time_based_linear" {
      for_each = local.deploy_strategy == "linear" ? [1] : []
      content {
        percentage = local.deploy_percent
        interval   = local.deploy_interval
      }
    }
  }

  # The name carries the steps, so a change creates the new config before the group moves off the old one.
  lifecycle {
    create_before_destroy = true
  }
}

# Errors of the alias (every version behind it): in ALARM during a deployment, CodeDeploy stops and rolls back.
resource "aws_cloudwatch_metric_alarm" "deployment_errors" {
  count = local.deploy ? 1 : 0

  alarm_name          = local.errors_alarm_name
  alarm_description   = "Errors of ${var.function_name}:${var.alias_name}; stops and rolls back its CodeDeploy deployment."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = var.function_name, Resource = "${var.function_name}:${var.alias_name}" }
  statistic           = "Sum"
  period              = var.deployment.errors_alarm.period_seconds
  evaluation_periods  = var.deployment.errors_alarm.evaluation_periods
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.deployment.errors_alarm.threshold
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.deployment.alarm_actions
  ok_actions          = var.deployment.alarm_actions

  tags = var.tags
}

resource "aws_iam_role" "codedeploy" {
  count = local.deploy ? 1 : 0

  name                 = coalesce(var.deployment.role_name, substr("${var.function_name}-codedeploy", 0, 64))
  path                 = var.role_path
  permissions_boundary = var.deployment.role_permissions_boundary
  description          = "CodeDeploy service role shifting ${var.function_name}:${var.alias_name}"

  # Only CodeDeploy, for deployment groups of this application in this account (confused deputy).
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "CodeDeployAssume"
      Effect    = "Allow"
      Principal = { Service = "codedeploy.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.arn_account }
        ArnLike      = { "aws:SourceArn" = "${local.arn_prefix}:codedeploy:${local.arn_region}:${local.arn_account}:deploymentgroup:${local.deploy_app_name}/*" }
      }
    }]
  })

  tags = var.tags
}

# What AWSCodeDeployRoleForLambda grants on "*", scoped to this alias, its alarms and its hooks
# (AppSpec content is inline, so no S3 access; no SNS triggers are configured, so no sns:Publish).
resource "aws_iam_role_policy" "codedeploy" {
  count = local.deploy ? 1 : 0

  name = "codedeploy-lambda"
  role = aws_iam_role.codedeploy[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat(
      [
        {
          Sid      = "ShiftAlias"
          Effect   = "Allow"
          Action   = ["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetProvisionedConcurrencyConfig"]
          Resource = [aws_lambda_function.this[0].arn, "${aws_lambda_function.this[0].arn}:${var.alias_name}"]
        },
        {
          Sid      = "WatchAlarms"
          Effect   = "Allow"
          Action   = ["cloudwatch:DescribeAlarms"]
          Resource = [for n in local.deployment_alarm_names : "${local.arn_prefix}:cloudwatch:${local.arn_region}:${local.arn_account}:alarm:${n}"]
        },
      ],
      length(local.deploy_hooks) > 0 ? [{
        Sid      = "InvokeHooks"
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction"]
        Resource = flatten([for arn in local.deploy_hook_arns : [arn, "${arn}:*"]])
      }] : [],
    )
  })
}

resource "aws_codedeploy_deployment_group" "this" {
  count = local.deploy ? 1 : 0

  app_name               = aws_codedeploy_app.this[0].name
  deployment_group_name  = local.deploy_group_name
  service_role_arn       = aws_iam_role.codedeploy[0].arn
  deployment_config_name = local.custom_deployment_config ? aws_codedeploy_deployment_config.this[0].id : local.deployment_config_name

  deployment_style {
    deployment_option = "WITH_TRAFFIC_CONTROL"
    deployment_type   = "BLUE_GREEN"
  }

  alarm_configuration {
    enabled                   = true
    alarms                    = local.deployment_alarm_names
    ignore_poll_alarm_failure = var.deployment.ignore_poll_alarm_failure
  }

  auto_rollback_configuration {
    enabled = length(var.deployment.auto_rollback_events) > 0
    events  = var.deployment.auto_rollback_events
  }

  tags = var.tags

  # The role must be allowed to shift and watch before the first deployment can start.
  depends_on = [aws_iam_role_policy.codedeploy, aws_cloudwatch_metric_alarm.deployment_errors]
}

# Opt-in: start the deployment from Terraform when the target version changes (needs the AWS CLI and
# credentials allowed codedeploy:CreateDeployment). Skipped when the alias already points at the target.
resource "terraform_data" "deployment" {
  count = local.deploy && try(var.deployment.run_deployment, false) ? 1 : 0

  triggers_replace = {
    target_version   = local.deploy_target_version
    deployment_group = aws_codedeploy_deployment_group.this[0].arn
    hooks            = jsonencode(local.deploy_hooks)
  }

  provisioner "local-exec" {
    interpreter = ["/bin/sh", "-c"]
    command     = <<-EOT
      set -eu
      if [ "${local.deploy_current_version}" = "${local.deploy_target_version}" ]; then
        echo "${var.function_name}:${var.alias_name} already on version ${local.deploy_target_version}: no deployment"
        exit 0
      fi
      id=$(${local.deployment_command})
      echo "CodeDeploy deployment $id: ${var.function_name}:${var.alias_name} ${local.deploy_current_version} -> ${local.deploy_target_version}"
      %{if var.deployment.wait_for_completion~}
      ${var.deployment.aws_cli_command} deploy wait deployment-successful --deployment-id "$id"
      echo "CodeDeploy deployment $id succeeded"
      %{endif~}
    EOT
  }
}

output "deployment_application_name" {
  description = "CodeDeploy application name, or null without `deployment`."
  value       = try(aws_codedeploy_app.this[0].name, null)
}

output "deployment_group_name" {
  description = "CodeDeploy deployment group name, or null without `deployment`."
  value       = try(aws_codedeploy_deployment_group.this[0].deployment_group_name, null)
}

output "deployment_group_arn" {
  description = "CodeDeploy deployment group ARN (give it to a hook function's `codedeploy_hook_deployment_group_arns`), or null."
  value       = try(aws_codedeploy_deployment_group.this[0].arn, null)
}

output "deployment_config_name" {
  description = "Deployment config the group uses (a CodeDeployDefault.Lambda* name or the module's custom one), or null."
  value       = local.deploy ? local.deployment_config_name : null
}

output "deployment_alarm_names" {
  description = "Alarms that stop and roll back a deployment (the module's Errors alarm first), or []."
  value       = local.deployment_alarm_names
}

output "deployment_role_arn" {
  description = "ARN of the CodeDeploy service role, or null."
  value       = try(aws_iam_role.codedeploy[0].arn, null)
}

output "deployment_appspec_json" {
  description = "AppSpec of the next deployment: the alias from the version it points at to the latest published one, plus hooks. null without `deployment`."
  value       = local.appspec_json
}

output "deployment_command" {
  description = "`aws deploy create-deployment` command that starts the next deployment (prints its id). null without `deployment`."
  value       = local.deployment_command
}

output "deployment_errors_alarm" {
  description = "The alias's Errors alarm that rolls a deployment back (arn, name, threshold, period_seconds, evaluation_periods, alarm_actions), or null."
  value = try({
    arn                = aws_cloudwatch_metric_alarm.deployment_errors[0].arn
    name               = aws_cloudwatch_metric_alarm.deployment_errors[0].alarm_name
    threshold          = aws_cloudwatch_metric_alarm.deployment_errors[0].threshold
    period_seconds     = aws_cloudwatch_metric_alarm.deployment_errors[0].period
    evaluation_periods = aws_cloudwatch_metric_alarm.deployment_errors[0].evaluation_periods
    alarm_actions      = aws_cloudwatch_metric_alarm.deployment_errors[0].alarm_actions
  }, null)
}
