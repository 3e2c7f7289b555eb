#!/usr/bin/env bash
# Runs terraform with a CLI config that installs providers from the machine's
# filesystem mirror when one exists (found at run time), else the registry.
# usage: scripts/terraform.sh <terraform args...>
# TF_PROVIDER_MIRROR=<dir> names the mirror root; TF_PROVIDER_MIRROR=none uses the registry without searching.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cfg="$here/.terraformrc.generated"
if [ ! -f "$cfg" ]; then
  mirror="${TF_PROVIDER_MIRROR:-}"
  if [ -z "$mirror" ]; then
    for root in /opt/tf-plugins /usr/share/terraform/plugins /usr/local/share/terraform/plugins "$HOME/.terraform.d/plugins"; do
      [ -d "$root/registry.terraform.io/hashicorp/aws" ] && { mirror="$root"; break; }
    done
  fi
  if [ "$mirror" = none ]; then
    mirror=""
  elif [ -z "$mirror" ]; then
    hit="$(find / -xdev -path '*registry.terraform.io/hashicorp/aws/*' -name 'terraform-provider-aws*' -print -quit 2>/dev/null || true)"
    [ -n "$hit" ] && mirror="${hit%%/registry.terraform.io/*}"
  fi
  mkdir -p "${XDG_CACHE_HOME:-$HOME/.cache}/serverless-pipeline/terraform-plugins"
  {
    echo "plugin_cache_dir = \"${XDG_CACHE_HOME:-$HOME/.cache}/serverless-pipeline/terraform-plugins\""
    if [ -n "$mirror" ]; then
      echo "provider_installation {"
      echo "  filesystem_mirror {"
      echo "    path    = \"$mirror\""
      echo "    include = [\"registry.terraform.io/hashicorp/*\"]"
      echo "  }"
      echo "  direct { exclude = [\"registry.terraform.io/hashicorp/*\"] }"
      echo "}"
    fi
  } >"$cfg.tmp"
  mv "$cfg.tmp" "$cfg"
fi
export TF_CLI_CONFIG_FILE="$cfg"
export TF_IN_AUTOMATION=1
export CHECKPOINT_DISABLE=1 # no version check against checkpoint-api.hashicorp.com (offline machines)
exec terraform "$@"
