# Plan/apply-level tests with a mocked AWS provider (offline, nothing is created).
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
      qualified_arn = "arn:aws:lambda:eu-west-1:123456789012:function:test-fn:1"
      version       = "1"
    }
  }
  mock_resource "aws_lambda_alias" {
    defaults = {
      arn        = "arn:aws:lambda:eu-west-1:123456789012:function:test-fn:live"
      invoke_arn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:test-fn:live/invocations"
    }
  }
}

variables {
  function_name    = "test-fn"
  filename         = "../../build/functions/test.zip"
  source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
}

run "typical_use" {
  command = apply

  variables {
    description           = "unit test"
    runtime               = "python3.12"
    architectures         = ["arm64"]
    memory_size           = 512
    timeout               = 30
    environment_variables = { POWERTOOLS_SERVICE_NAME = "test-fn", LOG_LEVEL = "INFO" }
    layers                = ["arn:aws:lambda:eu-west-1:123456789012:layer:powertools:3"]
    application_log_level = "INFO"
    system_log_level      = "WARN"
    tags                  = { team = "data" }
    function_tags         = { tier = "api" }
  }

  assert {
    condition     = aws_lambda_function.this[0].handler == "handler.lambda_handler" && aws_lambda_function.this[0].runtime == "python3.12"
    error_message = "default handler and runtime"
  }
  assert {
    condition     = aws_lambda_function.this[0].architectures == tolist(["arm64"]) && aws_lambda_function.this[0].memory_size == 512 && aws_lambda_function.this[0].timeout == 30
    error_message = "architecture, memory and timeout are passed through"
  }
  assert {
    condition     = aws_lambda_function.this[0].tracing_config[0].mode == "Active"
    error_message = "X-Ray tracing is Active by default"
  }
  assert {
    condition     = aws_lambda_function.this[0].logging_config[0].log_format == "JSON" && aws_lambda_function.this[0].logging_config[0].log_group == "/aws/lambda/test-fn"
    error_message = "JSON logging into the module's log group"
  }
  assert {
    condition     = aws_lambda_function.this[0].logging_config[0].application_log_level == "INFO" && aws_lambda_function.this[0].logging_config[0].system_log_level == "WARN"
    error_message = "log levels are passed through"
  }
  assert {
    condition     = aws_lambda_function.this[0].reserved_concurrent_executions == -1 && aws_lambda_function.this[0].publish == false
    error_message = "unreserved concurrency and no publishing by default"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this[0].name == "/aws/lambda/test-fn" && aws_cloudwatch_log_group.this[0].retention_in_days == 30
    error_message = "log group with default retention"
  }
  assert {
    condition     = aws_lambda_function.this[0].tags == tomap({ team = "data", tier = "api" }) && aws_iam_role.this[0].tags == tomap({ team = "data" })
    error_message = "tags merge with per-resource tags"
  }
  assert {
    condition     = aws_iam_role.this[0].name == "test-fn" && jsondecode(aws_iam_role.this[0].assume_role_policy).Statement[0].Principal.Service == "lambda.amazonaws.com"
    error_message = "role trusts lambda.amazonaws.com"
  }
  assert {
    condition = toset(flatten([for s in jsondecode(aws_iam_role_policy.execution[0].policy).Statement : s.Action])) == toset([
      "logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords",
    ])
    error_message = "base policy has only logging and tracing actions"
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.execution[0].policy).Statement[0].Resource == ["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/test-fn:*"]
    error_message = "log writes are scoped to the function's log group"
  }
  assert {
    condition     = length(aws_iam_role_policy.statements) == 0 && length(aws_lambda_alias.this) == 0 && length(aws_lambda_function_event_invoke_config.this) == 0
    error_message = "nothing optional is created by default"
  }
  assert {
    condition     = output.role_name == "test-fn" && output.log_group_name == "/aws/lambda/test-fn" && output.alias_arn == null
    error_message = "outputs"
  }
  assert {
    condition     = output.alias_invoke_arn == output.function_invoke_arn
    error_message = "without an alias, alias_invoke_arn falls back to the function invoke ARN"
  }
}

run "caller_statements_and_no_wildcard_actions" {
  command = apply

  variables {
    policy_statements = {
      read_table = {
        actions   = ["dynamodb:GetItem", "dynamodb:Query"]
        resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders", "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/*"]
      }
      put_object = {
        actions   = ["s3:PutObject"]
        resources = ["arn:aws:s3:::reports/*"]
        conditions = [
          { test = "StringEquals", variable = "s3:x-amz-server-side-encryption", values = ["AES256"] },
          { test = "StringEquals", variable = "aws:ResourceAccount", values = ["123456789012"] },
        ]
      }
    }
    vpc_config             = { subnet_ids = ["subnet-1", "subnet-2"], security_group_ids = ["sg-1"] }
    dead_letter_target_arn = "arn:aws:sqs:eu-west-1:123456789012:dlq"
  }

  assert {
    condition = alltrue(flatten([
      for p in [aws_iam_role_policy.execution[0].policy, aws_iam_role_policy.statements[0].policy] : [
        for s in jsondecode(p).Statement : [for a in s.Action : a != "*" && !endswith(a, ":*")]
      ]
    ]))
    error_message = "no policy grants a * action"
  }
  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.statements[0].policy).Statement : s.Sid] == ["putobject", "readtable"]
    error_message = "one statement per key, Sid derived from the key"
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.statements[0].policy).Statement[0].Condition == { StringEquals = { "s3:x-amz-server-side-encryption" = ["AES256"], "aws:ResourceAccount" = ["123456789012"] } }
    error_message = "conditions are grouped by test"
  }
  assert {
    condition     = !contains(keys(jsondecode(aws_iam_role_policy.statements[0].policy).Statement[1]), "Condition")
    error_message = "a statement without conditions has no Condition key"
  }
  assert {
    condition     = contains(flatten([for s in jsondecode(aws_iam_role_policy.execution[0].policy).Statement : s.Action]), "ec2:CreateNetworkInterface")
    error_message = "vpc_config adds the ENI statement"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.execution[0].policy).Statement : s if s.Sid == "DeadLetterTarget"]).Action == ["sqs:SendMessage"]
    error_message = "SQS DLQ adds sqs:SendMessage on it"
  }
  assert {
    condition     = aws_lambda_function.this[0].dead_letter_config[0].target_arn == "arn:aws:sqs:eu-west-1:123456789012:dlq" && length(aws_lambda_function.this[0].vpc_config) == 1
    error_message = "DLQ and VPC config on the function"
  }
}

run "alias_provisioned_concurrency_autoscaling" {
  command = apply

  variables {
    publish                 = true
    alias_name              = "live"
    provisioned_concurrency = 2
    provisioned_concurrency_autoscaling = {
      min_capacity = 1
      max_capacity = 10
    }
    allowed_triggers = {
      ApiGateway = {
        principal  = "apigateway.amazonaws.com"
        source_arn = "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/*/orders"
      }
    }
  }

  assert {
    condition     = aws_lambda_alias.this[0].name == "live" && aws_lambda_alias.this[0].function_version == "1"
    error_message = "alias points at the published version"
  }
  assert {
    condition     = length(aws_lambda_provisioned_concurrency_config.this) == 0 && aws_lambda_provisioned_concurrency_config.autoscaled[0].provisioned_concurrent_executions == 2
    error_message = "with autoscaling, the initial provisioned value is set on the ignore_changes resource"
  }
  assert {
    condition     = aws_lambda_provisioned_concurrency_config.autoscaled[0].qualifier == "live"
    error_message = "provisioned concurrency on the alias"
  }
  assert {
    condition     = aws_appautoscaling_target.this[0].resource_id == "function:test-fn:live" && aws_appautoscaling_target.this[0].max_capacity == 10
    error_message = "scalable target on the alias"
  }
  assert {
    condition     = aws_appautoscaling_policy.this[0].target_tracking_scaling_policy_configuration[0].target_value == 0.7 && aws_appautoscaling_policy.this[0].target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type == "LambdaProvisionedConcurrencyUtilization"
    error_message = "target tracking at 0.7 utilization"
  }
  assert {
    condition     = aws_lambda_permission.this["ApiGateway"].qualifier == "live" && aws_lambda_permission.this["ApiGateway"].source_arn == "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/*/orders"
    error_message = "trigger permission on the alias, scoped to the source ARN"
  }
  assert {
    condition     = output.alias_invoke_arn == "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:test-fn:live/invocations"
    error_message = "alias_invoke_arn is the alias's invoke ARN"
  }
}

run "fixed_provisioned_concurrency" {
  command = plan

  variables {
    publish                 = true
    alias_name              = "live"
    provisioned_concurrency = 3
  }

  assert {
    condition     = aws_lambda_provisioned_concurrency_config.this[0].provisioned_concurrent_executions == 3 && length(aws_appautoscaling_target.this) == 0
    error_message = "fixed provisioned concurrency without autoscaling"
  }
}

run "async_destinations" {
  command = apply

  variables {
    alias_name = "live"
    async_invoke = {
      maximum_retry_attempts       = 1
      maximum_event_age_in_seconds = 3600
      on_success_destination_arn   = "arn:aws:events:eu-west-1:123456789012:event-bus/orders"
      on_failure_destination_arn   = "arn:aws:sqs:eu-west-1:123456789012:notify-dlq"
    }
  }

  assert {
    condition     = aws_lambda_function_event_invoke_config.this[0].maximum_retry_attempts == 1 && aws_lambda_function_event_invoke_config.this[0].qualifier == "live"
    error_message = "event invoke config on the alias"
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.this[0].destination_config[0].on_failure[0].destination == "arn:aws:sqs:eu-west-1:123456789012:notify-dlq"
    error_message = "on-failure destination"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.execution[0].policy).Statement : s if s.Sid == "AsyncDestinationOnFailure"]).Action == ["sqs:SendMessage"]
    error_message = "SQS destination adds sqs:SendMessage"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.execution[0].policy).Statement : s if s.Sid == "AsyncDestinationOnSuccess"]).Action == ["events:PutEvents"]
    error_message = "EventBridge destination adds events:PutEvents"
  }
  assert {
    condition     = one([for s in jsondecode(aws_iam_role_policy.execution[0].policy).Statement : s if s.Sid == "AsyncDestinationOnSuccess"]).Resource == ["arn:aws:events:eu-west-1:123456789012:event-bus/orders"]
    error_message = "destination statement is scoped to the destination ARN"
  }
}

run "async_sns_and_lambda_destinations" {
  command = apply

  variables {
    async_invoke = {
      on_success_destination_arn = "arn:aws:lambda:eu-west-1:123456789012:function:next"
      on_failure_destination_arn = "arn:aws:sns:eu-west-1:123456789012:errors"
    }
  }

  assert {
    condition = toset(flatten([for s in jsondecode(aws_iam_role_policy.execution[0].policy).Statement : s.Action if startswith(s.Sid, "AsyncDestination")])) == toset([
      "lambda:InvokeFunction", "sns:Publish",
    ])
    error_message = "Lambda and SNS destinations add lambda:InvokeFunction and sns:Publish"
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.this[0].maximum_retry_attempts == 2 && aws_lambda_function_event_invoke_config.this[0].maximum_event_age_in_seconds == 21600
    error_message = "defaults: 2 retries, 6 h max age"
  }
}

run "function_url_public" {
  command = plan

  variables {
    function_url = {
      authorization_type = "NONE"
      cors               = { allow_origins = ["https://example.com"], allow_methods = ["GET"] }
    }
  }

  assert {
    condition     = aws_lambda_function_url.this[0].authorization_type == "NONE" && aws_lambda_function_url.this[0].cors[0].allow_origins == toset(["https://example.com"])
    error_message = "function URL with CORS"
  }
  assert {
    condition     = aws_lambda_permission.function_url_public[0].function_url_auth_type == "NONE" && aws_lambda_permission.function_url_public[0].action == "lambda:InvokeFunctionUrl"
    error_message = "public URL gets its InvokeFunctionUrl permission"
  }
}

run "function_url_iam_has_no_public_permission" {
  command = plan

  variables {
    function_url = {}
  }

  assert {
    condition     = aws_lambda_function_url.this[0].authorization_type == "AWS_IAM" && length(aws_lambda_permission.function_url_public) == 0
    error_message = "AWS_IAM URL by default, no public permission"
  }
}

run "bring_your_own_role" {
  command = plan

  variables {
    role_arn = "arn:aws:iam::123456789012:role/service/existing-role"
  }

  assert {
    condition     = length(aws_iam_role.this) == 0 && length(aws_iam_role_policy.execution) == 0
    error_message = "no role or policy with role_arn"
  }
  assert {
    condition     = aws_lambda_function.this[0].role == "arn:aws:iam::123456789012:role/service/existing-role" && output.role_name == "existing-role"
    error_message = "function uses the given role; role_name derived from the ARN"
  }
}

run "create_false_plans_nothing" {
  command = plan

  variables {
    create     = false
    alias_name = "live"
    async_invoke = {
      on_failure_destination_arn = "arn:aws:sqs:eu-west-1:123456789012:dlq"
    }
    allowed_triggers = { S3 = { principal = "s3.amazonaws.com", source_arn = "arn:aws:s3:::uploads" } }
    function_url     = {}
  }

  assert {
    condition = (
      length(aws_lambda_function.this) + length(aws_iam_role.this) + length(aws_iam_role_policy.execution) +
      length(aws_cloudwatch_log_group.this) + length(aws_lambda_alias.this) + length(aws_lambda_permission.this) +
      length(aws_lambda_function_event_invoke_config.this) + length(aws_lambda_function_url.this)
    ) == 0
    error_message = "create = false plans nothing"
  }
  assert {
    condition     = output.function_arn == null && output.role_name == null && output.role_arn == null && output.log_group_name == null && output.alias_invoke_arn == null
    error_message = "outputs are null when create = false"
  }
}
