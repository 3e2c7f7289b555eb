#!/usr/bin/env bash
# Regenerates every hashed lock from its input with uv (pinned in requirements-dev.txt):
#   layers/<name>/requirements.in -> layers/<name>/requirements.txt
# One universal lock per layer: hashes of every wheel of each pinned release, so the same file
# installs for x86_64 and aarch64, cp312 and cp313 (scripts/build.py installs it with hash checking).
# The AWS SDK is left out: the Lambda runtime provides it (docs/CONTRACTS.md).
#   requirements-{dev,checkov,localstack}.in -> requirements-*.txt
# The tooling venvs' locks (scripts/venv.sh installs them with hash checking). The LocalStack one is
# resolved for Python 3.13 on Linux (its venv's interpreter; LocalStack's deps do not resolve for 3.14+).
# uv keeps the versions an existing lock pins unless told otherwise (--upgrade, --upgrade-package).
# usage: scripts/lock.sh [--upgrade]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
uv="${UV:-$here/.venv/bin/uv}"
cd "$here"
for input in layers/*/requirements.in; do
  echo "==> ${input%.in}.txt" >&2
  "$uv" pip compile --quiet --universal --python-version 3.12 --generate-hashes \
    --no-emit-package boto3 --no-emit-package botocore --no-emit-package s3transfer \
    --custom-compile-command "make lock" --output-file "${input%.in}.txt" "$@" "$input"
done
for input in requirements-dev.in requirements-checkov.in requirements-localstack.in; do
  echo "==> ${input%.in}.txt" >&2
  case "$input" in
    requirements-localstack.in) target=(--python-version 3.13 --python-platform x86_64-manylinux_2_28) ;;
    *) target=(--universal --python-version 3.12) ;;
  esac
  "$uv" pip compile --quiet "${target[@]}" --generate-hashes \
    --custom-compile-command "make lock" --output-file "${input%.in}.txt" "$@" "$input"
done
