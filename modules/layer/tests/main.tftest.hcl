mock_provider "aws" {
  mock_resource "aws_lambda_layer_version" {
    defaults = {
      arn       = "arn:aws:lambda:eu-west-1:123456789012:layer:powertools:4"
      layer_arn = "arn:aws:lambda:eu-west-1:123456789012:layer:powertools"
      version   = "4"
    }
  }
}

variables {
  layer_name       = "powertools"
  filename         = "../../build/layers/powertools.zip"
  source_code_hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
}

run "typical_use" {
  command = apply

  variables {
    description              = "aws-lambda-powertools[tracer]"
    license_info             = "MIT-0"
    compatible_runtimes      = ["python3.12", "python3.13"]
    compatible_architectures = ["x86_64", "arm64"]
  }

  assert {
    condition     = aws_lambda_layer_version.this[0].layer_name == "powertools" && aws_lambda_layer_version.this[0].source_code_hash == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    error_message = "layer name and hash"
  }
  assert {
    condition     = aws_lambda_layer_version.this[0].compatible_runtimes == toset(["python3.12", "python3.13"]) && aws_lambda_layer_version.this[0].compatible_architectures == toset(["x86_64", "arm64"])
    error_message = "runtimes and architectures"
  }
  assert {
    condition     = aws_lambda_layer_version.this[0].skip_destroy == false && length(aws_lambda_layer_version_permission.account) == 0 && length(aws_lambda_layer_version_permission.organization) == 0
    error_message = "no sharing by default"
  }
  assert {
    condition     = output.layer_version_arn == "arn:aws:lambda:eu-west-1:123456789012:layer:powertools:4" && output.layer_arn == "arn:aws:lambda:eu-west-1:123456789012:layer:powertools" && output.version == "4"
    error_message = "outputs"
  }
}

run "defaults" {
  command = plan

  assert {
    condition     = aws_lambda_layer_version.this[0].compatible_runtimes == toset(["python3.12"]) && aws_lambda_layer_version.this[0].compatible_architectures == toset(["x86_64"])
    error_message = "python3.12 on x86_64 by default"
  }
}

run "cross_account_sharing" {
  command = apply

  variables {
    principals      = ["111111111111", "222222222222"]
    organization_id = "o-abcdefghij"
    skip_destroy    = true
  }

  assert {
    condition     = length(aws_lambda_layer_version_permission.account) == 2
    error_message = "one permission per account"
  }
  assert {
    condition = alltrue([
      for p in aws_lambda_layer_version_permission.account : p.action == "lambda:GetLayerVersion" && p.version_number == 4 && p.layer_name == "arn:aws:lambda:eu-west-1:123456789012:layer:powertools"
    ])
    error_message = "permissions grant only lambda:GetLayerVersion on this version"
  }
  assert {
    condition     = aws_lambda_layer_version_permission.account["111111111111"].principal == "111111111111" && aws_lambda_layer_version_permission.account["111111111111"].statement_id == "account-111111111111"
    error_message = "statement per principal"
  }
  assert {
    condition     = aws_lambda_layer_version_permission.organization[0].principal == "*" && aws_lambda_layer_version_permission.organization[0].organization_id == "o-abcdefghij"
    error_message = "organization-wide sharing is scoped by organization id"
  }
  assert {
    condition     = aws_lambda_layer_version.this[0].skip_destroy && aws_lambda_layer_version_permission.account["222222222222"].skip_destroy
    error_message = "skip_destroy applies to the version and its permissions"
  }
}

run "create_false_plans_nothing" {
  command = plan

  variables {
    create          = false
    principals      = ["111111111111"]
    organization_id = "o-abcdefghij"
  }

  assert {
    condition     = length(aws_lambda_layer_version.this) + length(aws_lambda_layer_version_permission.account) + length(aws_lambda_layer_version_permission.organization) == 0
    error_message = "create = false plans nothing"
  }
  assert {
    condition     = output.layer_arn == null && output.layer_version_arn == null && output.version == null
    error_message = "outputs are null"
  }
}

run "bad_layer_name" {
  command = plan
  variables {
    layer_name = "bad name"
  }
  expect_failures = [var.layer_name]
}

run "bad_filename" {
  command = plan
  variables {
    filename = "layer.tar"
  }
  expect_failures = [var.filename]
}

run "bad_source_code_hash" {
  command = plan
  variables {
    source_code_hash = "deadbeef"
  }
  expect_failures = [var.source_code_hash]
}

run "bad_runtime" {
  command = plan
  variables {
    compatible_runtimes = ["python3.12", "python2.7"]
  }
  expect_failures = [var.compatible_runtimes]
}

run "bad_architecture" {
  command = plan
  variables {
    compatible_architectures = ["x86_64", "ppc64"]
  }
  expect_failures = [var.compatible_architectures]
}

run "repeated_architecture" {
  command = plan
  variables {
    compatible_architectures = ["arm64", "arm64"]
  }
  expect_failures = [var.compatible_architectures]
}

run "no_architecture" {
  command = plan
  variables {
    compatible_architectures = []
  }
  expect_failures = [var.compatible_architectures]
}

run "bad_principal" {
  command = plan
  variables {
    principals = ["*"]
  }
  expect_failures = [var.principals]
}

run "bad_organization_id" {
  command = plan
  variables {
    organization_id = "my-org"
  }
  expect_failures = [var.organization_id]
}

run "description_too_long" {
  command = plan
  variables {
    description = format("%257s", "x")
  }
  expect_failures = [var.description]
}

run "license_too_long" {
  command = plan
  variables {
    license_info = format("%513s", "x")
  }
  expect_failures = [var.license_info]
}
