"""Every lock scripts/venv.sh and scripts/build.py install is hashed and in step with its input.

`make lock` writes requirements-{dev,checkov,localstack}.txt and layers/*/requirements.txt from their
`.in` files; a pin added to an input without re-locking, or a line added to a lock by hand, fails here
(offline) instead of at the next venv creation.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCKS = sorted([*ROOT.glob("requirements-*.txt"), *ROOT.glob("layers/*/requirements.txt")])
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _build() -> object:
    spec = importlib.util.spec_from_file_location("build_for_locks", ROOT / "scripts" / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        m = PIN.match(line.strip())
        if m:
            found[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    return found


def test_every_tooling_input_has_its_lock() -> None:
    inputs = sorted(p.name for p in ROOT.glob("requirements-*.in"))
    assert inputs == ["requirements-checkov.in", "requirements-dev.in", "requirements-localstack.in"]
    for name in inputs:
        assert (ROOT / name.replace(".in", ".txt")).is_file()


@pytest.mark.parametrize("lock", LOCKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_lock_is_hashed_and_pins_what_its_input_pins(lock: Path) -> None:
    assert _build().unhashed_requirements(lock) == []  # type: ignore[attr-defined]
    source = lock.with_suffix(".in")
    locked = pins(lock)
    wanted = pins(source)
    assert wanted, f"{source.relative_to(ROOT)} pins nothing"
    stale = {
        name: (version, locked.get(name)) for name, version in wanted.items() if locked.get(name) != version
    }
    assert not stale, f"{lock.relative_to(ROOT)} is out of date with its input (run make lock): {stale}"
