#!/usr/bin/env bash
# make test: everything CI runs. Two steps run in the background, beside the others:
#   - the root's deploy to the embedded LocalStack (mostly the AWS provider's fixed waits, ~100 s), while
#     lint, unit and audit run; the LocalStack suite then runs on that deployment (scripts/integration.sh);
#   - tftest (CPU-bound, no deadlines) at low priority (nice), from after lint to after the suite: it
#     takes the CPU the others leave idle (LocalStack is one GIL-bound process) and never slows them much.
# Fails fast like a make recipe: the first failing step ends the run (background steps are stopped).
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
tftest_pid=""
stop_background() { # stop_background <pid>: the job and its process group
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill -- "-$1" 2>/dev/null || kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}
finish() {
  local rc=$?
  stop_background "$deploy_pid"
  stop_background "$tftest_pid"
  "$make" --no-print-directory localstack-down >/dev/null 2>&1 || true
  printf '[test] %s\n' "${times[@]}" "total $(($(date +%s) - start)) s (rc=$rc)"
  echo "$(date -u +%FT%TZ) make test $(($(date +%s) - start)) s rc=$rc" >>"$root/.local/test-times.txt"
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
set -m
(exec nice -n 10 "$make" --no-print-directory tftest >"$logs/tftest.log" 2>&1) &
tftest_pid=$!
set +m
tftest_start="$(date +%s)"
echo "[test] tftest runs in the background at low priority (log: ${logs#"$root/"}/tftest.log)"
step unit "$make" --no-print-directory unit
step audit "$make" --no-print-directory audit

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

t0="$(date +%s)"
tftest_rc=0
wait "$tftest_pid" || tftest_rc=$?
tftest_pid=""
times+=("tftest (background) $(($(date +%s) - tftest_start)) s, waited $(($(date +%s) - t0)) s after the suite")
if [ "$tftest_rc" != 0 ]; then
  cat "$logs/tftest.log" >&2
  echo "[test] tftest failed (rc=$tftest_rc)" >&2
  exit "$tftest_rc"
fi
sed -n '/^DIRECTORY/,$p' "$logs/tftest.log"
