"""Shared test helpers: load a function's handler module in isolation, and a Lambda context."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
EVENTS_DIR = Path(__file__).resolve().parent / "events"
# The `shared` layer (layers/shared/python = /opt/python in Lambda) is importable by every function.
# load_function_module's purge only removes function folders, so this entry stays for the whole run.
SHARED_LAYER_DIR = ROOT / "layers" / "shared" / "python"
if str(SHARED_LAYER_DIR) not in sys.path:
    sys.path.insert(0, str(SHARED_LAYER_DIR))


def load_function_module(function: str, module: str = "handler") -> ModuleType:
    """Import functions/<function>/<module>.py fresh, with that function's folder first on sys.path.

    Modules that belong to other function folders are purged first so that two functions'
    same-named modules never shadow each other inside one pytest run.
    """
    folder = FUNCTIONS_DIR / function
    for name, mod in list(sys.modules.items()):
        origin = getattr(mod, "__file__", None) or ""
        if origin.startswith(str(FUNCTIONS_DIR)):
            del sys.modules[name]
    sys.path[:] = [p for p in sys.path if not p.startswith(str(FUNCTIONS_DIR))]
    sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(module, folder / f"{module}.py")
    assert spec and spec.loader, f"no module {module} in {folder}"
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[module] = loaded
    spec.loader.exec_module(loaded)
    return loaded


@dataclass
class FakeLambdaContext:
    function_name: str = "test-function"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "2026/11/22/[$LATEST]0123456789abcdef"
    remaining_ms: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


@pytest.fixture
def load_event() -> Callable[[str], dict]:
    import json

    def _load(name: str) -> dict:
        return json.loads((EVENTS_DIR / name).read_text())

    return _load


# Hypothesis profiles for the property-based tests (tests/unit/functions/test_properties.py):
# "fast" (default, deterministic: `make unit`) and "fuzz" (`make fuzz`: many more random cases).
def _register_hypothesis_profiles() -> None:
    import os

    from hypothesis import HealthCheck, settings

    relaxed = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
    settings.register_profile(
        "fast", max_examples=30, deadline=None, derandomize=True, suppress_health_check=relaxed, database=None
    )
    settings.register_profile(
        "fuzz",
        max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1500")),
        deadline=None,
        suppress_health_check=relaxed,
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "fast"))


_register_hypothesis_profiles()
