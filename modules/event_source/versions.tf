terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.83, < 7.0" # ESM metrics_config / provisioned_poller_config
    }
  }
}
