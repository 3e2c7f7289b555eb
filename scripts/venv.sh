#!/usr/bin/env bash
# Creates (once) a virtualenv for a hashed lock (requirements-*.txt, written by `make lock` from its .in),
# installed with hash checking, cached under ~/.cache/serverless-pipeline keyed by the hash of that
# lock and the interpreter, and links it into the project.
# usage: scripts/venv.sh <requirements-file> <link-name> [python-version]
set -euo pipefail
req="$1"; link="$2"; pyver="${3:-3.12}"
here="$(cd "$(dirname "$0")/.." && pwd)"
python="$("$here/scripts/find_python.sh" "$pyver")"
key="$( (cat "$req"; "$python" -VV) | sha256sum | cut -c1-16)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/serverless-pipeline/venvs/$(basename "$req" .txt)-py$pyver-$key"
mkdir -p "$(dirname "$cache")"
exec 9>"$cache.lock"
flock 9
if [ ! -f "$cache/.complete" ]; then
  echo "==> creating venv $cache from $req" >&2
  rm -rf "$cache"
  "$python" -m venv "$cache"
  "$cache/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
  # a hashed lock (`make lock`): every distribution's hash is checked, nothing outside the lock installed
  "$cache/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r "$req" >&2
  touch "$cache/.complete"
fi
ln -sfn "$cache" "$here/$link"
