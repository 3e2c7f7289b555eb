#!/usr/bin/env bash
# The LocalStack suite (make integration) on ONE deployment of the root module, in three steps:
#   1. deploy: scripts/deploy_local.sh apply (skipped with PIPELINE_E2E_SKIP_DEPLOY=1: make test deploys
#      in the background while the static checks run);
#   2. shared phase: every test not marked `exclusive`, on INTEGRATION_WORKERS pytest-xdist workers
#      (default 3), whole test files per worker (`--dist loadfile`: a module's fixtures are set up once
#      per worker; work stealing split modules and set them up twice), the `long` tests spread out so
#      they start on different workers. The tests wait on events (executions, messages), so their waits
#      overlap instead of adding up;
#   3. exclusive phase: the tests that need the deployment to themselves (global faults, code and role
#      swaps, the IAM report of everything before, plan + destroy), one after another, in file order.
# Both phases run even when the first fails. Extra arguments go to both pytest runs.
# env: LOCALSTACK_PORT / LOCALSTACK_ENDPOINT (as the tests), INTEGRATION_WORKERS (1 = no xdist).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
py="$root/.venv/bin/python"
workers="${INTEGRATION_WORKERS:-3}"
[[ "$workers" =~ ^[1-9][0-9]*$ ]] || { echo "integration: INTEGRATION_WORKERS must be a positive number" >&2; exit 2; }
say() { printf '[integration] %s\n' "$*" >&2; }
since() { echo $(($(date +%s) - $1)); } # seconds since the epoch second $1

started="$(date +%s)"
if [ "${PIPELINE_E2E_SKIP_DEPLOY:-0}" != 1 ]; then
  bash scripts/deploy_local.sh apply
fi
deployed="$(date +%s)"
export REQUIRE_LOCALSTACK=1 PIPELINE_E2E_SKIP_DEPLOY=1

parallel=(-n "$workers" --dist loadfile)
[ "$workers" = 1 ] && parallel=(-p no:xdist)
rc=0
say "shared phase: $workers workers"
"$py" -m pytest tests/integration -q -m "not exclusive" "${parallel[@]}" "$@" || rc=$?
shared_s="$(since "$deployed")"
phase2="$(date +%s)"
say "exclusive phase"
"$py" -m pytest tests/integration -q -m exclusive -p no:xdist "$@" || rc=$?
say "deploy $((deployed - started)) s, shared phase ${shared_s} s, exclusive phase $(since "$phase2") s," \
  "total $(since "$started") s (rc=$rc)"
exit "$rc"
