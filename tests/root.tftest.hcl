# Mocks (type defaults and a distinct ARN per wired resource) are shared with tests/wiring.tftest.hcl.
mock_provider "aws" {
  source = "./tests/mocks"
}

# Plan-level tests of the root module (mock provider: offline, nothing is created). A tiny fake build
# (tests/fixtures/fake_build/manifest.json) stands in for scripts/build.py's output. Runs use
# `command = apply` against the mock where an assertion needs computed values (ARNs inside policies).

variables {
  build_dir = "tests/fixtures/fake_build"
}

run "defaults" {
  command = apply

  # Resource counts of the default configuration.
  assert {
    condition     = length(module.function) == 7 && module.daily_report_vpc.function_name != null && module.daily_report.function_name == null
    error_message = "Expected 7 functions from modules/lambda_function plus daily_report inside modules/vpc_lambda."
  }
  assert {
    condition     = length(output.function_names) == 8 && output.function_names["validate_input"] == "imgpipe-dev-validate-input"
    error_message = "function_names must map the 8 logical names to <project>-<environment>-<name with - for _>."
  }
  assert {
    condition     = length(module.layer) == 3 && length(local.function_layers["thumbnail"]) == 3 && length(local.function_layers["ingest"]) == 2
    error_message = "Expected the pillow, powertools and shared layers, attached per function as the manifest lists them."
  }
  assert {
    condition     = length(aws_s3_bucket.this) == 3 && length(local.all_queues) == 8 && length(aws_sns_topic.this) == 4
    error_message = "Expected 3 buckets, 8 queues and 4 topics."
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.function) == 16 && length(aws_cloudwatch_metric_alarm.dlq_depth) == 6
    error_message = "Expected Errors and Throttles alarms for 8 functions and a depth alarm per DLQ."
  }
  assert {
    condition     = length(aws_kms_key.alarms) == 1 && output.vpc_id != null
    error_message = "Defaults: an alarms CMK (no kms_key_arn) and the report VPC (enable_vpc)."
  }
  assert {
    condition     = length(module.ingest_sources.s3_bucket_notification_ids) == 1
    error_message = "The uploads bucket must have exactly one notification configuration."
  }

  # Every bucket private, encrypted, TLS-only, owner-enforced.
  assert {
    condition = alltrue([for b in aws_s3_bucket_public_access_block.this :
    b.block_public_acls && b.block_public_policy && b.ignore_public_acls && b.restrict_public_buckets])
    error_message = "Every bucket must block all public access."
  }
  assert {
    condition = alltrue([for p in aws_s3_bucket_policy.this : anytrue([for st in jsondecode(p.policy).Statement :
    st.Effect == "Deny" && try(st.Condition.Bool["aws:SecureTransport"], "") == "false"])])
    error_message = "Every bucket policy must deny requests without TLS."
  }
  assert {
    condition     = alltrue([for o in aws_s3_bucket_ownership_controls.this : o.rule[0].object_ownership == "BucketOwnerEnforced"])
    error_message = "Every bucket must disable ACLs (BucketOwnerEnforced)."
  }
  assert {
    condition     = length(aws_s3_bucket_server_side_encryption_configuration.this) == 3
    error_message = "Every bucket must have default encryption."
  }

  # Every queue and topic encrypted; every queue TLS-only.
  assert {
    condition     = alltrue([for q in values(local.all_queues) : q.sqs_managed_sse_enabled == true || q.kms_master_key_id != null])
    error_message = "Every queue must be encrypted."
  }
  assert {
    condition     = alltrue([for t in aws_sns_topic.this : t.kms_master_key_id != null && t.kms_master_key_id != ""])
    error_message = "Every topic must be encrypted."
  }
  assert {
    condition     = aws_sns_topic.this["alarms"].kms_master_key_id == aws_kms_key.alarms[0].arn
    error_message = "The alarms topic must use the CMK (CloudWatch cannot use aws/sns)."
  }
  assert {
    condition = alltrue([for p in aws_sqs_queue_policy.this : anytrue([for st in jsondecode(p.policy).Statement :
    st.Effect == "Deny" && try(st.Condition.Bool["aws:SecureTransport"], "") == "false"])])
    error_message = "Every queue policy must deny requests without TLS."
  }
  assert {
    condition     = jsondecode(aws_sqs_queue.image_ingest.redrive_policy).maxReceiveCount == 3 && aws_sqs_queue.image_ingest.visibility_timeout_seconds >= 6 * 30
    error_message = "image-ingest: redrive after 3 receives, visibility timeout >= 6x the ingest timeout."
  }

  # Least privilege: no wildcard actions in any role the root creates or composes.
  assert {
    condition = alltrue(flatten([
      for p in concat(
        compact(flatten([for m in module.function : [m.statements_policy_json, m.execution_policy_json]])),
        compact([
          module.state_machine.role_policy_json,
          module.ingest_sources.role_policy_json,
          module.order_stream_sources.role_policy_json,
        ]),
        ) : [for st in jsondecode(p).Statement : [
          for a in flatten([st.Action]) : a != "*" && !endswith(a, ":*")
      ]]
    ]))
    error_message = "A function or state machine policy uses a wildcard action."
  }
  assert {
    condition = alltrue(flatten([for fn, sts in local.function_statements : [
      for st in values(sts) : [for a in st.actions : a != "*" && !endswith(a, ":*")]
    ]]))
    error_message = "A caller statement uses a wildcard action."
  }
  assert {
    condition = alltrue(flatten([for fn, sts in local.function_statements : [
      for st in values(sts) : [for r in st.resources : r != "*"]
    ]]))
    error_message = "A caller statement is not scoped to a resource ARN."
  }

  # Function environment exactly as docs/CONTRACTS.md.
  assert {
    condition = (
      join(",", keys(local.function_environment.ingest)) == "STATE_MACHINE_ARN" &&
      join(",", keys(local.function_environment.validate_input)) == "IMAGE_SUFFIXES,MAX_IMAGE_BYTES,MAX_IMAGE_PIXELS" &&
      join(",", keys(local.function_environment.thumbnail)) == "MAX_IMAGE_BYTES,MAX_IMAGE_PIXELS,THUMBNAIL_BUCKET,THUMBNAIL_SIZES" &&
      join(",", keys(local.function_environment.notify)) == "METADATA_TABLE" &&
      join(",", keys(local.function_environment.orders_api)) == "IDEMPOTENCY_TABLE,ORDERS_TABLE,UPLOADS_BUCKET,UPLOAD_URL_EXPIRES" &&
      join(",", keys(local.function_environment.order_stream)) == "EVENT_BUS_NAME,EVENT_SOURCE" &&
      join(",", keys(local.function_environment.high_value_order)) == "ALERTS_TOPIC_ARN,ORDERS_TABLE" &&
      join(",", keys(local.function_environment.daily_report)) == "ORDERS_DATE_INDEX,ORDERS_TABLE,REPORTS_BUCKET"
    )
    error_message = "Function environment variables differ from docs/CONTRACTS.md."
  }
  assert {
    condition     = local.function_environment.thumbnail.THUMBNAIL_SIZES == "200x200" && endswith(local.function_environment.ingest.STATE_MACHINE_ARN, ":stateMachine:imgpipe-dev-image-pipeline")
    error_message = "THUMBNAIL_SIZES must default to 200x200 and STATE_MACHINE_ARN must be the image-pipeline ARN."
  }

  # The state machine: states and error handling as DESIGN.
  assert {
    condition = (
      join(",", sort(keys(jsondecode(module.state_machine.state_machine_definition).States))) ==
      "Failed,GenerateThumbnail,HandleError,NotifyComplete,StoreMetadata,ValidateInput" &&
      jsondecode(module.state_machine.state_machine_definition).StartAt == "ValidateInput"
    )
    error_message = "image-pipeline must have exactly the states of DESIGN."
  }
  assert {
    condition = (
      jsondecode(module.state_machine.state_machine_definition).States.GenerateThumbnail.Retry[0].IntervalSeconds == 3 &&
      jsondecode(module.state_machine.state_machine_definition).States.GenerateThumbnail.Retry[0].MaxAttempts == 2 &&
      jsondecode(module.state_machine.state_machine_definition).States.GenerateThumbnail.Retry[0].BackoffRate == 2 &&
      contains(jsondecode(module.state_machine.state_machine_definition).States.GenerateThumbnail.Retry[0].ErrorEquals, "TransientError") &&
      alltrue([for c in jsondecode(module.state_machine.state_machine_definition).States.GenerateThumbnail.Catch : c.Next == "HandleError" && c.ResultPath == "$.error"]) &&
      jsondecode(module.state_machine.state_machine_definition).States.HandleError.Next == "Failed" &&
      jsondecode(module.state_machine.state_machine_definition).States.Failed.Type == "Fail"
    )
    error_message = "GenerateThumbnail must retry transient errors (3 s, 2 attempts, backoff 2.0) and route failures to HandleError -> Fail."
  }

  assert {
    condition     = output.api_url == "https://abc123.execute-api.us-east-1.amazonaws.com/dev" && !endswith(output.api_url, "/")
    error_message = "api_url must be the stage invoke URL without a trailing slash."
  }

  # Least privilege: every orders API method (the ANY catch-alls included) is IAM-authorized by default.
  assert {
    condition     = length(aws_api_gateway_method.this) == 8 && alltrue([for m in aws_api_gateway_method.this : m.authorization == "AWS_IAM"])
    error_message = "Every aws_api_gateway_method must use authorization AWS_IAM by default."
  }
  assert {
    condition     = output.api_execution_arn == "arn:aws:execute-api:us-east-1:123456789012:abc123"
    error_message = "api_execution_arn must be the REST API's execution ARN."
  }
}

run "public_api" {
  command = plan

  variables {
    api_authorization = "NONE"
  }

  assert {
    condition     = length(aws_api_gateway_method.this) == 8 && alltrue([for m in aws_api_gateway_method.this : m.authorization == "NONE"])
    error_message = "api_authorization = NONE must make every aws_api_gateway_method public."
  }
}

run "without_vpc" {
  command = apply

  variables {
    enable_vpc = false
  }

  assert {
    condition     = module.daily_report_vpc.function_name == null && module.daily_report.function_name == "imgpipe-dev-daily-report" && output.vpc_id == null
    error_message = "enable_vpc = false must deploy daily_report without the VPC module."
  }
  assert {
    condition     = output.function_names["daily_report"] == "imgpipe-dev-daily-report"
    error_message = "function_names must still list daily_report."
  }
}

run "customer_managed_key" {
  command = apply

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  }

  assert {
    condition     = length(aws_kms_key.alarms) == 0
    error_message = "With kms_key_arn no alarms CMK is created."
  }
  assert {
    condition     = alltrue([for q in values(local.all_queues) : q.kms_master_key_id == var.kms_key_arn])
    error_message = "With kms_key_arn every queue uses it."
  }
  assert {
    condition     = alltrue([for t in aws_sns_topic.this : t.kms_master_key_id == var.kms_key_arn])
    error_message = "With kms_key_arn every topic uses it."
  }
  assert {
    condition     = alltrue([for c in aws_s3_bucket_server_side_encryption_configuration.this : one(c.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms"])
    error_message = "With kms_key_arn every bucket uses SSE-KMS."
  }
  assert {
    condition     = alltrue([for m in module.function : strcontains(m.statements_policy_json, var.kms_key_arn)])
    error_message = "With kms_key_arn every function may use the key."
  }
}

run "provisioned_concurrency_and_arm64" {
  command = apply

  variables {
    enable_provisioned_concurrency = true
    architecture                   = "arm64"
    thumbnail_sizes                = ["200x200", "800x600"]
  }

  assert {
    condition     = module.function["orders_api"].alias_name == "live" && module.function["orders_api"].function_version != "$LATEST"
    error_message = "Provisioned concurrency needs a published version behind the live alias."
  }
  assert {
    condition     = local.function_environment.thumbnail.THUMBNAIL_SIZES == "200x200,800x600"
    error_message = "THUMBNAIL_SIZES must list every configured size."
  }
}

run "rejects_bad_thumbnail_size" {
  command = plan

  variables {
    thumbnail_sizes = ["200"]
  }

  expect_failures = [var.thumbnail_sizes]
}

run "rejects_bad_architecture" {
  command = plan

  variables {
    architecture = "ppc64"
  }

  expect_failures = [var.architecture]
}

run "rejects_unknown_function_setting" {
  command = plan

  variables {
    function_settings = { thumbnails = { memory_size = 2048 } }
  }

  expect_failures = [var.function_settings]
}

run "rejects_bad_environment" {
  command = plan

  variables {
    environment = "Prod!"
  }

  expect_failures = [var.environment]
}

run "rejects_bad_api_authorization" {
  command = plan

  variables {
    api_authorization = "COGNITO_USER_POOLS"
  }

  expect_failures = [var.api_authorization]
}
