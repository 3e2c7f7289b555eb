#!/usr/bin/env bash
# make test: everything CI runs. The root's deploy to the embedded LocalStack (mostly the AWS provider's
# fixed waits, ~100 s) runs in the background while lint, unit, audit and tftest run in the foreground;
# then the LocalStack suite runs on that deployment (scripts/integration.sh). Fails fast like a make
# recipe: the first failing step ends the run (after the background deploy has been stopped).
# Step times go to stdout at the end and the total to .local/test-times.txt (make bench shows the last).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
make="${MAKE:-make}"
logs="$root/.local/test-logs"
mkdir -p "$logs"
start="$(date +%s)"
times=()
step() { # step <name> <command...>: run, time, remember
  local name="$1" t0 rc=0
  shift
  t0="$(date +%s)"
  "$@" || rc=$?
  times+=("$name $(($(date +%s) - t0)) s")
  return "$rc"
}
deploy_pid=""
finish() {
  local rc=$?
  if [ -n "$deploy_pid" ] && kill -0 "$deploy_pid" 2>/dev/null; then
    kill -- "-$deploy_pid" 2>/dev/null || kill "$deploy_pid" 2>/dev/null || true
    wait "$deploy_pid" 2>/dev/null || true
  fi
  "$make" --no-print-directory localstack-down >/dev/null 2>&1 || true
  local total=$(($(date +%s) - start))
  printf '[test] %s\n' "${times[@]}" "total $total s (rc=$rc)"
  echo "$(date -u +%FT%TZ) make test $total s rc=$rc" >>"$root/.local/test-times.txt"
  exit "$rc"
}
trap finish EXIT

step prepare "$make" --no-print-directory venv build localstack-up
# set -m: the deploy gets its own process group, so finish() can stop terraform with it
set -m
(exec bash scripts/deploy_local.sh apply >"$logs/deploy.log" 2>&1) &
deploy_pid=$!
set +m
echo "[test] deploying the root to LocalStack in the background (log: ${logs#"$root/"}/deploy.log)"

step lint "$make" --no-print-directory lint
step unit "$make" --no-print-directory unit
step audit "$make" --no-print-directory audit
step tftest "$make" --no-print-directory tftest

t0="$(date +%s)"
deploy_rc=0
wait "$deploy_pid" || deploy_rc=$?
deploy_pid=""
times+=("deploy (background) waited $(($(date +%s) - t0)) s")
tail -n 8 "$logs/deploy.log"
if [ "$deploy_rc" != 0 ]; then
  echo "[test] the background deploy failed (rc=$deploy_rc); its log: ${logs#"$root/"}/deploy.log" >&2
  tail -n 60 "$logs/deploy.log" >&2
  exit "$deploy_rc"
fi
PIPELINE_E2E_SKIP_DEPLOY=1 step integration "$make" --no-print-directory integration
