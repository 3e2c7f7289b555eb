# Where the function and layer zips are shipped from. Default (artifacts_bucket = null): uploaded
# directly with each CreateFunction/PublishLayerVersion call, at most 50 MB zipped. With artifacts_bucket:
# each zip is uploaded to that existing bucket at a content-addressed key (modules/*/package.tf) and
# deployed from there, so zips above 50 MB (build with `--package-store s3`) deploy too.

locals {
  # Passed as s3_package to every function and layer module.
  package_s3 = var.artifacts_bucket == null ? null : {
    bucket      = var.artifacts_bucket
    kms_key_arn = var.kms_key_arn
  }

  # Lambda refuses a direct upload above 50 MB zipped.
  direct_upload_max_bytes = 50 * 1024 * 1024
  oversized_zips = sort(concat(
    [for name, f in local.manifest.functions : "function ${name}" if try(f.zipped_size, 0) > local.direct_upload_max_bytes],
    [for name, l in local.manifest.layers : "layer ${name}" if try(l.zipped_size, 0) > local.direct_upload_max_bytes],
  ))
}

# Fails the plan, naming the zips, when a zip is too large for a direct upload and no bucket is given.
resource "terraform_data" "package_limits" {
  input = local.oversized_zips

  lifecycle {
    precondition {
      condition     = var.artifacts_bucket != null || length(local.oversized_zips) == 0
      error_message = "Above Lambda's 50 MB direct-upload limit: ${join(", ", local.oversized_zips)}. Set artifacts_bucket to deploy the zips from S3."
    }
  }
}
