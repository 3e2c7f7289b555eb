# Entry points. Every target installs what it needs (venvs cached under ~/.cache/serverless-pipeline).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ARCH ?= x86_64
PYTHON_VERSION ?= 3.12
VENV := .venv
PY := $(VENV)/bin/python
TF := scripts/terraform.sh
# IAM enforcement of the embedded LocalStack (enforce|report|off), read by scripts/localstack.sh at start
export IAM_ENFORCEMENT ?= enforce

.PHONY: help venv build unit lint tftest checkov localstack-up localstack-down localstack-logs \
        integration deploy-local destroy-local outputs-local demo test bench fuzz plan apply docs plan-fixtures clean lock audit \
        mutate mutate-wiring invoke logs dev iam-report

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(VENV)/.ok: requirements-dev.txt scripts/venv.sh
	scripts/venv.sh requirements-dev.txt $(VENV) 3.12
	touch $@

venv: $(VENV)/.ok ## create the project venv (Python 3.12)

build: venv ## build every function and layer zip into build/ (ARCH=x86_64|arm64 PYTHON_VERSION=3.12|3.13)
	$(PY) scripts/build.py --arch $(ARCH) --python $(PYTHON_VERSION)

lock: venv ## regenerate the hashed locks with uv: layers/*/requirements.in, requirements-{dev,checkov,localstack}.in -> .txt (LOCK_ARGS=--upgrade)
	bash scripts/lock.sh $(LOCK_ARGS)

audit: venv ## vulnerability audit of every layer lock and the dev venv (pip-audit, PyPI; allow list audit-allow.toml)
	$(PY) scripts/audit.py

unit: venv ## unit tests (no network), on one pytest-xdist worker per CPU (UNIT_WORKERS=0: in-process)
	$(PY) -m pytest tests/unit -q $(if $(filter 0,$(UNIT_WORKERS)),-p no:xdist,-n $(or $(UNIT_WORKERS),auto))

fuzz: venv ## property-based tests of every handler with the long hypothesis profile (FUZZ_EXAMPLES=1500 per test)
	HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/unit/functions/test_properties.py -q --hypothesis-show-statistics

lint: venv ## ruff, mypy, terraform fmt/validate, checkov, workflow schema, module docs
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy functions scripts tests
	bash scripts/lint_terraform.sh

tftest: ## terraform test for every module and the root (mock provider, offline)
	bash scripts/tftest.sh

localstack-up: ## start the embedded LocalStack (runs Lambda without Docker)
	bash scripts/localstack.sh up

localstack-down: ## stop the embedded LocalStack
	bash scripts/localstack.sh down

localstack-logs: ## show the embedded LocalStack log
	bash scripts/localstack.sh logs

deploy-local: build localstack-up ## apply the root module to LocalStack (separate state under .local/)
	bash scripts/deploy_local.sh apply

destroy-local: ## destroy the LocalStack deployment
	bash scripts/deploy_local.sh destroy

outputs-local: ## terraform output -json of the LocalStack deployment
	bash scripts/deploy_local.sh outputs

dev: venv build ## watch functions/ and layers/: each change is rebuilt and live in the local deployment, no apply
	$(PY) scripts/dev.py

invoke: venv ## invoke a deployed function: FN=<name> [EVENT=<file>|-] (prints result, error, its logs)
	@[ -n "$(FN)" ] || { echo "usage: make invoke FN=<name> [EVENT=<file>|-]  (names: ls functions/)" >&2; exit 2; }
	$(PY) scripts/local_fn.py invoke $(FN) $(if $(EVENT),--event $(EVENT),)

logs: venv ## a deployed function's log group: FN=<name> [FOLLOW=1]
	@[ -n "$(FN)" ] || { echo "usage: make logs FN=<name> [FOLLOW=1]" >&2; exit 2; }
	$(PY) scripts/local_fn.py logs $(FN) $(if $(FOLLOW),--follow,)

integration: venv build localstack-up ## LocalStack smoke + end-to-end suite on one deployment: shared phase on INTEGRATION_WORKERS (3) xdist workers, then the exclusive tests
	bash scripts/integration.sh $(INTEGRATION_ARGS)

demo: venv build localstack-up ## build, deploy to the embedded LocalStack, push a sample image through the pipeline
	bash scripts/deploy_local.sh apply
	$(PY) scripts/demo.py

test: ## everything CI runs: lint, unit, audit, tftest (the LocalStack deploy runs beside them), then integration
	bash scripts/test_all.sh

iam-report: ## print the latest IAM least-privilege report of the embedded LocalStack (per role)
	@latest="$$(ls -t .local/localstack*/iam-report.txt 2>/dev/null | head -n 1)"; \
	if [ -z "$$latest" ]; then echo "no IAM report yet: run make integration (or make localstack-up and use it)" >&2; exit 1; fi; \
	echo "# $$latest (JSON beside it)"; cat "$$latest"

mutate: venv ## Python mutation score (cosmic-ray) of functions/ and layers/shared/; slow, not in CI (MUTATE_ARGS="--sample 5 --targets ingest")
	$(PY) scripts/mutate_python.py $(MUTATE_ARGS)

mutate-wiring: venv ## wiring mutation harness: one-line Terraform/ASL/adapter mutants against the plan and unit tests
	$(PY) scripts/mutate_wiring.py $(MUTATE_ARGS)

bench: venv build ## benchmarks (print numbers, assert nothing about speed); the local loop needs LocalStack
	$(PY) scripts/bench.py $(BENCH_ARGS)
	$(MAKE) localstack-up
	$(PY) scripts/bench_local.py

plan: venv build ## terraform plan of the root against real AWS (BACKEND_CONFIG=path/to/backend.hcl)
	@if [ -n "$(BACKEND_CONFIG)" ] && ! grep -qsE '^\s*backend\s+"s3"' *.tf; then printf 'terraform {\n  backend "s3" {}\n}\n' > ci_backend_override.tf; fi
	$(TF) init -input=false $(if $(BACKEND_CONFIG),-backend-config=$(BACKEND_CONFIG) -reconfigure,)
	$(TF) plan -input=false -out=plan.out
	$(TF) show -json plan.out | $(PY) scripts/plan_summary.py --format text

apply: ## terraform apply of the saved plan
	$(TF) apply plan.out

docs: venv ## regenerate the inputs/outputs tables in module READMEs
	$(PY) scripts/tfdocs.py --write

plan-fixtures: ## regenerate the real plan JSON fixtures of scripts/plan_summary.py
	bash tests/fixtures/plans/generate.sh

clean: ## remove build output and local state
	rm -rf build .local .terraform .terraformrc.generated
