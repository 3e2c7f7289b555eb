#!/usr/bin/env bash
# Terraform lint: fmt, validate (every module, every module example, the root), checkov,
# plus the GitHub workflow schema and the module docs check when those exist.
# Every step runs; the script exits non-zero if any failed.
#
# usage: scripts/lint_terraform.sh
# env:   LINT_SKIP_CHECKOV=1  skip checkov (e.g. while iterating)
#        VALIDATE_JOBS=<n>    directories validated in parallel (default: number of CPUs)
set -uo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
tf="$here/scripts/terraform.sh"

failures=()
step_start=0
begin() { step_start=$(date +%s); echo "==> $*"; }
done_step() { # name rc
  local secs=$(($(date +%s) - step_start))
  if [ "$2" -eq 0 ]; then echo "    ok ($secs s)"; else echo "    FAILED ($secs s)"; failures+=("$1"); fi
}

# Directories holding Terraform files, minus generated/vendored trees.
tf_dirs() {
  find . \( -name .terraform -o -name .local -o -name build -o -name node_modules -o -name '.venv*' -o -name .git \) -prune -o \
    \( -name '*.tf' -o -name '*.tftest.hcl' -o -name '*.tfvars' \) -print |
    xargs -r -n1 dirname | sort -u
}

# 1. fmt -----------------------------------------------------------------------
begin "terraform fmt -check"
rc=0
while read -r d; do
  out="$("$tf" fmt -check -list=true -no-color "$d" 2>&1)" || { rc=1; echo "$out" | sed 's/^/    needs fmt: /'; }
done < <(tf_dirs)
done_step fmt "$rc"

# 2. validate ------------------------------------------------------------------
validate_dirs=()
for d in modules/*/ modules/*/examples/*/; do
  [ -d "$d" ] && compgen -G "$d*.tf" >/dev/null && validate_dirs+=("${d%/}")
done
compgen -G "*.tf" >/dev/null && validate_dirs+=(".")

begin "terraform validate (${#validate_dirs[@]} directories, in parallel, one shared provider process)"
rc=0
validate_out="$(mktemp -d)"
# init one directory first (fills the plugin cache), then the rest in parallel
"$tf" -chdir="${validate_dirs[0]}" init -backend=false -input=false -no-color >/dev/null 2>&1 || true
# shellcheck source=scripts/shared_provider.sh
source "$here/scripts/shared_provider.sh"
shared_provider_start "${validate_dirs[0]}"
trap 'rm -rf "$validate_out"; shared_provider_stop' EXIT
validate_one() { # <index> <dir>
  local out="$validate_out/$1"
  if ! env -u TF_REATTACH_PROVIDERS "$tf" -chdir="$2" init -backend=false -input=false -no-color >"$out.log" 2>&1; then
    echo "    $2: init failed" >"$out.err"; sed 's/^/      /' "$out.log" >>"$out.err"; return
  fi
  if ! "$tf" -chdir="$2" validate -no-color >"$out.log" 2>&1; then
    echo "    $2: INVALID" >"$out.err"; sed 's/^/      /' "$out.log" >>"$out.err"
  fi
}
n=0
for d in "${validate_dirs[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "${VALIDATE_JOBS:-$(nproc 2>/dev/null || echo 2)}" ]; do wait -n || true; done
  validate_one "$n" "$d" &
  n=$((n + 1))
done
wait
for ((i = 0; i < n; i++)); do
  if [ -f "$validate_out/$i.err" ]; then rc=1; cat "$validate_out/$i.err"; fi
done
done_step validate "$rc"

# 3. checkov -------------------------------------------------------------------
if [ "${LINT_SKIP_CHECKOV:-0}" = 1 ]; then
  echo "==> checkov skipped (LINT_SKIP_CHECKOV=1)"
else
  begin "checkov (terraform framework, config .checkov.yaml)"
  rc=0
  if ! "$here/scripts/venv.sh" requirements-checkov.txt .venv-checkov 3.12 2>/dev/null; then
    echo "    checkov venv on Python 3.12 failed; trying 3.11"
    "$here/scripts/venv.sh" requirements-checkov.txt .venv-checkov 3.11 || rc=1
  fi
  if [ "$rc" -eq 0 ]; then
    # --quiet: only failed checks are printed; --compact: no code blocks.
    .venv-checkov/bin/checkov -d . --framework terraform --config-file .checkov.yaml --quiet --compact || rc=1
  fi
  done_step checkov "$rc"
fi

# 4. GitHub workflow schema (when workflows exist) -----------------------------
if compgen -G ".github/workflows/*.yml" >/dev/null || compgen -G ".github/workflows/*.yaml" >/dev/null; then
  begin "check-jsonschema (GitHub workflows)"
  rc=0
  if [ -x .venv/bin/check-jsonschema ]; then
    .venv/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.y*ml || rc=1
  else
    echo "    .venv/bin/check-jsonschema not found: run 'make venv' (it is pinned in requirements-dev.txt)"; rc=1
  fi
  done_step workflows "$rc"
fi

# 5. Module docs (when the generator exists) -----------------------------------
if [ -f scripts/tfdocs.py ]; then
  begin "module README inputs/outputs tables (scripts/tfdocs.py --check)"
  py=python3
  [ -x .venv/bin/python ] && py=.venv/bin/python
  rc=0
  "$py" scripts/tfdocs.py --check || rc=1
  done_step tfdocs "$rc"
fi

echo
if [ "${#failures[@]}" -gt 0 ]; then
  echo "lint_terraform: FAILED: ${failures[*]}"
  exit 1
fi
echo "lint_terraform: all checks passed"
