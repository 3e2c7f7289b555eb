# shellcheck shell=bash
# Sourced by scripts/tftest.sh, scripts/lint_terraform.sh and scripts/deploy_local.sh: runs ONE hashicorp/aws
# provider process (the same 5.100.0 binary `terraform init` installs, in its debug/reattach mode) and
# points every terraform command of the calling script at it through TF_REATTACH_PROVIDERS.
#
# Why: terraform starts a fresh provider process for every validate, plan, apply and for every `run` block of
# `terraform test`; the AWS provider needs ~1-2 s of CPU to start and load its schema. One long-lived process
# makes `terraform test` of a module 3-5x faster and saves ~3 starts per plan/apply.
#
# usage: shared_provider_start <initialised terraform dir>   (exports TF_REATTACH_PROVIDERS)
#        shared_provider_stop                                (call it from the caller's EXIT trap)
#        run `terraform init` without it: env -u TF_REATTACH_PROVIDERS terraform init ...
# env:   TF_SHARED_PROVIDER=0 turns it off (every command starts its own provider, as terraform does by default)

shared_provider_pid=""

shared_provider_stop() {
  if [ -n "$shared_provider_pid" ]; then
    kill "$shared_provider_pid" 2>/dev/null || true
    shared_provider_pid=""
  fi
  if [ -n "${shared_provider_out:-}" ] && [ "${shared_provider_keep:-0}" = 0 ]; then rm -f "$shared_provider_out"; fi
  unset TF_REATTACH_PROVIDERS
}

shared_provider_start() { # <dir where `terraform init` ran>
  [ "${TF_SHARED_PROVIDER:-1}" = 0 ] && return 0
  [ -n "${TF_REATTACH_PROVIDERS:-}" ] && return 0 # a caller already shares one
  local bin i reattach=""
  bin="$(find -L "$1/.terraform/providers/registry.terraform.io/hashicorp/aws" -name 'terraform-provider-aws*' -type f 2>/dev/null | sort | tail -1)"
  if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    echo "shared provider: no initialised hashicorp/aws provider under $1/.terraform; using one process per command" >&2
    return 0
  fi
  # with TF_LOG_PATH set, the provider's own log (TF_LOG level) is kept beside it as <TF_LOG_PATH>.provider
  if [ -n "${TF_LOG_PATH:-}" ]; then
    shared_provider_out="$TF_LOG_PATH.provider"
    shared_provider_keep=1
  else
    shared_provider_out="$(mktemp)"
    shared_provider_keep=0
  fi
  # Started from a subshell so that it is not a job of the caller (whose `wait` and `jobs` count its own
  # parallel terraform runs); it must not keep the caller's stdout/stderr (or a lock fd) open either.
  shared_provider_pid="$(
    for fd in /proc/$BASHPID/fd/*; do
      fd="${fd##*/}"
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    # AWS_CA_BUNDLE: the provider wraps its HTTP client for a custom CA on the first ConfigureProvider, and
    # a second one in the same process (plan, then apply) fails ("unable to add custom RootCAs HTTPClient").
    # These scripts talk to mocks or to LocalStack over plain http, so no CA bundle is needed.
    env -u AWS_CA_BUNDLE "$bin" -debug </dev/null >"$shared_provider_out" 2>&1 &
    echo $!
  )"
  for ((i = 0; i < 300; i++)); do
    reattach="$(sed -n "s/^[[:space:]]*TF_REATTACH_PROVIDERS='\(.*\)'[[:space:]]*$/\1/p" "$shared_provider_out")"
    [ -n "$reattach" ] && break
    kill -0 "$shared_provider_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$reattach" ]; then
    echo "shared provider: $bin -debug did not start; using one process per command" >&2
    shared_provider_stop
    return 0
  fi
  export TF_REATTACH_PROVIDERS="$reattach"
}
