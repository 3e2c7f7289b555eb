# Layers published from S3 (uploaded by the module, or an existing object), with a mocked provider.
mock_provider "aws" {
  mock_resource "aws_lambda_layer_version" {
    defaults = {
      arn       = "arn:aws:lambda:eu-west-1:123456789012:layer:pillow:7"
      layer_arn = "arn:aws:lambda:eu-west-1:123456789012:layer:pillow"
      version   = "7"
    }
  }
}

variables {
  layer_name       = "pillow"
  filename         = "../../build/layers/pillow.zip"
  source_code_hash = "foe04B+u+M3LCPumCTxmy8uLD3abxuQYbR+UGpF00Kg="
}

run "uploaded_to_a_content_addressed_key" {
  command = apply

  variables {
    s3_package = { bucket = "imgpipe-artifacts" }
  }

  assert {
    condition     = aws_s3_object.package[0].key == "lambda-layers/pillow/foe04B-u-M3LCPumCTxmy8uLD3abxuQYbR-UGpF00Kg.zip" && aws_s3_object.package[0].source == var.filename
    error_message = "the layer zip is uploaded under <prefix><layer>/<base64url of its hash>.zip"
  }
  assert {
    condition = (
      aws_lambda_layer_version.this[0].filename == null &&
      aws_lambda_layer_version.this[0].s3_bucket == "imgpipe-artifacts" &&
      aws_lambda_layer_version.this[0].s3_key == aws_s3_object.package[0].key &&
      aws_lambda_layer_version.this[0].source_code_hash == var.source_code_hash
    )
    error_message = "the version is published from the object with the zip's hash"
  }
  assert {
    condition     = output.package_s3_object.bucket == "imgpipe-artifacts"
    error_message = "package_s3_object output"
  }
}

run "existing_object" {
  command = plan

  variables {
    filename   = null
    s3_package = { bucket = "ci-artifacts", key = "layers/pillow.zip", upload = false }
  }

  assert {
    condition     = length(aws_s3_object.package) == 0 && aws_lambda_layer_version.this[0].s3_key == "layers/pillow.zip" && aws_lambda_layer_version.this[0].filename == null
    error_message = "upload = false publishes the existing object"
  }
}

run "direct_upload_by_default" {
  command = plan

  assert {
    condition     = length(aws_s3_object.package) == 0 && aws_lambda_layer_version.this[0].filename == var.filename && aws_lambda_layer_version.this[0].s3_bucket == null
    error_message = "no s3_package: direct upload as before"
  }
}

run "no_package_rejected" {
  command = plan
  variables {
    filename = null
  }
  expect_failures = [aws_lambda_layer_version.this]
}

run "version_without_existing_object_rejected" {
  command = plan
  variables {
    s3_package = { bucket = "ci-artifacts", object_version = "abc" }
  }
  expect_failures = [var.s3_package]
}
