# Every validation rejects bad input (one run per rule).

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1", id = "eu-west-1" }
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

run "rejects_bad_name" {
  command = plan

  variables {
    name = "image pipeline"
  }

  expect_failures = [var.name]
}

# Step Functions accepts dots in names: a nested machine named child.v1 (created elsewhere) is accepted
# as an integration. (The module's own name accepts dots too; AWS provider 5.x still refuses them.)
run "accepts_nested_machine_name_with_dots" {
  command = plan

  variables {
    integrations = { state_machine_arns = ["arn:aws:states:eu-west-1:111122223333:stateMachine:child.v1"] }
  }

  assert {
    condition     = contains(flatten([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s.Resource if s.Sid == "StartNestedExecutions"]), "arn:aws:states:eu-west-1:111122223333:stateMachine:child.v1")
    error_message = "a nested state machine name with dots is accepted and granted"
  }
}

run "rejects_bad_type" {
  command = plan

  variables {
    type = "FAST"
  }

  expect_failures = [var.type]
}

run "rejects_definition_not_json" {
  command = plan

  variables {
    definition_template = null
    definition          = "StartAt: x"
  }

  expect_failures = [var.definition]
}

run "rejects_bad_logging_level" {
  command = plan

  variables {
    logging_level = "DEBUG"
  }

  expect_failures = [var.logging_level]
}

run "rejects_bad_retention" {
  command = plan

  variables {
    log_retention_in_days = 10
  }

  expect_failures = [var.log_retention_in_days]
}

run "rejects_bad_role_arn" {
  command = plan

  variables {
    role_arn = "existing-role"
  }

  expect_failures = [var.role_arn]
}

run "rejects_lambda_not_arn" {
  command = plan

  variables {
    integrations = { lambda_function_arns = ["work"] }
  }

  expect_failures = [var.integrations]
}

run "rejects_dynamodb_wildcard_action" {
  command = plan

  variables {
    integrations = { dynamodb = [{ table_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/t", actions = ["dynamodb:*"] }] }
  }

  expect_failures = [var.integrations]
}

run "rejects_dynamodb_prefix_wildcard" {
  command = plan

  variables {
    integrations = { dynamodb = [{ table_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/t", actions = ["dynamodb:Get*"] }] }
  }

  expect_failures = [var.integrations]
}

run "rejects_dynamodb_other_service_action" {
  command = plan

  variables {
    integrations = { dynamodb = [{ table_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/t", actions = ["s3:GetObject"] }] }
  }

  expect_failures = [var.integrations]
}

run "rejects_dynamodb_no_actions" {
  command = plan

  variables {
    integrations = { dynamodb = [{ table_arn = "arn:aws:dynamodb:eu-west-1:111122223333:table/t", actions = [] }] }
  }

  expect_failures = [var.integrations]
}

run "rejects_dynamodb_bad_table" {
  command = plan

  variables {
    integrations = { dynamodb = [{ table_arn = "t", actions = ["dynamodb:PutItem"] }] }
  }

  expect_failures = [var.integrations]
}

run "rejects_sns_not_topic" {
  command = plan

  variables {
    integrations = { sns_topic_arns = ["arn:aws:sqs:eu-west-1:111122223333:q"] }
  }

  expect_failures = [var.integrations]
}

run "rejects_sqs_not_queue" {
  command = plan

  variables {
    integrations = { sqs_queue_arns = ["arn:aws:sns:eu-west-1:111122223333:t"] }
  }

  expect_failures = [var.integrations]
}

run "rejects_bus_not_bus" {
  command = plan

  variables {
    integrations = { event_bus_arns = ["orders"] }
  }

  expect_failures = [var.integrations]
}

run "rejects_state_machine_qualified" {
  command = plan

  variables {
    integrations = { state_machine_arns = ["arn:aws:states:eu-west-1:111122223333:execution:child:abc"] }
  }

  expect_failures = [var.integrations]
}

run "rejects_kms_alias" {
  command = plan

  variables {
    integrations = { kms_key_arns = ["arn:aws:kms:eu-west-1:111122223333:alias/x"] }
  }

  expect_failures = [var.integrations]
}

run "rejects_additional_wildcard" {
  command = plan

  variables {
    additional_policy_statements = [{ actions = ["s3:*"], resources = ["arn:aws:s3:::b/*"] }]
  }

  expect_failures = [var.additional_policy_statements]
}

run "rejects_additional_no_resources" {
  command = plan

  variables {
    additional_policy_statements = [{ actions = ["s3:GetObject"], resources = [] }]
  }

  expect_failures = [var.additional_policy_statements]
}

run "rejects_both_definitions" {
  command = plan

  variables {
    definition = "{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Succeed\"}}}"
  }

  expect_failures = [aws_sfn_state_machine.this]
}

run "rejects_no_definition" {
  command = plan

  variables {
    definition_template = null
  }

  expect_failures = [aws_sfn_state_machine.this]
}

run "rejects_definition_not_asl" {
  command = plan

  variables {
    definition_template = "tests/fixtures/not_asl.json"
  }

  expect_failures = [aws_sfn_state_machine.this]
}
