#!/usr/bin/env bash
# Embedded LocalStack for the integration suite: runs on the host (no Docker), executes Lambda functions
# as local processes (with their layers) and serves DynamoDB through moto, all offline.
#
# usage: scripts/localstack.sh up|down|status|logs
#   up      start in the background on 127.0.0.1:4566 (LOCALSTACK_PORT) and wait until healthy (idempotent).
#           If LOCALSTACK_ENDPOINT points at a healthy LocalStack (e.g. the Docker image), use it instead.
#   down    stop it (SIGTERM, then SIGKILL of its process group) and any function process left behind
#   status  print whether it runs
#   logs    show the log (follows it when stdout is a terminal)
#
# Cached outside the clone (~/.cache/serverless-pipeline): the LocalStack venv (scripts/venv.sh, keyed by
# requirements-localstack.txt) and, per Python version, the packages the Lambda runtime provides
# (awslambdaric + boto3). State, log and pid file live in .local/localstack/.
# Knobs: LOCALSTACK_PYTHON (3.13|3.12), LOCALSTACK_START_TIMEOUT (s, default 120), LOCALSTACK_DEBUG=1,
# IAM_ENFORCEMENT=enforce|report|off (tests/localstack/sp_localstack/iam_enforcement.py; report in $state).
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
port="${LOCALSTACK_PORT:-4566}"
[[ "$port" =~ ^[0-9]+$ ]] || { echo "localstack: error: LOCALSTACK_PORT must be a number" >&2; exit 2; }
# a second instance (LOCALSTACK_PORT=4599) gets its own state directory
if [ "$port" = 4566 ]; then state="$here/.local/localstack"; else state="$here/.local/localstack-$port"; fi
log="$state/localstack.log"
pidfile="$state/localstack.pid"
plugin_src="$here/tests/localstack"
plugin_path="$state/plugin-path"
venv_link="$here/.venv-localstack"
local_endpoint="http://127.0.0.1:$port"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/serverless-pipeline"
pip_noise="is ignored: it is neither a file nor a directory"
lambda_python_versions="${LOCALSTACK_LAMBDA_PYTHONS:-3.12}"

say() { echo "localstack: $*" >&2; }
die() { echo "localstack: error: $*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

healthy() { # healthy <endpoint>
  if command -v curl >/dev/null 2>&1; then
    curl -sf --max-time 2 -o /dev/null "$1/_localstack/health" 2>/dev/null
  else
    python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
      "$1/_localstack/health" >/dev/null 2>&1
  fi
}

running_pid() { # prints the pid of our LocalStack if it is alive
  [ -f "$pidfile" ] || return 1
  local pid
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # guard against pid reuse: it must be our LocalStack
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "localstack.runtime.main" || return 1
  echo "$pid"
}

is_local_default() { # is this endpoint the one we would start?
  case "${1%/}" in
    "http://127.0.0.1:$port" | "http://localhost:$port" | "http://localhost.localstack.cloud:$port") return 0 ;;
    *) return 1 ;;
  esac
}

ensure_venv() {
  local pyver="${LOCALSTACK_PYTHON:-}" req="$here/requirements-localstack.txt" key
  # fast path: the link already points at the venv scripts/venv.sh would pick (same key: requirements + -VV)
  if [ -z "$pyver" ] && [ -f "$venv_link/.complete" ] && [ -x "$venv_link/bin/python" ]; then
    key="$( (cat "$req"; "$venv_link/bin/python" -VV) | sha256sum | cut -c1-16)"
    case "$(readlink "$venv_link")" in *"-$key") return 0 ;; esac
  fi
  if [ -z "$pyver" ]; then
    if "$here/scripts/find_python.sh" 3.13 >/dev/null 2>&1; then pyver=3.13; else pyver=3.12; fi
  fi
  if [ ! -f "$venv_link/.complete" ]; then
    say "preparing the LocalStack venv (Python $pyver; cached after the first run)"
  fi
  bash "$here/scripts/venv.sh" "$req" .venv-localstack "$pyver" \
    2> >(grep --line-buffered -v "$pip_noise" >&2 || true)
  [ -x "$venv_link/bin/python" ] || die "LocalStack venv missing at $venv_link"
}

# The plugin package is not pip-installed into the shared, cached venv: its source directory goes on
# PYTHONPATH and a generated dist-info (same entry points as tests/localstack/pyproject.toml) registers
# it. Instant, always the source of this clone, and rewritten only when the entry points change.
ensure_plugin() {
  mkdir -p "$plugin_path"
  "$venv_link/bin/python" - "$plugin_src/pyproject.toml" "$plugin_path" <<'PY'
import pathlib, shutil, sys, tomllib
project = tomllib.loads(pathlib.Path(sys.argv[1]).read_text())["project"]
name, version = project["name"], project["version"]
dist = pathlib.Path(sys.argv[2]) / f"{name.replace('-', '_')}-{version}.dist-info"
for stale in pathlib.Path(sys.argv[2]).glob("*.dist-info"):
    if stale != dist:
        shutil.rmtree(stale)
files = {
    "METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
    "entry_points.txt": "".join(
        f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in eps.items()) + "\n"
        for group, eps in project["entry-points"].items()
    ),
}
dist.mkdir(parents=True, exist_ok=True)
for fname, content in files.items():
    path = dist / fname
    if not path.exists() or path.read_text() != content:
        path.write_text(content)
PY
}

ensure_lambda_runtimes() {
  local v dir
  for v in $lambda_python_versions; do
    if dir="$(SP_CACHE_DIR="$cache" PYTHONPATH="$plugin_src" "$venv_link/bin/python" -m sp_localstack.interpreters ensure "$v")"; then
      :
    else
      say "warning: python$v functions will not run (see the error above); other runtimes are unaffected"
      continue
    fi
    [ -n "${LOCALSTACK_VERBOSE:-}" ] && say "python$v runtime packages: $dir"
  done
  return 0
}

wait_healthy() { # wait_healthy <pid> <t0>
  local pid="$1" t0="$2" timeout="${LOCALSTACK_START_TIMEOUT:-120}"
  local deadline
  deadline=$(($(date +%s) + timeout)) # integer seconds: awk's print would use %.6g (1.79535e+09)
  until healthy "$local_endpoint"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$log" >&2 || true
      rm -f "$pidfile"
      die "LocalStack exited during startup (log: $log)"
    fi
    if (($(date +%s) > deadline)); then
      tail -n 40 "$log" >&2 || true
      die "LocalStack not healthy after ${timeout}s (pid $pid still running; log: $log; stop it with: $0 down)"
    fi
    sleep 0.2
  done
}

cmd_up() {
  local t0 pid
  t0="$(now)"
  if [ -n "${LOCALSTACK_ENDPOINT:-}" ] && ! is_local_default "$LOCALSTACK_ENDPOINT"; then
    healthy "${LOCALSTACK_ENDPOINT%/}" ||
      die "LOCALSTACK_ENDPOINT=$LOCALSTACK_ENDPOINT is not healthy ($LOCALSTACK_ENDPOINT/_localstack/health); start it or unset LOCALSTACK_ENDPOINT"
    say "using the LocalStack at $LOCALSTACK_ENDPOINT (LOCALSTACK_ENDPOINT); starting nothing"
    return 0
  fi
  mkdir -p "$state"
  exec 8>"$state/.lock"
  flock 8
  if pid="$(running_pid)"; then
    if healthy "$local_endpoint"; then
      say "already running at $local_endpoint (pid $pid)"
      return 0
    fi
    say "started earlier (pid $pid) but not healthy yet; waiting"
    wait_healthy "$pid" "$t0"
    say "up at $local_endpoint (pid $pid) after $(elapsed "$t0")s"
    return 0
  fi
  if healthy "$local_endpoint"; then
    say "a LocalStack not started from this clone already listens on $local_endpoint; using it"
    say "(it needs LAMBDA_RUNTIME_EXECUTOR=process to run functions without Docker; stop it to use ours)"
    return 0
  fi

  case "${IAM_ENFORCEMENT:-report}" in
    enforce | report | off) ;;
    *) die "IAM_ENFORCEMENT must be enforce, report or off (not '$IAM_ENFORCEMENT')" ;;
  esac
  ensure_venv
  ensure_plugin
  ensure_lambda_runtimes

  # LocalStack keeps no state between runs (no PERSISTENCE): start from empty directories
  rm -rf "$state/filesystem" "$state/tmp"
  mkdir -p "$state/filesystem" "$state/tmp"
  rm -f "$pidfile"
  {
    echo
    echo "===== $(date -u +%Y-%m-%dT%H:%M:%SZ) scripts/localstack.sh up ====="
  } >>"$log"
  (
    exec 8>&- # the lock must not outlive this script
    # nor any lock a caller holds (`flock /tmp/heavy.lock make demo` would stay locked while LocalStack runs)
    for fd in /proc/$BASHPID/fd/*; do
      fd="${fd##*/}"
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    cd "$state" # a directory that shadows no package name (the clone root has tests/, scripts/...)
    exec env -u TMPDIR \
      GATEWAY_LISTEN="127.0.0.1:$port" \
      LOCALSTACK_HOST="127.0.0.1:$port" \
      SQS_ENDPOINT_STRATEGY=off \
      DISABLE_EVENTS=1 \
      SKIP_SSL_CERT_DOWNLOAD=1 \
      DNS_ADDRESS=0 \
      LAMBDA_RUNTIME_EXECUTOR=process \
      PROVIDER_OVERRIDE_DYNAMODB=moto \
      PROVIDER_OVERRIDE_DYNAMODBSTREAMS=moto \
      LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_EMPTY_POLL_SEC="${LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_EMPTY_POLL_SEC:-1}" \
      LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_ERROR_SEC="${LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_ERROR_SEC:-5}" \
      LAMBDA_RETRY_BASE_DELAY="${LAMBDA_RETRY_BASE_DELAY:-1}" \
      FILESYSTEM_ROOT="$state/filesystem" \
      TMP="$state/tmp" \
      PYTHONPATH="$plugin_src:$plugin_path" \
      SP_CACHE_DIR="$cache" \
      SP_LOCALSTACK_OWNER="$state" \
      IAM_ENFORCEMENT="${IAM_ENFORCEMENT:-report}" \
      SP_IAM_REPORT_DIR="$state" \
      DEBUG="${LOCALSTACK_DEBUG:-0}" \
      setsid "$venv_link/bin/python" -m localstack.runtime.main </dev/null >>"$log" 2>&1
  ) &
  pid=$!
  echo "$pid" >"$pidfile"
  wait_healthy "$pid" "$t0"
  say "up at $local_endpoint (pid $pid) in $(elapsed "$t0")s; log: ${log#"$here"/}"
}

leftover_functions() { # pids of function processes started by our LocalStack
  local env_file pid
  for env_file in /proc/[0-9]*/environ; do
    pid="${env_file#/proc/}"
    pid="${pid%/environ}"
    if grep -qzxF "SP_LOCALSTACK_OWNER=$state" "$env_file" 2>/dev/null; then
      echo "$pid"
    fi
  done
}

cmd_down() {
  local pid waited=0 leftovers
  mkdir -p "$state"
  exec 8>"$state/.lock"
  flock 8
  if pid="$(running_pid)"; then
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 150 ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "no clean shutdown after 15s; killing process group $pid"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped (pid $pid)"
  else
    say "not running (from this clone)"
  fi
  rm -f "$pidfile"
  leftovers="$(leftover_functions | tr '\n' ' ')"
  if [ -n "${leftovers// /}" ]; then
    say "killing leftover function processes: $leftovers"
    # shellcheck disable=SC2086
    kill -KILL $leftovers 2>/dev/null || true
  fi
}

cmd_status() {
  local pid
  if [ -n "${LOCALSTACK_ENDPOINT:-}" ] && ! is_local_default "$LOCALSTACK_ENDPOINT"; then
    if healthy "${LOCALSTACK_ENDPOINT%/}"; then echo "external LocalStack at $LOCALSTACK_ENDPOINT: healthy"; else
      echo "external LocalStack at $LOCALSTACK_ENDPOINT: NOT healthy"
      return 1
    fi
    return 0
  fi
  if pid="$(running_pid)"; then
    if healthy "$local_endpoint"; then echo "running at $local_endpoint (pid $pid)"; else echo "starting (pid $pid)"; fi
  elif healthy "$local_endpoint"; then
    echo "a LocalStack not started from this clone listens on $local_endpoint"
  else
    echo "not running"
    return 1
  fi
}

cmd_logs() {
  [ -f "$log" ] || die "no log yet ($log); run: $0 up"
  if [ -t 1 ]; then exec tail -n 200 -F "$log"; else tail -n "${LINES_TO_SHOW:-400}" "$log"; fi
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  logs) cmd_logs ;;
  *)
    echo "usage: $0 up|down|status|logs" >&2
    exit 2
    ;;
esac
