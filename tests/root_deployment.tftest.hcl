# Mocks shared with tests/root.tftest.hcl (type defaults, a distinct ARN per wired resource).
mock_provider "aws" {
  source = "./tests/mocks"
}

# orders_api safe deployments (issue 12 item 1), plan level: LocalStack community has no CodeDeploy.

variables {
  build_dir = "tests/fixtures/fake_build"
}

# Root tests see a module's outputs, not its resources: the resources are asserted in
# modules/lambda_function/tests/deployment.tftest.hcl.

run "no_codedeploy_by_default" {
  command = plan

  assert {
    condition = (
      output.orders_api_deployment == null
      && module.function["orders_api"].deployment_group_name == null
      && module.function["orders_api"].deployment_alarm_names == []
      && module.function["orders_api"].alias_name == "live"
    )
    error_message = "orders_api_deployment = null keeps today's behaviour: Terraform moves the live alias, no CodeDeploy."
  }
}

run "orders_api_canary" {
  command = apply

  # publish stays false here: the rollout must imply published versions (else the module's precondition fails).
  variables {
    orders_api_publish_versions = false
    orders_api_deployment = {
      strategy    = "canary"
      alarm_names = ["imgpipe-dev-orders_api-throttles"]
    }
  }

  # The CodeDeploy-owned alias gets the same ARNs the Terraform-owned one has in the shared mocks.
  override_resource {
    target = module.function["orders_api"].aws_lambda_alias.codedeploy[0]
    values = {
      arn        = "arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-orders-api:live"
      invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-orders-api:live/invocations"
    }
  }

  assert {
    condition = alltrue([
      for i in aws_api_gateway_integration.this : i.uri == "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:imgpipe-dev-orders-api:live/invocations"
    ]) && length(aws_api_gateway_integration.this) == 8
    error_message = "Every API integration still targets the live alias (now the CodeDeploy-owned one)."
  }
  assert {
    condition = (
      module.function["orders_api"].deployment_config_name == "CodeDeployDefault.LambdaCanary10Percent5Minutes"
      && module.function["orders_api"].deployment_alarm_names == tolist(["imgpipe-dev-orders-api-live-deployment-errors", "imgpipe-dev-orders_api-throttles"])
    )
    error_message = "Canary 10% / 5 min, rolled back by the alias's Errors alarm and the extra alarm."
  }
  assert {
    condition = (
      module.function["orders_api"].deployment_errors_alarm.alarm_actions == toset(["arn:aws:sns:us-east-1:123456789012:imgpipe-dev-alarms"])
      && module.function["orders_api"].deployment_errors_alarm.threshold == var.alarm_function_errors_threshold
      && module.function["orders_api"].deployment_errors_alarm.period_seconds == var.alarm_period_seconds
      && module.function["orders_api"].deployment_errors_alarm.evaluation_periods == var.alarm_evaluation_periods
    )
    error_message = "The rollout alarm uses the stack's alarm settings and notifies the alarms topic."
  }
  assert {
    condition = (
      output.orders_api_deployment.deployment_group_name == "imgpipe-dev-orders-api-live"
      && output.orders_api_deployment.application_name == "imgpipe-dev-orders-api"
      && startswith(output.orders_api_deployment.command, "aws deploy create-deployment --application-name imgpipe-dev-orders-api --deployment-group-name imgpipe-dev-orders-api-live ")
    )
    error_message = "The root outputs the group and the command that starts the next rollout."
  }
  assert {
    condition     = alltrue([for k, m in module.function : m.deployment_group_name == null if k != "orders_api"])
    error_message = "Only orders_api gets a rollout."
  }
}

run "orders_api_linear_custom" {
  command = plan

  variables {
    orders_api_deployment = { strategy = "linear", percentage = 25, interval_minutes = 5 }
  }

  assert {
    condition     = module.function["orders_api"].deployment_config_name == "imgpipe-dev-orders-api-linear-25pct-5min"
    error_message = "A custom linear rollout gets its own deployment config."
  }
}
