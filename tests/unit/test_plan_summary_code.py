"""plan_summary.py names the code that changed, from two real build manifests (scripts/build.py on a
throw-away project, before and after a change), and counts and warns about replacements."""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLANS = ROOT / "tests" / "fixtures" / "plans"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


ps = _load("plan_summary_code", ROOT / "scripts" / "plan_summary.py")
build = _load("build_for_plan_summary", ROOT / "scripts" / "build.py")
sys.path.insert(0, str(Path(__file__).parent))
from test_build import lock_for, make_wheel, write  # noqa: E402


@pytest.fixture(scope="module")
def manifests(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """base/head/rezipped manifests of one project (built once): see the changes in the body."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield _build_manifests(tmp_path_factory.mktemp("manifests"), monkeypatch)


def _build_manifests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "tinypkg", "1.0", {"tinypkg/__init__.py": "V = 1\n"})
    root = tmp_path / "proj"
    write(
        root / "functions" / "alpha" / "handler.py",
        "from svc import run\n\ndef lambda_handler(e, c):\n    return run()\n",
    )
    write(root / "functions" / "alpha" / "svc.py", "def run():\n    return 1\n")
    write(root / "functions" / "alpha" / "old.py", "X = 1\n")
    write(root / "functions" / "beta" / "handler.py", "def lambda_handler(e, c):\n    return 2\n")
    write(root / "functions" / "beta" / "layers.txt", "tiny\n")
    write(root / "functions" / "gamma" / "handler.py", "def lambda_handler(e, c):\n    return 3\n")
    write(root / "layers" / "tiny" / "requirements.txt", lock_for(wheels, "tinypkg"))

    def run(out: str) -> Path:
        args = ["--root", str(root), "--out", out, "--layer-cache", "off", "--quiet", "--installer", "pip"]
        assert build.main([*args, "--pip-extra-args", f"--no-index --find-links {wheels}"]) == 0
        return root / out / "manifest.json"

    base = run("base")
    # the change under review: alpha's svc.py edited, old.py removed, new.py added; tinypkg 1.0 -> 1.1
    write(root / "functions" / "alpha" / "svc.py", "def run():\n    return 'changed'\n")
    (root / "functions" / "alpha" / "old.py").unlink()
    write(root / "functions" / "alpha" / "new.py", "Y = 2\n")
    (wheels / "tinypkg-1.0-py3-none-any.whl").unlink()
    make_wheel(wheels, "tinypkg", "1.1", {"tinypkg/__init__.py": "V = 2\n"})
    write(root / "layers" / "tiny" / "requirements.txt", lock_for(wheels, "tinypkg"))
    head = run("head")
    # a builder change alone: same files, other zip bytes
    monkeypatch.setattr(build, "ZIP_DATE_TIME", (1981, 1, 1, 0, 0, 0))
    monkeypatch.setattr(build, "BUILDER_VERSION", "test-rezip")
    rezipped = run("rezipped")
    return {"base": base, "head": head, "rezipped": rezipped}


def summary(base: Path | None, head: Path | None, plan: str = "empty", fmt: str = "text") -> str:
    text = (PLANS / f"{plan}.json").read_text()
    return str(ps.summarize(text, fmt, 0, None, 0, str(base) if base else None, str(head) if head else None))


def test_files_per_function_and_layer_changes(manifests: dict[str, Path]) -> None:
    diffs = {
        d.name: d
        for d in ps.diff_manifests(
            json.loads(manifests["base"].read_text()), json.loads(manifests["head"].read_text())
        )
    }
    assert sorted(diffs) == ["alpha", "beta", "tiny"]  # gamma did not change
    alpha = diffs["alpha"]
    assert (alpha.added, alpha.removed, alpha.modified) == (["new.py"], ["old.py"], ["svc.py"])  # .pyc follow
    assert alpha.layers_changed == [] and not alpha.builder_only
    tiny = diffs["tiny"]
    assert tiny.dists == ["tinypkg 1.0 -> 1.1"]
    assert "python/tinypkg/__init__.py" in tiny.modified
    beta = diffs["beta"]
    assert (beta.status, beta.layers_changed) == ("layers", ["tiny"])

    text = summary(manifests["base"], manifests["head"])
    assert "Code changes (3)" in text
    assert "added (1): new.py" in text and "removed (1): old.py" in text and "modified (1): svc.py" in text
    assert "distributions: tinypkg 1.0 -> 1.1" in text
    assert "function beta" in text and "layer changed: tiny" in text
    markdown = summary(manifests["base"], manifests["head"], fmt="markdown")
    assert (
        "| `function alpha` | added (1): `new.py`<br>removed (1): `old.py`<br>modified (1): `svc.py`"
        in markdown
    )


def test_hash_change_without_file_change_is_a_builder_change(manifests: dict[str, Path]) -> None:
    diffs = ps.diff_manifests(
        json.loads(manifests["head"].read_text()), json.loads(manifests["rezipped"].read_text())
    )
    assert diffs and all(d.builder_only for d in diffs if d.status == "changed")
    assert "builder change: zip bytes differ, no file changed" in summary(
        manifests["head"], manifests["rezipped"]
    )


def test_same_manifest_means_no_code_change(manifests: dict[str, Path]) -> None:
    assert "No function or layer zip changed." in summary(manifests["head"], manifests["head"])


def test_missing_base_manifest_is_a_note_not_an_error(manifests: dict[str, Path], tmp_path: Path) -> None:
    text = summary(tmp_path / "nope.json", manifests["head"])
    assert "not available; files not compared" in text


def _replaced_lambda_plan() -> str:
    plan = json.loads((PLANS / "root-create-all.json").read_text())
    changes: list[dict[str, Any]] = []
    for rc in plan["resource_changes"]:
        if rc["type"] in ("aws_lambda_function", "aws_lambda_alias") and not changes:
            replaced = copy.deepcopy(rc)
            after: dict[str, Any] = replaced["change"]["after"] or {}
            replaced["change"].update(actions=["delete", "create"], before=after, before_sensitive={})
            replaced["action_reason"] = "replace_because_cannot_update"
            changes.append(replaced)
    plan["resource_changes"] = changes
    plan.pop("resource_drift", None)
    return json.dumps(plan)


def test_replacements_on_their_own_line_and_lambda_replacement_warns() -> None:
    text = ps.summarize(_replaced_lambda_plan(), "text", 0, None, 0)
    assert "0 to add, 0 to change, 1 to replace, 0 to destroy" in text
    line = next(ln for ln in text.splitlines() if ln.startswith("Replacements:"))
    assert line.startswith("Replacements: 1 (1 aws_lambda_")
    assert "is replaced: " in text and "event source mappings are recreated" in text
