# Input AWS accepts must pass the module's validations (issue 12: validations that rejected valid input),
# and the near misses must still fail with the module's message.
mock_provider "aws" {
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/test-fn" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/test-fn" }
  }
}

variables {
  function_name    = "test-fn"
  filename         = "../../build/functions/test.zip"
  source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
}

# A runtime the old fixed list did not know (the check is by family and minimum version, so a runtime AWS
# adds later passes the module; the AWS provider's own list then decides, and a provider upgrade adds it).
run "runtime_outside_the_old_list" {
  command = plan

  variables {
    runtime = "ruby3.4"
  }

  assert {
    condition     = aws_lambda_function.this[0].runtime == "ruby3.4"
    error_message = "ruby3.4 is accepted"
  }
}

run "deprecated_runtime_version" {
  command = plan

  variables {
    runtime = "nodejs18.x"
  }

  expect_failures = [var.runtime]
}

run "unknown_runtime_family" {
  command = plan

  variables {
    runtime = "go1.x"
  }

  expect_failures = [var.runtime]
}

# 20 variables of 4 + 200 bytes = 4080 bytes: under Lambda's 4 KB, though their JSON encoding is 4201.
run "environment_size_without_json_overhead" {
  command = plan

  variables {
    environment_variables = { for i in range(10, 30) : "V_${i}" => format("%200s", "x") }
  }

  assert {
    condition     = length(aws_lambda_function.this[0].environment[0].variables) == 20
    error_message = "4080 bytes of names and values fit Lambda's 4 KB limit"
  }
}

# 2100 two-byte characters are 4200 bytes: counted in bytes, not characters.
run "environment_size_in_bytes" {
  command = plan

  variables {
    environment_variables = { V = replace(format("%2100s", ""), " ", "é") }
  }

  expect_failures = [var.environment_variables]
}

run "alias_starting_with_digit" {
  command = plan

  variables {
    alias_name = "2024-release"
  }

  assert {
    condition     = aws_lambda_alias.this[0].name == "2024-release"
    error_message = "an alias name starting with a digit (not all digits) is accepted"
  }
}

# AWS accepts an S3 bucket as the on-failure destination of asynchronous invocations.
run "s3_on_failure_destination" {
  command = apply

  variables {
    async_invoke = { on_failure_destination_arn = "arn:aws:s3:::failed-events-bucket" }
  }

  assert {
    condition     = aws_lambda_function_event_invoke_config.this[0].destination_config[0].on_failure[0].destination == "arn:aws:s3:::failed-events-bucket"
    error_message = "S3 on-failure destination is configured"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.execution[0].policy).Statement : s if s.Sid == "AsyncDestinationOnFailure"]) == {
      Sid = "AsyncDestinationOnFailure", Effect = "Allow", Action = ["s3:PutObject"], Resource = ["arn:aws:s3:::failed-events-bucket/*"]
    }
    error_message = "S3 destination: PutObject on the bucket's objects"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.execution[0].policy).Statement : s if s.Sid == "AsyncDestinationOnFailureListBucket"]) == {
      Sid = "AsyncDestinationOnFailureListBucket", Effect = "Allow", Action = ["s3:ListBucket"], Resource = ["arn:aws:s3:::failed-events-bucket"]
    }
    error_message = "S3 destination: ListBucket on the bucket"
  }
}

run "s3_on_success_destination" {
  command = plan

  variables {
    async_invoke = { on_success_destination_arn = "arn:aws:s3:::failed-events-bucket" }
  }

  expect_failures = [var.async_invoke]
}

# `a-b` and `ab` would both become Sid "ab".
run "colliding_statement_sids" {
  command = plan

  variables {
    policy_statements = {
      "read-orders" = { actions = ["dynamodb:GetItem"], resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"] }
      "readorders"  = { actions = ["dynamodb:Query"], resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"] }
    }
  }

  expect_failures = [var.policy_statements]
}

# SnapStart, recursive loop detection and the IAM escape hatches (issue 12 item 5).
run "snap_start_recursion_and_escape_hatches" {
  command = plan

  variables {
    publish             = true
    snap_start          = true
    recursive_loop      = "Allow"
    managed_policy_arns = ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"]
    policy_json         = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"ssm:GetParameter\",\"Resource\":\"arn:aws:ssm:eu-west-1:123456789012:parameter/app/*\"}]}"
    trusted_entities    = { services = ["edgelambda.amazonaws.com"] }
  }

  assert {
    condition     = aws_lambda_function.this[0].snap_start[0].apply_on == "PublishedVersions"
    error_message = "SnapStart on published versions"
  }
  assert {
    condition     = aws_lambda_function_recursion_config.this[0].recursive_loop == "Allow"
    error_message = "recursive loop setting"
  }
  assert {
    condition     = aws_iam_role_policy_attachment.managed["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"].policy_arn == "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess" && aws_iam_role_policy.extra_json[0].name == "extra"
    error_message = "managed policy attached, extra JSON inline"
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role.this[0].assume_role_policy).Statement : s.Principal] == [
      { Service = "lambda.amazonaws.com" }, { Service = ["edgelambda.amazonaws.com"] },
    ]
    error_message = "extra trusted entity beside lambda.amazonaws.com"
  }
}

run "snap_start_needs_publish" {
  command = plan

  variables {
    snap_start = true
  }

  expect_failures = [aws_lambda_function.this]
}

run "policy_json_wildcard_rejected" {
  command = plan

  variables {
    policy_json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}"
  }

  expect_failures = [var.policy_json]
}
