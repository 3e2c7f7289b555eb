# Plan-level tests: rendering, logging/tracing, and the role derived from the integrations.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1", id = "eu-west-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

variables {
  name                = "image-pipeline"
  definition_template = "tests/fixtures/retry_catch.asl.json.tftpl"
  definition_vars = {
    function_arn = "arn:aws:lambda:eu-west-1:111122223333:function:work"
    topic_arn    = "arn:aws:sns:eu-west-1:111122223333:done"
  }
}

run "typical_standard_machine" {
  command = plan

  variables {
    integrations = {
      lambda_function_arns = ["arn:aws:lambda:eu-west-1:111122223333:function:work"]
      sns_topic_arns       = ["arn:aws:sns:eu-west-1:111122223333:done"]
    }
    logging_level          = "ALL"
    include_execution_data = true
    tags                   = { team = "imaging" }
  }

  assert {
    condition     = aws_sfn_state_machine.this[0].name == "image-pipeline" && aws_sfn_state_machine.this[0].type == "STANDARD"
    error_message = "name/type"
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.this[0].definition).States.Work.Parameters.FunctionName == "arn:aws:lambda:eu-west-1:111122223333:function:work"
    error_message = "template variables must be substituted"
  }
  assert {
    condition     = jsondecode(aws_sfn_state_machine.this[0].definition).States.Work.Retry[0].MaxAttempts == 2
    error_message = "Retry preserved"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this[0].name == "/aws/vendedlogs/states/image-pipeline" && aws_cloudwatch_log_group.this[0].retention_in_days == 30
    error_message = "vended log group with retention"
  }
  assert {
    condition     = aws_sfn_state_machine.this[0].logging_configuration[0].level == "ALL" && aws_sfn_state_machine.this[0].logging_configuration[0].include_execution_data == true
    error_message = "logging configuration"
  }
  assert {
    condition     = aws_sfn_state_machine.this[0].tracing_configuration[0].enabled == true
    error_message = "tracing on by default"
  }
  assert {
    condition     = aws_iam_role.this[0].name == "image-pipeline-sfn" && jsondecode(aws_iam_role.this[0].assume_role_policy).Statement[0].Principal.Service == "states.amazonaws.com"
    error_message = "role trusts Step Functions"
  }
  assert {
    condition     = jsondecode(aws_iam_role.this[0].assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "111122223333"
    error_message = "trust policy guards against the confused deputy"
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s.Sid] == [
      "InvokeLambdaFunctions", "PublishToSnsTopics", "CloudWatchLogsDelivery", "XRayTracing",
    ]
    error_message = "only the declared integrations plus logging and tracing"
  }
  assert {
    condition = jsondecode(aws_iam_role_policy.this[0].policy).Statement[0].Resource == [
      "arn:aws:lambda:eu-west-1:111122223333:function:work",
      "arn:aws:lambda:eu-west-1:111122223333:function:work:*",
    ]
    error_message = "lambda:InvokeFunction on the function and its qualified ARNs"
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : alltrue([for a in s.Action : !strcontains(a, "*")])])
    error_message = "no wildcard actions"
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s.Resource == ["*"] if contains(["CloudWatchLogsDelivery", "XRayTracing"], s.Sid)]) && alltrue([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : !contains(s.Resource, "*") if !contains(["CloudWatchLogsDelivery", "XRayTracing"], s.Sid)])
    error_message = "Resource * only for log delivery and X-Ray"
  }
  assert {
    condition     = aws_sfn_state_machine.this[0].tags["team"] == "imaging"
    error_message = "tags"
  }
  assert {
    condition     = output.log_group_name == "/aws/vendedlogs/states/image-pipeline" && output.role_name == "image-pipeline-sfn"
    error_message = "outputs"
  }
}

run "only_a_topic_declared" {
  command = plan

  variables {
    integrations    = { sns_topic_arns = ["arn:aws:sns:eu-west-1:111122223333:done"] }
    logging_level   = "OFF"
    tracing_enabled = false
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.this[0].policy).Statement == [{
      Sid      = "PublishToSnsTopics"
      Effect   = "Allow"
      Action   = ["sns:Publish"]
      Resource = ["arn:aws:sns:eu-west-1:111122223333:done"]
    }]
    error_message = "exactly sns:Publish on the declared topic"
  }
  assert {
    condition     = length(aws_cloudwatch_log_group.this) == 0 && length(aws_sfn_state_machine.this[0].logging_configuration) == 0
    error_message = "logging OFF creates no log group"
  }
  assert {
    condition     = length(aws_sfn_state_machine.this[0].tracing_configuration) == 0
    error_message = "tracing off leaves the tracing block out (AWS default: disabled)"
  }
}

run "dynamodb_sqs_events_kms" {
  command = plan

  variables {
    logging_level   = "OFF"
    tracing_enabled = false
    integrations = {
      dynamodb = [
        { table_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/image-metadata", actions = ["dynamodb:PutItem"] },
        { table_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders", actions = ["dynamodb:Query", "dynamodb:GetItem"], include_indexes = true },
      ]
      sqs_queue_arns = ["arn:aws:sqs:eu-west-1:111122223333:q"]
      event_bus_arns = ["arn:aws:events:eu-west-1:111122223333:event-bus/orders"]
      kms_key_arns   = ["arn:aws:kms:eu-west-1:111122223333:key/abcd"]
    }
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.this[0].policy).Statement == [
      { Sid = "DynamoDbTable0", Effect = "Allow", Action = ["dynamodb:PutItem"], Resource = ["arn:aws:dynamodb:eu-west-1:111122223333:table/image-metadata"] },
      { Sid = "DynamoDbTable1", Effect = "Allow", Action = ["dynamodb:GetItem", "dynamodb:Query"], Resource = ["arn:aws:dynamodb:eu-west-1:111122223333:table/orders", "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/index/*"] },
      { Sid = "SendToSqsQueues", Effect = "Allow", Action = ["sqs:SendMessage"], Resource = ["arn:aws:sqs:eu-west-1:111122223333:q"] },
      { Sid = "PutEventsToBuses", Effect = "Allow", Action = ["events:PutEvents"], Resource = ["arn:aws:events:eu-west-1:111122223333:event-bus/orders"] },
      { Sid = "UseKmsKeys", Effect = "Allow", Action = ["kms:Decrypt", "kms:GenerateDataKey"], Resource = ["arn:aws:kms:eu-west-1:111122223333:key/abcd"] },
    ]
    error_message = "table actions per table, indexes only when asked, one statement per integration kind"
  }
}

run "nested_state_machine" {
  command = plan

  variables {
    logging_level   = "OFF"
    tracing_enabled = false
    integrations    = { state_machine_arns = ["arn:aws:states:eu-west-1:111122223333:stateMachine:child"] }
  }

  assert {
    condition = jsondecode(aws_iam_role_policy.this[0].policy).Statement == [
      { Sid = "StartNestedExecutions", Effect = "Allow", Action = ["states:StartExecution"], Resource = ["arn:aws:states:eu-west-1:111122223333:stateMachine:child"] },
      { Sid = "ManageNestedExecutions", Effect = "Allow", Action = ["states:DescribeExecution", "states:StopExecution"], Resource = ["arn:aws:states:eu-west-1:111122223333:execution:child:*"] },
      { Sid = "NestedExecutionEventsRule", Effect = "Allow", Action = ["events:DescribeRule", "events:PutRule", "events:PutTargets"], Resource = ["arn:aws:events:eu-west-1:111122223333:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"] },
    ]
    error_message = "nested executions: start, describe/stop, and the managed events rule"
  }
}

run "raw_definition_express_published" {
  command = plan

  variables {
    definition_template = null
    definition          = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
    type                = "EXPRESS"
    publish             = true
    log_kms_key_arn     = "arn:aws:kms:eu-west-1:111122223333:key/abcd"
  }

  assert {
    condition     = aws_sfn_state_machine.this[0].type == "EXPRESS" && aws_sfn_state_machine.this[0].publish == true
    error_message = "express + publish"
  }
  assert {
    condition     = aws_cloudwatch_log_group.this[0].kms_key_id == "arn:aws:kms:eu-west-1:111122223333:key/abcd"
    error_message = "log group KMS"
  }
  assert {
    condition     = [for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s.Sid] == ["CloudWatchLogsDelivery", "XRayTracing"]
    error_message = "no integrations declared -> only logging and tracing"
  }
}

run "bring_your_own_role" {
  command = plan

  variables {
    role_arn = "arn:aws:iam::111122223333:role/existing"
  }

  assert {
    condition     = length(aws_iam_role.this) == 0 && length(aws_iam_role_policy.this) == 0
    error_message = "no role or policy with role_arn"
  }
  assert {
    condition     = aws_sfn_state_machine.this[0].role_arn == "arn:aws:iam::111122223333:role/existing" && output.role_arn == "arn:aws:iam::111122223333:role/existing" && output.role_name == null
    error_message = "uses the given role"
  }
}

run "additional_statements" {
  command = plan

  variables {
    logging_level   = "OFF"
    tracing_enabled = false
    additional_policy_statements = [
      { sid = "ReadManifests", actions = ["s3:GetObject"], resources = ["arn:aws:s3:::bucket/manifests/*"] },
    ]
  }

  assert {
    condition     = jsondecode(aws_iam_role_policy.this[0].policy).Statement == [{ Sid = "ReadManifests", Effect = "Allow", Action = ["s3:GetObject"], Resource = ["arn:aws:s3:::bucket/manifests/*"] }]
    error_message = "additional statement"
  }
}

run "create_false_plans_nothing" {
  command = plan

  variables {
    create = false
  }

  assert {
    condition     = length(aws_sfn_state_machine.this) + length(aws_iam_role.this) + length(aws_iam_role_policy.this) + length(aws_cloudwatch_log_group.this) == 0
    error_message = "create = false must plan nothing"
  }
  assert {
    condition     = output.state_machine_arn == null && output.role_arn == null && output.log_group_name == null && output.role_policy_json == null
    error_message = "outputs are null"
  }
}

run "example_template_renders_retry_and_catch" {
  command = plan

  variables {
    definition_template = "examples/lambda_retry_catch/definition.asl.json.tftpl"
    definition_vars = {
      partition    = "aws"
      function_arn = "arn:aws:lambda:eu-west-1:111122223333:function:worker"
      topic_arn    = "arn:aws:sns:eu-west-1:111122223333:outcome"
    }
  }

  assert {
    condition     = jsondecode(output.state_machine_definition).States.Work.Retry[0].IntervalSeconds == 3 && jsondecode(output.state_machine_definition).States.Work.Retry[0].MaxAttempts == 2 && jsondecode(output.state_machine_definition).States.Work.Retry[0].BackoffRate == 2
    error_message = "Retry: 3 s, 2 attempts, backoff 2.0"
  }
  assert {
    condition     = jsondecode(output.state_machine_definition).States.Work.Catch[0].Next == "ReportFailure" && jsondecode(output.state_machine_definition).States.Failed.Type == "Fail"
    error_message = "Catch leads to a Fail state"
  }
}
