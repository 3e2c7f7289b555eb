# Safe deployments (plan/apply with a mocked provider): weighted alias routing and CodeDeploy
# canary / linear / all-at-once / custom rollouts with alarms, rollback and hooks. The embedded
# LocalStack (community) has no CodeDeploy, so these are the tests of this feature.
mock_provider "aws" {
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/test-fn"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/test-fn"
    }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn           = "arn:aws:lambda:eu-west-1:123456789012:function:test-fn"
      invoke_arn    = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:test-fn/invocations"
      qualified_arn = "arn:aws:lambda:eu-west-1:123456789012:function:test-fn:4"
      version       = "4"
    }
  }
  mock_resource "aws_lambda_alias" {
    defaults = {
      arn        = "arn:aws:lambda:eu-west-1:123456789012:function:test-fn:live"
      invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:test-fn:live/invocations"
    }
  }
  mock_resource "aws_codedeploy_deployment_group" {
    defaults = {
      arn = "arn:aws:codedeploy:eu-west-1:123456789012:deploymentgroup:test-fn/test-fn-live"
    }
  }
}

variables {
  function_name    = "test-fn"
  filename         = "../../build/functions/test.zip"
  source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
  publish          = true
  alias_name       = "live"
}

################################################################################
# Weighted alias routing
################################################################################

run "weighted_routing" {
  command = apply

  variables {
    alias_additional_version_weights = { "3" = 0.25 }
  }

  assert {
    condition     = aws_lambda_alias.this[0].function_version == "4" && aws_lambda_alias.this[0].routing_config[0].additional_version_weights == tomap({ "3" = 0.25 })
    error_message = "The alias points at the latest version and sends 25% to version 3."
  }
  assert {
    condition     = length(aws_lambda_alias.codedeploy) == 0 && length(aws_codedeploy_deployment_group.this) == 0 && output.deployment_command == null
    error_message = "Routing alone creates no CodeDeploy resources."
  }
  assert {
    condition     = output.alias_invoke_arn == "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:test-fn:live/invocations"
    error_message = "Integrations keep targeting the alias."
  }
}

run "no_routing_by_default" {
  command = plan

  assert {
    condition     = length(aws_lambda_alias.this[0].routing_config) == 0 && length(aws_lambda_alias.codedeploy) == 0
    error_message = "Without weights the alias has no routing_config, and Terraform owns it."
  }
}

run "routing_two_extra_versions_rejected" {
  command = plan
  variables {
    alias_additional_version_weights = { "2" = 0.1, "3" = 0.1 }
  }
  expect_failures = [var.alias_additional_version_weights]
}

run "routing_weight_above_one_rejected" {
  command = plan
  variables {
    alias_additional_version_weights = { "3" = 1.5 }
  }
  expect_failures = [var.alias_additional_version_weights]
}

run "routing_to_latest_rejected" {
  command = plan
  variables {
    alias_additional_version_weights = { "$LATEST" = 0.5 }
  }
  expect_failures = [var.alias_additional_version_weights]
}

run "routing_without_publish_rejected" {
  command = plan
  variables {
    publish                          = false
    alias_additional_version_weights = { "3" = 0.5 }
  }
  expect_failures = [aws_lambda_alias.this]
}

# The version is known here because an earlier run applied the function (state carries version 4).
run "routing_to_the_primary_version_rejected" {
  command = plan
  variables {
    alias_additional_version_weights = { "4" = 0.5 }
  }
  expect_failures = [aws_lambda_alias.this]
}

run "routing_without_alias_rejected" {
  command = plan
  variables {
    alias_name                       = null
    alias_additional_version_weights = { "3" = 0.5 }
  }
  expect_failures = [output.alias_name]
}

################################################################################
# CodeDeploy: predefined strategies
################################################################################

run "canary_predefined_with_rollback" {
  command = apply

  variables {
    deployment = { strategy = "canary" }
  }

  assert {
    condition     = length(aws_lambda_alias.this) == 0 && aws_lambda_alias.codedeploy[0].name == "live" && aws_lambda_alias.codedeploy[0].function_version == "4"
    error_message = "CodeDeploy owns the alias (the ignore_changes resource), created on the published version."
  }
  assert {
    condition     = output.alias_invoke_arn == "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:test-fn:live/invocations" && output.invoke_qualifier == "live"
    error_message = "Integrations and triggers still target the alias."
  }
  assert {
    condition     = aws_codedeploy_app.this[0].compute_platform == "Lambda" && aws_codedeploy_app.this[0].name == "test-fn"
    error_message = "A Lambda CodeDeploy application named after the function."
  }
  assert {
    condition     = aws_codedeploy_deployment_group.this[0].deployment_config_name == "CodeDeployDefault.LambdaCanary10Percent5Minutes" && length(aws_codedeploy_deployment_config.this) == 0
    error_message = "canary with the defaults (10%, 5 minutes) uses the predefined config, no custom one."
  }
  assert {
    condition = (
      aws_codedeploy_deployment_group.this[0].deployment_group_name == "test-fn-live"
      && aws_codedeploy_deployment_group.this[0].deployment_style[0].deployment_type == "BLUE_GREEN"
      && aws_codedeploy_deployment_group.this[0].deployment_style[0].deployment_option == "WITH_TRAFFIC_CONTROL"
    )
    error_message = "Lambda deployment groups are blue/green with traffic control."
  }
  assert {
    condition = (
      aws_codedeploy_deployment_group.this[0].alarm_configuration[0].enabled
      && aws_codedeploy_deployment_group.this[0].alarm_configuration[0].alarms == toset(["test-fn-live-deployment-errors"])
      && !aws_codedeploy_deployment_group.this[0].alarm_configuration[0].ignore_poll_alarm_failure
    )
    error_message = "The group watches the module's Errors alarm, and a failed alarm poll stops the deployment."
  }
  assert {
    condition = (
      aws_codedeploy_deployment_group.this[0].auto_rollback_configuration[0].enabled
      && aws_codedeploy_deployment_group.this[0].auto_rollback_configuration[0].events == toset(["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"])
    )
    error_message = "Automatic rollback on failure and on alarm."
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.deployment_errors[0].namespace == "AWS/Lambda"
      && aws_cloudwatch_metric_alarm.deployment_errors[0].metric_name == "Errors"
      && aws_cloudwatch_metric_alarm.deployment_errors[0].dimensions == tomap({ FunctionName = "test-fn", Resource = "test-fn:live" })
      && aws_cloudwatch_metric_alarm.deployment_errors[0].comparison_operator == "GreaterThanThreshold"
      && aws_cloudwatch_metric_alarm.deployment_errors[0].threshold == 0
      && aws_cloudwatch_metric_alarm.deployment_errors[0].period == 60
    )
    error_message = "The Errors alarm is on the alias (every version behind it), any error in a minute."
  }
  assert {
    condition = (
      jsondecode(aws_iam_role.codedeploy[0].assume_role_policy).Statement[0].Principal.Service == "codedeploy.amazonaws.com"
      && jsondecode(aws_iam_role.codedeploy[0].assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "123456789012"
      && jsondecode(aws_iam_role.codedeploy[0].assume_role_policy).Statement[0].Condition.ArnLike["aws:SourceArn"] == "arn:aws:codedeploy:eu-west-1:123456789012:deploymentgroup:test-fn/*"
    )
    error_message = "Only CodeDeploy may assume the role, for this application's groups in this account."
  }
  assert {
    condition     = aws_codedeploy_deployment_group.this[0].service_role_arn == aws_iam_role.codedeploy[0].arn && length(aws_iam_role.codedeploy[0].managed_policy_arns) == 0
    error_message = "The group uses the module's role, which carries no managed policy (AWSCodeDeployRoleForLambda grants on *)."
  }
  assert {
    condition = (
      { for s in jsondecode(aws_iam_role_policy.codedeploy[0].policy).Statement : s.Sid => s.Resource }.ShiftAlias == [
        "arn:aws:lambda:eu-west-1:123456789012:function:test-fn", "arn:aws:lambda:eu-west-1:123456789012:function:test-fn:live"
      ]
      && { for s in jsondecode(aws_iam_role_policy.codedeploy[0].policy).Statement : s.Sid => s.Resource }.WatchAlarms == [
        "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:test-fn-live-deployment-errors"
      ]
      && length(jsondecode(aws_iam_role_policy.codedeploy[0].policy).Statement) == 2
    )
    error_message = "The role may shift this alias and read its alarms, nothing else (no hooks configured)."
  }
  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.codedeploy[0].policy).Statement : [
        for r in flatten([s.Action, s.Resource]) : !strcontains(r, "*")
      ]
    ]))
    error_message = "No wildcard in the role's actions or resources."
  }
  assert {
    condition = (
      jsondecode(output.deployment_appspec_json).Resources[0].LambdaFunction.Type == "AWS::Lambda::Function"
      && jsondecode(output.deployment_appspec_json).Resources[0].LambdaFunction.Properties == { Name = "test-fn", Alias = "live", CurrentVersion = "4", TargetVersion = "4" }
      && !can(jsondecode(output.deployment_appspec_json).Hooks)
    )
    error_message = "The AppSpec moves the alias from where it is to the latest version; no Hooks section without hooks."
  }
  assert {
    condition = (
      startswith(output.deployment_command, "aws deploy create-deployment --application-name test-fn --deployment-group-name test-fn-live ")
      && strcontains(output.deployment_command, "--description 'test-fn:live 4 -> 4' ")
      && strcontains(output.deployment_command, "\"revisionType\":\"AppSpecContent\"")
      && strcontains(output.deployment_command, sha256(output.deployment_appspec_json))
    )
    error_message = "The command deploys the AppSpec content (with its sha256) to the module's group."
  }
  assert {
    condition     = length(terraform_data.deployment) == 0
    error_message = "Nothing runs from Terraform unless run_deployment = true."
  }
}

run "linear_predefined" {
  command = plan
  variables {
    deployment = { strategy = "linear" }
  }
  assert {
    condition     = aws_codedeploy_deployment_group.this[0].deployment_config_name == "CodeDeployDefault.LambdaLinear10PercentEvery1Minute" && length(aws_codedeploy_deployment_config.this) == 0
    error_message = "linear with the defaults (10% every minute) uses the predefined config."
  }
}

run "linear_predefined_10_minutes" {
  command = plan
  variables {
    deployment = { strategy = "linear", interval_minutes = 10 }
  }
  assert {
    condition     = output.deployment_config_name == "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes" && length(aws_codedeploy_deployment_config.this) == 0
    error_message = "linear 10% every 10 minutes is predefined."
  }
}

run "all_at_once" {
  command = plan
  variables {
    deployment = { strategy = "all_at_once", percentage = 50, interval_minutes = 30 }
  }
  assert {
    condition     = aws_codedeploy_deployment_group.this[0].deployment_config_name == "CodeDeployDefault.LambdaAllAtOnce" && length(aws_codedeploy_deployment_config.this) == 0
    error_message = "all_at_once ignores percentage/interval and uses the predefined config."
  }
  assert {
    condition     = aws_codedeploy_deployment_group.this[0].auto_rollback_configuration[0].enabled && length(aws_cloudwatch_metric_alarm.deployment_errors) == 1
    error_message = "All-at-once still rolls back on the Errors alarm."
  }
}

################################################################################
# CodeDeploy: custom steps
################################################################################

run "custom_canary" {
  command = apply
  variables {
    deployment = { strategy = "canary", percentage = 25, interval_minutes = 7 }
  }
  assert {
    condition = (
      aws_codedeploy_deployment_config.this[0].deployment_config_name == "test-fn-canary-25pct-7min"
      && aws_codedeploy_deployment_config.this[0].compute_platform == "Lambda"
      && aws_codedeploy_deployment_config.this[0].traffic_routing_config[0].type == "TimeBasedCanary"
      && aws_codedeploy_deployment_config.this[0].traffic_routing_config[0].time_based_canary[0].percentage == 25
      && aws_codedeploy_deployment_config.this[0].traffic_routing_config[0].time_based_canary[0].interval == 7
      && length(aws_codedeploy_deployment_config.this[0].traffic_routing_config[0].time_based_linear) == 0
    )
    error_message = "A custom canary config: 25% for 7 minutes, then the rest."
  }
  assert {
    condition     = aws_codedeploy_deployment_group.this[0].deployment_config_name == aws_codedeploy_deployment_config.this[0].id
    error_message = "The group uses the custom config."
  }
}

run "custom_linear" {
  command = plan
  variables {
    deployment = { strategy = "linear", percentage = 20, interval_minutes = 4 }
  }
  assert {
    condition = (
      aws_codedeploy_deployment_config.this[0].deployment_config_name == "test-fn-linear-20pct-4min"
      && aws_codedeploy_deployment_config.this[0].traffic_routing_config[0].type == "TimeBasedLinear"
      && aws_codedeploy_deployment_config.this[0].traffic_routing_config[0].time_based_linear[0].percentage == 20
      && aws_codedeploy_deployment_config.this[0].traffic_routing_config[0].time_based_linear[0].interval == 4
      && length(aws_codedeploy_deployment_config.this[0].traffic_routing_config[0].time_based_canary) == 0
    )
    error_message = "A custom linear config: 20% more every 4 minutes."
  }
}

################################################################################
# Hooks, extra alarms, hook functions, running the deployment
################################################################################

run "hooks_and_extra_alarms" {
  command = apply
  variables {
    deployment = {
      strategy                      = "canary"
      alarm_names                   = ["orders-api-latency-p99"]
      alarm_actions                 = ["arn:aws:sns:eu-west-1:123456789012:alarms"]
      errors_alarm                  = { threshold = 2, period_seconds = 120, evaluation_periods = 2 }
      before_allow_traffic_hook_arn = "arn:aws:lambda:eu-west-1:123456789012:function:test-fn-pre-traffic"
      after_allow_traffic_hook_arn  = "arn:aws:lambda:eu-west-1:123456789012:function:test-fn-post-traffic"
    }
  }
  assert {
    condition = jsondecode(output.deployment_appspec_json).Hooks == [
      { BeforeAllowTraffic = "arn:aws:lambda:eu-west-1:123456789012:function:test-fn-pre-traffic" },
      { AfterAllowTraffic = "arn:aws:lambda:eu-west-1:123456789012:function:test-fn-post-traffic" },
    ]
    error_message = "The AppSpec names the pre- and post-traffic hooks, before first."
  }
  assert {
    condition = (
      { for s in jsondecode(aws_iam_role_policy.codedeploy[0].policy).Statement : s.Sid => s }.InvokeHooks.Action == ["lambda:InvokeFunction"]
      && toset({ for s in jsondecode(aws_iam_role_policy.codedeploy[0].policy).Statement : s.Sid => s }.InvokeHooks.Resource) == toset([
        "arn:aws:lambda:eu-west-1:123456789012:function:test-fn-pre-traffic", "arn:aws:lambda:eu-west-1:123456789012:function:test-fn-pre-traffic:*",
        "arn:aws:lambda:eu-west-1:123456789012:function:test-fn-post-traffic", "arn:aws:lambda:eu-west-1:123456789012:function:test-fn-post-traffic:*",
      ])
    )
    error_message = "The deployment role may invoke exactly the two hook functions."
  }
  assert {
    condition = (
      aws_codedeploy_deployment_group.this[0].alarm_configuration[0].alarms == toset(["test-fn-live-deployment-errors", "orders-api-latency-p99"])
      && { for s in jsondecode(aws_iam_role_policy.codedeploy[0].policy).Statement : s.Sid => s.Resource }.WatchAlarms == [
        "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:test-fn-live-deployment-errors",
        "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:orders-api-latency-p99",
      ]
      && output.deployment_alarm_names == tolist(["test-fn-live-deployment-errors", "orders-api-latency-p99"])
    )
    error_message = "Extra alarms are watched and readable by the role."
  }
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.deployment_errors[0].threshold == 2 && aws_cloudwatch_metric_alarm.deployment_errors[0].period == 120
      && aws_cloudwatch_metric_alarm.deployment_errors[0].evaluation_periods == 2
      && aws_cloudwatch_metric_alarm.deployment_errors[0].alarm_actions == toset(["arn:aws:sns:eu-west-1:123456789012:alarms"])
    )
    error_message = "errors_alarm settings and alarm actions are applied."
  }
}

run "hook_function_reports_status" {
  command = apply
  variables {
    alias_name                            = null
    publish                               = false
    codedeploy_hook_deployment_group_arns = ["arn:aws:codedeploy:eu-west-1:123456789012:deploymentgroup:orders/orders-live"]
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.codedeploy_hook[0].policy).Statement == [{
      Sid      = "ReportHookStatus"
      Effect   = "Allow"
      Action   = ["codedeploy:PutLifecycleEventHookExecutionStatus"]
      Resource = ["arn:aws:codedeploy:eu-west-1:123456789012:deploymentgroup:orders/orders-live"]
    }]
    error_message = "A hook function's role may report its verdict to the given deployment group only."
  }
}

run "no_hook_policy_by_default" {
  command = plan
  assert {
    condition     = length(aws_iam_role_policy.codedeploy_hook) == 0
    error_message = "No hook policy unless codedeploy_hook_deployment_group_arns is set."
  }
}

run "run_deployment_from_terraform" {
  command = apply
  variables {
    deployment = { strategy = "all_at_once", run_deployment = true }
  }
  assert {
    condition     = terraform_data.deployment[0].triggers_replace.target_version == "4" && terraform_data.deployment[0].triggers_replace.deployment_group == aws_codedeploy_deployment_group.this[0].arn
    error_message = "The local-exec deployment re-runs when the target version (or the group) changes."
  }
}

################################################################################
# CodeDeploy: rejected input
################################################################################

run "deployment_bad_strategy" {
  command = plan
  variables {
    deployment = { strategy = "blue_green" }
  }
  expect_failures = [var.deployment]
}

run "deployment_percentage_out_of_range" {
  command = plan
  variables {
    deployment = { strategy = "canary", percentage = 100 }
  }
  expect_failures = [var.deployment]
}

run "deployment_linear_longer_than_48_hours" {
  command = plan
  variables {
    deployment = { strategy = "linear", percentage = 10, interval_minutes = 400 }
  }
  expect_failures = [var.deployment]
}

run "deployment_bad_hook_arn" {
  command = plan
  variables {
    deployment = { strategy = "canary", before_allow_traffic_hook_arn = "arn:aws:lambda:eu-west-1:123456789012:function:pre:live" }
  }
  expect_failures = [var.deployment]
}

run "deployment_too_many_alarms" {
  command = plan
  variables {
    deployment = { strategy = "canary", alarm_names = [for i in range(50) : "alarm-${i}"] }
  }
  expect_failures = [var.deployment]
}

run "deployment_without_publish" {
  command = plan
  variables {
    publish    = false
    deployment = { strategy = "canary" }
  }
  expect_failures = [aws_lambda_alias.codedeploy]
}

run "deployment_without_alias" {
  command = plan
  variables {
    alias_name = null
    deployment = { strategy = "canary" }
  }
  expect_failures = [output.alias_name]
}

run "deployment_and_routing_exclusive" {
  command = plan
  variables {
    deployment                       = { strategy = "canary" }
    alias_additional_version_weights = { "3" = 0.1 }
  }
  expect_failures = [aws_lambda_alias.codedeploy]
}

run "deployment_cli_command_with_shell_syntax" {
  command = plan
  variables {
    deployment = { strategy = "canary", aws_cli_command = "aws; rm -rf /" }
  }
  expect_failures = [var.deployment]
}

run "bad_hook_deployment_group_arn" {
  command = plan
  variables {
    codedeploy_hook_deployment_group_arns = ["arn:aws:lambda:eu-west-1:123456789012:function:x"]
  }
  expect_failures = [var.codedeploy_hook_deployment_group_arns]
}
