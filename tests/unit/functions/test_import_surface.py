"""What a handler's init loads, checked in a fresh interpreter per function with the Tracer active (as on
Lambda with X-Ray on): the cold-start trims stay in place.

- The Tracer patches botocore only (pipeline_shared.clients.TRACED_MODULES), not every module X-Ray
  supports: botocore's API call is wrapped, no other X-Ray patch module is imported, nor sqlite3.
- What only some paths use is imported on first use: Powertools idempotency (orders_api POST /orders).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest
from conftest import FUNCTIONS_DIR, ROOT, SHARED_LAYER_DIR

FUNCTIONS = sorted(p.parent.name for p in FUNCTIONS_DIR.glob("*/handler.py"))

PROBE = """
import json, sys
import botocore.client
import handler
print(json.dumps({
    "modules": sorted(sys.modules),
    "botocore_traced": hasattr(botocore.client.BaseClient._make_api_call, "__wrapped__"),
}))
"""

# Imported by no handler at init (module -> why).
NEVER_AT_INIT = {
    "sqlite3": "X-Ray's sqlite3 patch imports it: the Tracer patches botocore only",
    "aws_lambda_powertools.utilities.idempotency": "only POST /orders (orders_api) uses it, imported then",
}


def contract_env() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("bench_for_import_surface", ROOT / "scripts" / "bench.py")
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)
    env: dict[str, str] = bench.contract_env(ROOT)
    return env


@pytest.fixture(scope="module")
def init_report() -> dict[str, dict[str, object]]:
    base = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))},
        **contract_env(),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_TRACE_DISABLED": "false",
    }
    procs = {}
    for name in FUNCTIONS:
        env = {
            **base,
            "AWS_LAMBDA_FUNCTION_NAME": name,
            "POWERTOOLS_SERVICE_NAME": name,
            # set on Lambda: the Powertools Tracer is active (it is disabled outside Lambda)
            "LAMBDA_TASK_ROOT": str(FUNCTIONS_DIR / name),
            "PYTHONPATH": os.pathsep.join([str(FUNCTIONS_DIR / name), str(SHARED_LAYER_DIR)]),
        }
        procs[name] = subprocess.Popen(
            [sys.executable, "-c", PROBE], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    report = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"{name}: importing the handler failed:\n{err}"
        report[name] = json.loads(out.splitlines()[-1])
    return report


@pytest.mark.parametrize("function", FUNCTIONS)
def test_tracer_patches_botocore_only(function: str, init_report: dict[str, dict[str, object]]) -> None:
    assert init_report[function]["botocore_traced"] is True
    modules = init_report[function]["modules"]
    assert isinstance(modules, list)
    patches = {m for m in modules if m.startswith("aws_xray_sdk.ext.") and m.endswith(".patch")}
    assert patches == {"aws_xray_sdk.ext.botocore.patch"}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_init_does_not_load_what_only_some_paths_use(
    function: str, init_report: dict[str, dict[str, object]]
) -> None:
    modules = init_report[function]["modules"]
    assert isinstance(modules, list)
    loaded = {m: why for m, why in NEVER_AT_INIT.items() if m in modules}
    assert not loaded, f"{function} imports at init: {loaded}"
