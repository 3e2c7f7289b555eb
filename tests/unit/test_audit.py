"""scripts/audit.py: pip-audit's PyPI service over the layer locks, allow list, latest-release fallback.

PyPI is replaced by a transport adapter serving canned JSON in PyPI's format, so pip-audit's own
parsing runs and nothing touches the network.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_script", ROOT / "scripts" / "audit.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_script"] = module
    spec.loader.exec_module(module)
    return module


audit = _load()

VULN = {
    "id": "PYSEC-2099-1",
    "aliases": ["CVE-2099-0001"],
    "summary": "heap overflow in the decoder",
    "fixed_in": ["2.0.1"],
    "withdrawn": None,
}


def fake_pypi(release: dict[str, dict[str, Any] | None], latest: dict[str, str]) -> Any:
    """Answers /pypi/<n>/<v>/json from ``release`` (absent: 404) and /pypi/<n>/json from ``latest``."""

    class FakePyPI(audit.LatestReleaseFallback):  # type: ignore[name-defined]
        seen: list[str] = []

        def fetch(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
            url = request.url or ""
            self.seen.append(url)
            parts = url.removeprefix("https://pypi.org/pypi/").split("/")
            body: dict[str, Any] | None
            if len(parts) == 3:
                body = release.get(f"{parts[0]}=={parts[1]}")
            else:
                name = parts[0]
                body = {"info": {"version": latest[name]}, "vulnerabilities": latest_vulns.get(name, [])}
            response = requests.Response()
            response.url, response.request = url, request
            response.status_code = 404 if body is None else 200
            response._content = b"" if body is None else json.dumps(body).encode()
            return response

    latest_vulns: dict[str, list[dict[str, Any]]] = {}
    FakePyPI.latest_vulns = latest_vulns
    return FakePyPI()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    lock = tmp_path / "layers" / "img" / "requirements.txt"
    lock.parent.mkdir(parents=True)
    lock.write_text(
        "# locked\nimglib==2.0.0 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via -r in\nsafe-lib==1.0 \\\n"
        "    --hash=sha256:" + "b" * 64 + "\n"
    )
    return tmp_path


def run(project: Path, adapter: Any, allow: str = "", *args: str) -> tuple[int, str]:
    (project / "allow.toml").write_text(allow)
    argv = ["--root", str(project), "--allow", str(project / "allow.toml"), "--no-environment", *args]
    return audit.main(argv, adapter), ""


VULNERABLE: dict[str, dict[str, Any] | None] = {
    "imglib==2.0.0": {"vulnerabilities": [VULN]},
    "safe-lib==1.0": {"vulnerabilities": []},
}


def test_finding_fails_and_names_the_advisory(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _ = run(project, fake_pypi(VULNERABLE, {}))
    out = capsys.readouterr().out
    assert rc == 1
    assert "layers/img/requirements.txt: 2 packages, 2 audited, 0 unaudited, 1 findings" in out
    assert "imglib==2.0.0 PYSEC-2099-1 (fixed in 2.0.1): NOT ALLOWED" in out


def test_allow_entry_with_reason_and_future_expiry_passes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    future = dt.date.today() + dt.timedelta(days=30)
    allow = (
        f'[[allow]]\nid = "CVE-2099-0001"\npackage = "ImgLib"\nreason = "encoder only"\nexpires = {future}\n'
    )
    rc, _ = run(project, fake_pypi(VULNERABLE, {}), allow)
    out = capsys.readouterr().out
    assert rc == 0, out
    assert f"allowed until {future}: encoder only" in out and "audit: ok" in out


def test_expired_allow_entry_fails_again(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    past = dt.date.today() - dt.timedelta(days=1)
    allow = f'[[allow]]\nid = "PYSEC-2099-1"\nreason = "was fine"\nexpires = {past}\n'
    rc, _ = run(project, fake_pypi(VULNERABLE, {}), allow)
    out = capsys.readouterr().out
    assert rc == 1
    assert f"allow entry PYSEC-2099-1 expired on {past}" in out and "NOT ALLOWED" in out


@pytest.mark.parametrize(
    "entry",
    [
        'id = "X"\nexpires = 2099-01-01\n',
        'id = "X"\nreason = "r"\n',
        'id = "X"\nreason = "r"\nexpires = "soon"\n',
    ],
)
def test_allow_entry_without_reason_or_date_is_an_error(project: Path, entry: str) -> None:
    with pytest.raises(SystemExit, match="allow\\[0\\]"):
        run(project, fake_pypi(VULNERABLE, {}), "[[allow]]\n" + entry)


def test_release_json_missing_falls_back_to_the_latest_release(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # this proxy serves no per-release JSON: imglib is pinned at its latest release, safe-lib is not
    adapter = fake_pypi({}, {"imglib": "2.0.0", "safe-lib": "1.2"})
    adapter.latest_vulns["imglib"] = [VULN]
    rc, _ = run(project, adapter)
    out = capsys.readouterr().out
    assert rc == 1
    assert "2 packages, 1 audited, 1 unaudited, 1 findings" in out
    assert "imglib==2.0.0 PYSEC-2099-1" in out
    assert "unaudited (PyPI served no advisories for these releases): safe-lib==1.0" in out
    assert "https://pypi.org/pypi/imglib/json" in adapter.seen


def test_strict_fails_on_unaudited(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc, _ = run(project, fake_pypi({}, {"imglib": "2.0.0", "safe-lib": "1.2"}), "", "--strict")
    assert rc == 1
    assert "--strict" in capsys.readouterr().out


def test_pypi_unreachable_is_an_error_not_a_pass(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    class Down(audit.LatestReleaseFallback):  # type: ignore[name-defined]
        def fetch(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
            raise requests.ConnectTimeout("no route")

    rc, _ = run(project, Down())
    assert rc == 2
    assert "could not query PyPI" in capsys.readouterr().err


def test_real_locks_are_parsed() -> None:
    pins = audit.sources(ROOT, with_environment=False)
    assert pins["layers/pillow/requirements.txt"]["pillow"].startswith("13.")
    assert "pillow-heif" in pins["layers/pillow/requirements.txt"]
    assert "aws-lambda-powertools" in pins["layers/powertools/requirements.txt"]
    assert "botocore" not in pins["layers/powertools/requirements.txt"]  # the runtime's, not the layer's
