# Mocks shared with tests/root.tftest.hcl (type defaults, a distinct ARN per wired resource).
mock_provider "aws" {
  source = "./tests/mocks"
}

# Function and layer zips shipped directly (default) or through an S3 artifacts bucket (issue 12 item 5).

variables {
  build_dir = "tests/fixtures/fake_build"
}

run "direct_upload_by_default" {
  command = plan

  assert {
    condition     = alltrue([for f in module.function : f.package_s3_object == null]) && module.daily_report.package_s3_object == null && alltrue([for l in module.layer : l.package_s3_object == null])
    error_message = "Without artifacts_bucket nothing is uploaded to S3."
  }
}

run "zips_shipped_through_the_artifacts_bucket" {
  command = apply

  variables {
    artifacts_bucket = "imgpipe-dev-artifacts"
    kms_key_arn      = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
  }

  assert {
    condition = alltrue([
      for name, f in module.function : f.package_s3_object.bucket == "imgpipe-dev-artifacts" &&
      f.package_s3_object.key == "lambda-packages/${local.function_names[name]}/${replace(replace(trimsuffix(local.manifest.functions[name].base64sha256, "="), "+", "-"), "/", "_")}.zip"
    ])
    error_message = "Every function's zip is uploaded at lambda-packages/<function>/<its hash>.zip."
  }
  assert {
    condition     = module.daily_report_vpc.package_s3_object.bucket == "imgpipe-dev-artifacts" && startswith(module.daily_report_vpc.package_s3_object.key, "lambda-packages/imgpipe-dev-daily-report/")
    error_message = "daily_report (in vpc_lambda by default) ships through the bucket too."
  }
  assert {
    condition = alltrue([
      for name, l in module.layer : l.package_s3_object.bucket == "imgpipe-dev-artifacts" && startswith(l.package_s3_object.key, "lambda-layers/imgpipe-dev-${name}/")
    ])
    error_message = "Every layer's zip is uploaded at lambda-layers/<layer>/<its hash>.zip."
  }
  assert {
    condition     = length(terraform_data.package_limits.output) == 0
    error_message = "The fake build has no zip above 50 MB."
  }
}

run "report_without_vpc_ships_through_the_bucket" {
  command = apply

  variables {
    artifacts_bucket = "imgpipe-dev-artifacts"
    enable_vpc       = false
  }

  assert {
    condition     = module.daily_report.package_s3_object.bucket == "imgpipe-dev-artifacts" && module.daily_report_vpc.package_s3_object == null
    error_message = "Without the VPC, the plain lambda_function daily_report is the one uploaded."
  }
}

run "oversized_zip_needs_the_bucket" {
  command = plan

  variables {
    build_dir = "tests/fixtures/fake_build_large"
  }

  expect_failures = [terraform_data.package_limits]
}

run "oversized_zip_deploys_from_s3" {
  command = plan

  variables {
    build_dir        = "tests/fixtures/fake_build_large"
    artifacts_bucket = "imgpipe-dev-artifacts"
  }

  assert {
    condition     = jsonencode(terraform_data.package_limits.input) == jsonencode(["function thumbnail", "layer pillow"])
    error_message = "The oversized zips are named, and the plan goes on with the bucket."
  }
}

run "bad_bucket_name" {
  command = plan
  variables {
    artifacts_bucket = "s3://imgpipe"
  }
  expect_failures = [var.artifacts_bucket]
}
