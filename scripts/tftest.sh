#!/usr/bin/env bash
# Runs `terraform test` (plan-level tests with mock_provider "aws": offline, no credentials)
# for every module under modules/ and for the root module when it has tests/*.tftest.hcl.
# Prints a summary and exits non-zero if any directory fails (or a module has no tests).
#
# usage: scripts/tftest.sh [dir...]          (default: every module, then the root)
# The root's test files run as separate `terraform test -filter=<file>` jobs (every root run plans the
# whole stack, so the root alone would outlast all the modules together).
# env:   TFTEST_JOBS=<n>  directories (or root test files) tested in parallel (default: number of CPUs)
#        TF_SHARED_PROVIDER=0 one provider process per terraform command (default: one for the whole run)
#        TFTEST_VERBOSE=1 print every run's output, not only failures
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
tf="$here/scripts/terraform.sh"
jobs="${TFTEST_JOBS:-$(nproc 2>/dev/null || echo 2)}"

has_tests() { compgen -G "$1/tests/*.tftest.hcl" >/dev/null; }

dirs=()
if [ "$#" -gt 0 ]; then
  dirs=("$@")
else
  # The root first: it is the slowest directory, so it starts while the modules run beside it.
  if compgen -G "*.tf" >/dev/null && has_tests .; then
    dirs+=(".")
  fi
  for d in modules/*/; do
    [ -d "$d" ] && dirs+=("${d%/}")
  done
fi
if [ "${#dirs[@]}" -eq 0 ]; then
  echo "tftest: nothing to test" >&2
  exit 1
fi

# Warm the shared plugin cache once (the CLI config from terraform.sh sets plugin_cache_dir),
# so parallel inits only link the provider.
"$tf" -chdir="${dirs[0]}" init -backend=false -input=false -no-color >/dev/null 2>&1 || true
# One provider process serves every `run` block of every directory (scripts/shared_provider.sh).
# shellcheck source=scripts/shared_provider.sh
source "$here/scripts/shared_provider.sh"
shared_provider_start "${dirs[0]}"

results="$(mktemp -d)"
trap 'rm -rf "$results"; shared_provider_stop' EXIT

test_dir() { # test_dir <dir>[:<test file>] <slot>
  local dir="${1%%:*}" filter=() slot="$2" log="$results/$2.log" start rc=0 summary
  [ "$1" != "$dir" ] && filter=(-filter="${1#*:}")
  start=$(date +%s)
  if ! has_tests "$dir"; then
    echo "no tests/*.tftest.hcl" >"$log"
    printf '%s\t%s\t%s\t%s\n' "$dir" "FAIL" "0" "no tests" >"$results/$slot.res"
    return
  fi
  if ! init_once "$dir" >"$log" 2>&1; then
    rc=1; summary="init failed"
  else
    : >"$log"
    "$tf" -chdir="$dir" test -no-color "${filter[@]}" >"$log" 2>&1 || rc=$?
    summary="$(grep -E '^(Success|Failure)!' "$log" | tail -1)"
    [ -n "$summary" ] || summary="no summary (rc=$rc)"
  fi
  printf '%s\t%s\t%s\t%s\n' "$1" "$([ "$rc" -eq 0 ] && echo PASS || echo FAIL)" "$(($(date +%s) - start))" "$summary" >"$results/$slot.res"
}

# init each directory once, before its jobs start (root test files share the root's .terraform/)
init_once() {
  local marker="$results/init.$(printf '%s' "$1" | tr '/.' '__')"
  if [ ! -f "$marker" ]; then
    env -u TF_REATTACH_PROVIDERS "$tf" -chdir="$1" init -backend=false -input=false -no-color && : >"$marker"
  fi
}

units=()
for dir in "${dirs[@]}"; do
  if [ "$dir" = . ] && [ "${TFTEST_SPLIT_ROOT:-1}" = 1 ]; then
    init_once . >"$results/init-root.log" 2>&1 || { cat "$results/init-root.log"; exit 1; }
    for file in tests/*.tftest.hcl; do units+=(".:$file"); done
  else
    units+=("$dir")
  fi
done

total_start=$(date +%s)
i=0
for dir in "${units[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  echo "==> terraform test: $dir" >&2
  test_dir "$dir" "$i" &
  i=$((i + 1))
done
wait

failed=0
for ((n = 0; n < i; n++)); do
  IFS=$'\t' read -r dir status _ _ <"$results/$n.res"
  if [ "$status" != PASS ] || [ "${TFTEST_VERBOSE:-0}" = 1 ]; then
    echo "----- $dir -----"
    cat "$results/$n.log"
  fi
done
echo
printf '%-44s %-6s %6s  %s\n' "DIRECTORY" "RESULT" "TIME" "SUMMARY"
for ((n = 0; n < i; n++)); do
  IFS=$'\t' read -r dir status secs summary <"$results/$n.res"
  [ "$dir" = . ] && dir="(root)"
  [ "${dir%%:*}" = . ] && dir="(root) ${dir#*:}"
  printf '%-44s %-6s %5ss  %s\n' "$dir" "$status" "$secs" "$summary"
  [ "$status" = PASS ] || failed=$((failed + 1))
done
echo "tftest: ${#dirs[@]} director$([ ${#dirs[@]} -eq 1 ] && echo y || echo ies) in ${#units[@]} jobs, $failed failed, $(($(date +%s) - total_start))s"
[ "$failed" -eq 0 ]
