# Log group choices, ephemeral storage and (below) S3-stored packages, with a mocked AWS provider.
mock_provider "aws" {
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/created/by-module"
    }
  }
  mock_data "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/shared/existing"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/test-fn"
    }
  }
}

variables {
  function_name    = "test-fn"
  filename         = "../../build/functions/test.zip"
  source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
}

run "custom_log_group_is_created_and_used" {
  command = apply

  variables {
    log_group_name        = "/imgpipe/functions/test-fn"
    log_retention_in_days = 14
    application_log_level = "DEBUG"
    system_log_level      = "WARN"
  }

  assert {
    condition     = aws_cloudwatch_log_group.this[0].name == "/imgpipe/functions/test-fn" && aws_cloudwatch_log_group.this[0].retention_in_days == 14
    error_message = "the custom-named group is created with the retention"
  }
  assert {
    condition     = length(data.aws_cloudwatch_log_group.existing) == 0
    error_message = "no lookup when the module creates the group"
  }
  assert {
    condition = (
      aws_lambda_function.this[0].logging_config[0].log_group == "/imgpipe/functions/test-fn" &&
      aws_lambda_function.this[0].logging_config[0].application_log_level == "DEBUG" &&
      aws_lambda_function.this[0].logging_config[0].system_log_level == "WARN"
    )
    error_message = "the function logs to the custom group with the level filters"
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.execution[0].policy).Statement : s.Resource if s.Sid == "WriteLogs"] == [
      ["arn:aws:logs:eu-west-1:123456789012:log-group:/created/by-module:*"]
    ]
    error_message = "the role writes only to the created group's streams"
  }
  assert {
    condition     = output.log_group_name == "/imgpipe/functions/test-fn" && output.log_group_arn == "arn:aws:logs:eu-west-1:123456789012:log-group:/created/by-module"
    error_message = "outputs name the created group"
  }
}

run "existing_log_group_is_used_not_created" {
  command = apply

  variables {
    create_log_group = false
    log_group_name   = "/shared/existing"
  }

  assert {
    condition     = length(aws_cloudwatch_log_group.this) == 0 && data.aws_cloudwatch_log_group.existing[0].name == "/shared/existing"
    error_message = "no group is created; the existing one is looked up by name"
  }
  assert {
    condition     = aws_lambda_function.this[0].logging_config[0].log_group == "/shared/existing"
    error_message = "the function logs to the existing group"
  }
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.execution[0].policy).Statement : s.Resource if s.Sid == "WriteLogs"] == [
      ["arn:aws:logs:eu-west-1:123456789012:log-group:/shared/existing:*"]
    ]
    error_message = "the role writes only to the existing group's streams"
  }
  assert {
    condition     = output.log_group_arn == "arn:aws:logs:eu-west-1:123456789012:log-group:/shared/existing"
    error_message = "log_group_arn is the existing group's"
  }
}

run "existing_default_named_log_group" {
  command = plan

  variables {
    create_log_group = false
  }

  assert {
    condition     = data.aws_cloudwatch_log_group.existing[0].name == "/aws/lambda/test-fn" && length(aws_cloudwatch_log_group.this) == 0
    error_message = "without log_group_name the existing /aws/lambda/<name> group is looked up"
  }
}

run "bad_log_group_name" {
  command = plan
  variables {
    log_group_name = "has spaces"
  }
  expect_failures = [var.log_group_name]
}

run "ephemeral_storage_set" {
  command = plan
  variables {
    ephemeral_storage_size = 10240
  }
  assert {
    condition     = aws_lambda_function.this[0].ephemeral_storage[0].size == 10240
    error_message = "ephemeral storage reaches the function"
  }
}

run "ephemeral_storage_too_large" {
  command = plan
  variables {
    ephemeral_storage_size = 10241
  }
  expect_failures = [var.ephemeral_storage_size]
}

run "ephemeral_storage_not_integer" {
  command = plan
  variables {
    ephemeral_storage_size = 1024.5
  }
  expect_failures = [var.ephemeral_storage_size]
}

run "existing_log_group_with_kms_key_rejected" {
  command = plan
  variables {
    create_log_group = false
    log_kms_key_arn  = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  }
  expect_failures = [data.aws_cloudwatch_log_group.existing]
}

# S3-stored packages ------------------------------------------------------------------------------

run "direct_upload_by_default" {
  command = plan

  assert {
    condition     = aws_lambda_function.this[0].filename == var.filename && aws_lambda_function.this[0].s3_bucket == null && length(aws_s3_object.package) == 0
    error_message = "without s3_package the zip is uploaded directly"
  }
}

run "package_uploaded_to_a_content_addressed_key" {
  command = apply

  variables {
    s3_package = { bucket = "imgpipe-artifacts", kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000" }
  }

  assert {
    condition = (
      aws_s3_object.package[0].bucket == "imgpipe-artifacts" &&
      aws_s3_object.package[0].key == "lambda-packages/test-fn/47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU.zip" &&
      aws_s3_object.package[0].source == var.filename
    )
    error_message = "the zip is uploaded under <prefix><function>/<base64url of its hash>.zip"
  }
  assert {
    condition     = aws_s3_object.package[0].checksum_algorithm == "SHA256" && aws_s3_object.package[0].server_side_encryption == "aws:kms" && aws_s3_object.package[0].kms_key_id == var.s3_package.kms_key_arn
    error_message = "S3 verifies a SHA-256 checksum; SSE-KMS with the given key"
  }
  assert {
    condition = (
      aws_lambda_function.this[0].filename == null &&
      aws_lambda_function.this[0].s3_bucket == "imgpipe-artifacts" &&
      aws_lambda_function.this[0].s3_key == aws_s3_object.package[0].key &&
      aws_lambda_function.this[0].source_code_hash == var.source_code_hash
    )
    error_message = "the function deploys from the object and keeps the zip's hash"
  }
  assert {
    condition     = output.package_s3_object.key == aws_s3_object.package[0].key
    error_message = "package_s3_object output names the object"
  }
}

run "changed_zip_is_a_new_object" {
  command = plan

  variables {
    source_code_hash = "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="
    s3_package       = { bucket = "imgpipe-artifacts", key_prefix = "" }
  }

  assert {
    condition     = aws_s3_object.package[0].key == "test-fn/n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg.zip"
    error_message = "another hash gives another key (key_prefix honoured)"
  }
}

run "existing_object_is_not_uploaded" {
  command = plan

  variables {
    filename   = null
    s3_package = { bucket = "ci-artifacts", key = "builds/42/test-fn.zip", upload = false, object_version = "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY" }
  }

  assert {
    condition = (
      length(aws_s3_object.package) == 0 &&
      aws_lambda_function.this[0].s3_bucket == "ci-artifacts" &&
      aws_lambda_function.this[0].s3_key == "builds/42/test-fn.zip" &&
      aws_lambda_function.this[0].s3_object_version == "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY" &&
      aws_lambda_function.this[0].filename == null
    )
    error_message = "upload = false deploys the existing object (and version) as given"
  }
}

run "existing_object_needs_a_key" {
  command = plan
  variables {
    s3_package = { bucket = "ci-artifacts", upload = false }
  }
  expect_failures = [var.s3_package]
}

run "upload_needs_a_filename" {
  command = plan
  variables {
    filename   = null
    s3_package = { bucket = "ci-artifacts" }
  }
  expect_failures = [aws_s3_object.package]
}

run "no_package_at_all_rejected" {
  command = plan
  variables {
    filename = null
  }
  expect_failures = [aws_lambda_function.this]
}

run "bad_bucket_name" {
  command = plan
  variables {
    s3_package = { bucket = "Not_A_Bucket" }
  }
  expect_failures = [var.s3_package]
}
