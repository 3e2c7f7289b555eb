#!/usr/bin/env bash
# Prints the path of a working CPython interpreter for the requested version
# (default 3.12): a working pythonX.Y on PATH first, then pyenv.
set -euo pipefail
want="${1:-3.12}"
works() { "$1" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" >/dev/null 2>&1; }
if command -v "python$want" >/dev/null 2>&1 && works "python$want"; then
  command -v "python$want"; exit 0
fi
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E "^${want//./\\.}(\.[0-9]+)?$" | sort -t. -k3 -n -r); do
    candidate="$(pyenv prefix "$v" 2>/dev/null)/bin/python$want"
    if works "$candidate"; then echo "$candidate"; exit 0; fi
  done
fi
echo "error: no working Python $want found (tried python$want on PATH and pyenv). Install it, e.g. 'pyenv install $want'." >&2
exit 1
