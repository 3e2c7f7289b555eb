# Every validation and precondition rejects bad input.
mock_provider "aws" {}

variables {
  function_name    = "test-fn"
  filename         = "../../build/functions/test.zip"
  source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
}

run "bad_function_name" {
  command = plan

  variables {
    function_name = "has spaces"
  }

  expect_failures = [var.function_name]
}

run "bad_filename" {
  command = plan

  variables {
    filename = "code.tar.gz"
  }

  expect_failures = [var.filename]
}

run "bad_source_code_hash" {
  command = plan

  variables {
    source_code_hash = "abc123"
  }

  expect_failures = [var.source_code_hash]
}

run "bad_handler_chars" {
  command = plan

  variables {
    handler = "handler lambda_handler"
  }

  expect_failures = [var.handler]
}

run "bad_runtime" {
  command = plan

  variables {
    runtime = "python2.7"
  }

  expect_failures = [var.runtime]
}

run "two_architectures" {
  command = plan

  variables {
    architectures = ["x86_64", "arm64"]
  }

  expect_failures = [var.architectures]
}

run "bad_architecture" {
  command = plan

  variables {
    architectures = ["sparc"]
  }

  expect_failures = [var.architectures]
}

run "memory_too_small" {
  command = plan

  variables {
    memory_size = 64
  }

  expect_failures = [var.memory_size]
}

run "memory_too_large" {
  command = plan

  variables {
    memory_size = 10241
  }

  expect_failures = [var.memory_size]
}

run "timeout_too_large" {
  command = plan

  variables {
    timeout = 901
  }

  expect_failures = [var.timeout]
}

run "timeout_zero" {
  command = plan

  variables {
    timeout = 0
  }

  expect_failures = [var.timeout]
}

run "ephemeral_too_small" {
  command = plan

  variables {
    ephemeral_storage_size = 256
  }

  expect_failures = [var.ephemeral_storage_size]
}

run "environment_over_4kb" {
  command = plan

  variables {
    environment_variables = { BIG = format("%4100s", "x") }
  }

  expect_failures = [var.environment_variables]
}

run "environment_bad_name" {
  command = plan

  variables {
    environment_variables = { "1BAD" = "x" }
  }

  expect_failures = [var.environment_variables]
}

run "six_layers" {
  command = plan

  variables {
    layers = [for i in range(6) : "arn:aws:lambda:eu-west-1:123456789012:layer:l${i}:1"]
  }

  expect_failures = [var.layers]
}

run "layer_not_an_arn" {
  command = plan

  variables {
    layers = ["powertools"]
  }

  expect_failures = [var.layers]
}

run "reserved_concurrency_below_minus_one" {
  command = plan

  variables {
    reserved_concurrent_executions = -2
  }

  expect_failures = [var.reserved_concurrent_executions]
}

run "bad_tracing_mode" {
  command = plan

  variables {
    tracing_mode = "Off"
  }

  expect_failures = [var.tracing_mode]
}

run "bad_log_format" {
  command = plan

  variables {
    log_format = "XML"
  }

  expect_failures = [var.log_format]
}

run "bad_application_log_level" {
  command = plan

  variables {
    application_log_level = "VERBOSE"
  }

  expect_failures = [var.application_log_level]
}

run "bad_system_log_level" {
  command = plan

  variables {
    system_log_level = "ERROR"
  }

  expect_failures = [var.system_log_level]
}

run "bad_log_retention" {
  command = plan

  variables {
    log_retention_in_days = 42
  }

  expect_failures = [var.log_retention_in_days]
}

run "bad_role_arn" {
  command = plan

  variables {
    role_arn = "my-role"
  }

  expect_failures = [var.role_arn]
}

run "star_action" {
  command = plan

  variables {
    policy_statements = { all = { actions = ["*"], resources = ["arn:aws:s3:::b"] } }
  }

  expect_failures = [var.policy_statements]
}

run "service_star_action" {
  command = plan

  variables {
    policy_statements = { s3 = { actions = ["s3:*"], resources = ["arn:aws:s3:::b"] } }
  }

  expect_failures = [var.policy_statements]
}

run "bad_effect" {
  command = plan

  variables {
    policy_statements = { s3 = { effect = "Permit", actions = ["s3:GetObject"], resources = ["arn:aws:s3:::b/*"] } }
  }

  expect_failures = [var.policy_statements]
}

run "empty_resources" {
  command = plan

  variables {
    policy_statements = { s3 = { actions = ["s3:GetObject"], resources = [] } }
  }

  expect_failures = [var.policy_statements]
}

run "bad_statement_key" {
  command = plan

  variables {
    policy_statements = { "bad key" = { actions = ["s3:GetObject"], resources = ["arn:aws:s3:::b/*"] } }
  }

  expect_failures = [var.policy_statements]
}

run "numeric_alias" {
  command = plan

  variables {
    alias_name = "42"
  }

  expect_failures = [var.alias_name]
}

run "negative_provisioned_concurrency" {
  command = plan

  variables {
    provisioned_concurrency = -1
  }

  expect_failures = [var.provisioned_concurrency]
}

run "autoscaling_min_above_max" {
  command = plan

  variables {
    provisioned_concurrency_autoscaling = { min_capacity = 5, max_capacity = 2 }
  }

  expect_failures = [var.provisioned_concurrency_autoscaling]
}

run "autoscaling_bad_target" {
  command = plan

  variables {
    provisioned_concurrency_autoscaling = { min_capacity = 1, max_capacity = 2, target_utilization = 1.5 }
  }

  expect_failures = [var.provisioned_concurrency_autoscaling]
}

run "async_three_retries" {
  command = plan

  variables {
    async_invoke = { maximum_retry_attempts = 3 }
  }

  expect_failures = [var.async_invoke]
}

run "async_event_age_too_small" {
  command = plan

  variables {
    async_invoke = { maximum_event_age_in_seconds = 30 }
  }

  expect_failures = [var.async_invoke]
}

run "async_destination_not_a_destination_service" {
  command = plan

  variables {
    async_invoke = { on_failure_destination_arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/t" }
  }

  expect_failures = [var.async_invoke]
}

run "dlq_not_sqs_or_sns" {
  command = plan

  variables {
    dead_letter_target_arn = "arn:aws:lambda:eu-west-1:123456789012:function:x"
  }

  expect_failures = [var.dead_letter_target_arn]
}

run "trigger_star_principal" {
  command = plan

  variables {
    allowed_triggers = { any = { principal = "*" } }
  }

  expect_failures = [var.allowed_triggers]
}

run "trigger_bad_action" {
  command = plan

  variables {
    allowed_triggers = { s3 = { principal = "s3.amazonaws.com", action = "lambda:*" } }
  }

  expect_failures = [var.allowed_triggers]
}

run "url_bad_auth" {
  command = plan

  variables {
    function_url = { authorization_type = "COGNITO" }
  }

  expect_failures = [var.function_url]
}

run "vpc_without_subnets" {
  command = plan

  variables {
    vpc_config = { subnet_ids = [], security_group_ids = ["sg-1"] }
  }

  expect_failures = [var.vpc_config]
}

run "python_handler_without_function" {
  command = plan

  variables {
    handler = "handler"
  }

  expect_failures = [aws_lambda_function.this]
}

run "log_levels_need_json" {
  command = plan

  variables {
    log_format            = "Text"
    application_log_level = "DEBUG"
  }

  expect_failures = [aws_lambda_function.this]
}

run "provisioned_needs_alias_and_publish" {
  command = plan

  variables {
    provisioned_concurrency = 2
  }

  expect_failures = [aws_lambda_function.this]
}

run "statements_with_own_role" {
  command = plan

  variables {
    role_arn          = "arn:aws:iam::123456789012:role/r"
    policy_statements = { s3 = { actions = ["s3:GetObject"], resources = ["arn:aws:s3:::b/*"] } }
  }

  expect_failures = [aws_lambda_function.this]
}
