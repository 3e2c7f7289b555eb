#!/usr/bin/env bash
# Applies the root module, unchanged, to the embedded LocalStack.
#
# The root stays free of LocalStack settings: this script assembles a working directory
# .local/deploy/ with symlinks to the root *.tf files, modules/, templates/ and build/, plus a
# generated localstack_override.tf (provider endpoints, fake credentials) and local.auto.tfvars
# (settings a throwaway local stack wants). State lives in .local/deploy/terraform.tfstate.
#
# usage: scripts/deploy_local.sh apply|destroy|outputs|plan
#   apply    terraform apply (idempotent; prints the elapsed time). A state left over from a LocalStack
#            that has since been restarted is set aside first (the resources it names are gone).
#   destroy  terraform destroy
#   outputs  terraform output -json
#   plan     terraform plan -detailed-exitcode (exit 0 = no changes, 2 = changes, 1 = error)
# env: LOCALSTACK_ENDPOINT (default http://127.0.0.1:${LOCALSTACK_PORT:-4566}), TF_PARALLELISM (default 16),
#      DEPLOY_BUILD_DIR (build output to deploy, default <root>/build),
#      DEPLOY_SHARED_PROVIDER=1 (one shared provider process instead of one per terraform command),
#      DEPLOY_ARTIFACTS_BUCKET (bucket this script creates in LocalStack before the apply, passed as the root's
#      artifacts_bucket: zips ship through S3; default deploy-local-artifacts; empty = direct upload)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="$root/.local/deploy"
endpoint="${LOCALSTACK_ENDPOINT:-http://127.0.0.1:${LOCALSTACK_PORT:-4566}}"
endpoint="${endpoint%/}"
parallelism="${TF_PARALLELISM:-16}"
build_src="${DEPLOY_BUILD_DIR:-$root/build}"
artifacts_bucket="${DEPLOY_ARTIFACTS_BUCKET-deploy-local-artifacts}"
tf() { "$root/scripts/terraform.sh" -chdir="$work" "$@"; }
say() { printf '[deploy-local] %s\n' "$*" >&2; }
# shellcheck source=scripts/shared_provider.sh
source "$root/scripts/shared_provider.sh"
trap shared_provider_stop EXIT

elapsed() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }

# with_progress <label> <log>: keeps terraform's output in <log> and prints resources done/total and the
# slowest one in flight while it runs (scripts/tf_progress.py; stdlib only).
with_progress() {
  local py=python3
  [ -x "$root/.venv/bin/python" ] && py="$root/.venv/bin/python"
  tee "$2" | "$py" "$root/scripts/tf_progress.py" --label "$1"
}

check_localstack() {
  if ! curl -fsS -m 5 "$endpoint/_localstack/health" >/dev/null 2>&1; then
    say "LocalStack is not answering at $endpoint (start it with: make localstack-up)"
    exit 1
  fi
}

# The AWS provider parses queue URLs as <scheme>://<host>/<account>/<name>: LocalStack must not run with
# SQS_ENDPOINT_STRATEGY=path (.../queue/<region>/<account>/<name>) or every aws_sqs_queue fails to read.
sqs_call() { # sqs_call <Action> <json body>
  curl -s -m 10 -X POST "$endpoint/" -H 'Content-Type: application/x-amz-json-1.0' \
    -H "X-Amz-Target: AmazonSQS.$1" \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0' \
    -d "$2"
}

check_sqs_urls() {
  local url
  url="$(sqs_call CreateQueue '{"QueueName":"deploy-local-url-probe"}' | sed -n 's/.*"QueueUrl": *"\([^"]*\)".*/\1/p')"
  [ -n "$url" ] || return 0
  sqs_call DeleteQueue "{\"QueueUrl\":\"$url\"}" >/dev/null || true
  case "$url" in
    */queue/*)
      say "LocalStack at $endpoint returns path-style queue URLs ($url): the AWS provider cannot parse them."
      say "Start LocalStack with SQS_ENDPOINT_STRATEGY=off (URLs like $endpoint/000000000000/<name>)."
      exit 1
      ;;
  esac
}

# The root takes an existing artifacts bucket (it never creates one): make it here, before the apply.
# CreateBucket is idempotent for its owner in us-east-1. LocalStack does not check the signature.
ensure_artifacts_bucket() {
  [ -n "$artifacts_bucket" ] || return 0
  local code
  code="$(curl -s -o /dev/null -m 10 -w '%{http_code}' -X PUT "$endpoint/$artifacts_bucket" \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0' \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD')"
  case "$code" in
    200 | 409) ;;
    *)
      say "could not create the artifacts bucket $artifacts_bucket (HTTP $code); DEPLOY_ARTIFACTS_BUCKET= deploys directly"
      exit 1
      ;;
  esac
}

check_build() {
  if [ ! -f "$build_src/manifest.json" ]; then
    say "$build_src/manifest.json is missing (run: make build)"
    exit 1
  fi
}

write_if_changed() { # write_if_changed <path> < content: keeps the mtime when nothing changed
  local tmp="$1.tmp.$$"
  cat >"$tmp"
  if cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv "$tmp" "$1"; fi
}

prepare() {
  mkdir -p "$work"
  # Symlinks to the root configuration; stale links (a root file removed or renamed) go away.
  find "$work" -maxdepth 1 -type l -name '*.tf' -delete
  for f in "$root"/*.tf; do
    ln -s "$f" "$work/$(basename "$f")"
  done
  for d in modules templates; do
    ln -sfn "$root/$d" "$work/$d"
  done
  ln -sfn "$build_src" "$work/build"

  write_if_changed "$work/localstack_override.tf" <<HCL
# Generated by scripts/deploy_local.sh: points the root's provider at LocalStack. Do not edit.
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    apigateway             = "$endpoint"
    applicationautoscaling = "$endpoint"
    cloudwatch             = "$endpoint"
    dynamodb               = "$endpoint"
    ec2                    = "$endpoint"
    events                 = "$endpoint"
    iam                    = "$endpoint"
    kms                    = "$endpoint"
    lambda                 = "$endpoint"
    logs                   = "$endpoint"
    s3                     = "$endpoint"
    scheduler              = "$endpoint"
    sfn                    = "$endpoint"
    sns                    = "$endpoint"
    sqs                    = "$endpoint"
    sts                    = "$endpoint"
  }
}
HCL

  {
    cat <<'HCL'
# Generated by scripts/deploy_local.sh: settings of a throwaway local stack. Do not edit.
aws_region = "us-east-1"
# `destroy` must leave nothing behind, even with objects (and versions) in the buckets.
force_destroy_buckets = true
# A message ingest failed is received again after the visibility timeout: 20 s instead of 6 x 30 s lets
# the poison-message test reach image-ingest-dlq (3 receives) in about a minute. ingest runs in ~0.1 s.
ingest_visibility_timeout_seconds = 20
# LocalStack does not return a state machine's tracing configuration: with tracing on, every plan would
# show a change (a second plan must report none).
state_machine_tracing_enabled = false
# With published versions every plan against LocalStack shows a new orders_api version (the provider sees
# a configuration change in what LocalStack returns); the live alias follows $LATEST instead.
orders_api_publish_versions = false
# LocalStack drops an event bus's DeadLetterConfig (CreateEventBus ignores it): a second plan would show
# a change. The bus, its archive and its rules still run.
orders_bus_dead_letter_queue = false
HCL
  if [ -n "$artifacts_bucket" ]; then
    # Zips ship through S3 (created by ensure_artifacts_bucket): the AWS provider creates functions deployed
    # from a local file one at a time (a global lock around the read and the upload), from S3 in parallel.
    printf 'artifacts_bucket = "%s"\n' "$artifacts_bucket"
  fi
  } | write_if_changed "$work/local.auto.tfvars"

  # init picks up new module calls; providers come from the machine's mirror. Skipped (~3-5 s) when no
  # .tf file of the root or a module changed since the last successful init.
  local stamp="$work/.terraform/init.stamp"
  if [ ! -f "$stamp" ] || [ -n "$(find -L "$root" -maxdepth 1 -name '*.tf' -newer "$stamp" -print -quit)" ] ||
    [ -n "$(find -L "$root/modules" -name '*.tf' -not -path '*/examples/*' -newer "$stamp" -print -quit)" ] ||
    [ "$work/localstack_override.tf" -nt "$stamp" ]; then
    env -u TF_REATTACH_PROVIDERS "$root/scripts/terraform.sh" -chdir="$work" init -input=false -no-color >"$work/init.log" 2>&1 ||
      { cat "$work/init.log" >&2; exit 1; }
    touch "$stamp"
  fi
  # DEPLOY_SHARED_PROVIDER=1: every terraform command below talks to one provider process
  # (scripts/shared_provider.sh); off by default until it has run the whole e2e suite.
  if [ "${DEPLOY_SHARED_PROVIDER:-0}" = 1 ]; then
    shared_provider_start "$work"
  fi
}

has_state() {
  [ -s "$work/terraform.tfstate" ] && tf state list >/dev/null 2>&1 && [ -n "$(tf state list 2>/dev/null)" ]
}

# LocalStack keeps nothing across restarts: if the uploads bucket of our state is gone, so is the rest.
discard_stale_state() {
  has_state || return 0
  local bucket code
  bucket="$(tf output -raw uploads_bucket_name 2>/dev/null || true)"
  [ -n "$bucket" ] || return 0
  code="$(curl -s -o /dev/null -m 10 -w '%{http_code}' -I "$endpoint/$bucket" || true)"
  if [ "$code" = "404" ]; then
    say "state names bucket $bucket, which LocalStack does not have (restarted?): starting from a fresh state"
    mv "$work/terraform.tfstate" "$work/terraform.tfstate.stale.$(date +%s)"
    rm -f "$work/terraform.tfstate.backup"
  fi
}

cmd="${1:-}"
case "$cmd" in
  apply)
    check_build
    check_localstack
    check_sqs_urls
    prepare
    discard_stale_state
    ensure_artifacts_bucket
    start=$(date +%s%N)
    tf apply -input=false -auto-approve -no-color -parallelism="$parallelism" 2>&1 | with_progress apply "$work/apply.log" || {
      tail -n 60 "$work/apply.log" >&2
      say "apply failed (full log: $work/apply.log)"
      exit 1
    }
    grep -E '^Apply complete!' "$work/apply.log" >&2 || true
    say "apply finished in $(elapsed "$start") s (log: $work/apply.log)"
    ;;
  destroy)
    if [ ! -s "$work/terraform.tfstate" ]; then
      say "nothing deployed"
      exit 0
    fi
    check_localstack
    prepare
    start=$(date +%s%N)
    tf destroy -input=false -auto-approve -no-color -parallelism="$parallelism" 2>&1 | with_progress destroy "$work/destroy.log" || {
      tail -n 60 "$work/destroy.log" >&2
      say "destroy failed (full log: $work/destroy.log)"
      exit 1
    }
    grep -E '^Destroy complete!' "$work/destroy.log" >&2 || true
    say "destroy finished in $(elapsed "$start") s"
    ;;
  outputs)
    if [ ! -s "$work/terraform.tfstate" ]; then
      say "nothing deployed (run: make deploy-local)"
      exit 1
    fi
    tf output -json
    ;;
  plan)
    check_build
    check_localstack
    check_sqs_urls
    prepare
    rc=0
    tf plan -input=false -no-color -detailed-exitcode -parallelism="$parallelism" || rc=$?
    exit "$rc"
    ;;
  *)
    usage
    ;;
esac
