#!/usr/bin/env bash
# Creates (once) a virtualenv for a pinned requirements file, cached under
# ~/.cache/serverless-pipeline keyed by the hash of that file and the interpreter,
# and links it into the project.
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
  "$cache/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
  touch "$cache/.complete"
fi
ln -sfn "$cache" "$here/$link"
