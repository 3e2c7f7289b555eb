# The only provider configuration of the project. Nothing LocalStack-specific lives here:
# scripts/deploy_local.sh overrides this block in a separate working directory.
provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge(
      {
        Project     = var.project
        Environment = var.environment
        ManagedBy   = "terraform"
      },
      var.tags,
    )
  }
}
