"""Keeps `make bench` runnable: its variants render real thumbnails, and the contract
environment it gives the import-time section satisfies every function's config."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

from tests.conftest import ROOT, load_function_module

CONFIG_MODULES = {
    "ingest": ("ingest_config", "IngestConfig"),
    "validate_input": ("validate_input_config", "ValidateInputConfig"),
    "thumbnail": ("thumbnail_config", "ThumbnailConfig"),
    "notify": ("notify_config", "NotifyConfig"),
    "order_stream": ("stream_config", "StreamConfig"),
    "high_value_order": ("high_value_config", "HighValueConfig"),
    "daily_report": ("report_config", "ReportConfig"),
    "orders_api": ("orders_api_config", "OrdersApiConfig"),
}


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}_under_test", ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("variant", ["one_decode", "seed_per_size", "full_decode_per_size"])
def test_thumbnail_variants_render_every_size(variant: str) -> None:
    bench = load_script("bench_thumbnail")
    outputs = bench._variant(variant)(bench.make_jpeg(1200, 900))
    assert len(outputs) == len(bench.SIZES)
    for body, (box_w, box_h) in zip(outputs, bench.SIZES, strict=True):
        with Image.open(io.BytesIO(body)) as thumb:
            assert thumb.format == "JPEG"
            assert thumb.width <= box_w and thumb.height <= box_h
            assert max(thumb.width / box_w, thumb.height / box_h) > 0.99  # fills the box on one side


@pytest.mark.parametrize("function", sorted(CONFIG_MODULES))
def test_contract_env_satisfies_every_function_config(function: str, monkeypatch: pytest.MonkeyPatch) -> None:
    env = load_script("bench").contract_env(ROOT)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    module, cls = CONFIG_MODULES[function]
    config_class = getattr(load_function_module(function, module), cls)
    assert config_class.from_env() is not None


def test_config_modules_cover_every_function() -> None:
    assert set(CONFIG_MODULES) == {p.parent.name for p in (ROOT / "functions").glob("*/handler.py")}
    for function, (module, _) in CONFIG_MODULES.items():
        assert Path(ROOT / "functions" / function / f"{module}.py").is_file()
