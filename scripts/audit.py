#!/usr/bin/env python3
"""Vulnerability audit of every layer lock and the dev environment (pip-audit, PyPI's advisory feed).

    python scripts/audit.py [--allow audit-allow.toml] [--strict] [--jobs 8]

Sources: each ``layers/*/requirements.txt`` lock (name==version lines) and the packages installed in
the running interpreter's environment (run it with the project venv). Every pinned release is asked
of PyPI through pip-audit's PyPI service. A finding fails the audit unless ``audit-allow.toml`` has an
entry for its advisory id (or an alias) with a reason and an expiry date that has not passed.

Where PyPI's per-release JSON is not served (some mirrors and proxies answer 404 for
``/pypi/<name>/<version>/json``), the project JSON is used instead, which carries the advisories of
the latest release only: a pin of the latest release is audited from it, an older pin is reported as
"unaudited" (a failure with --strict). PyPI being unreachable is an error, never a pass.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import importlib.metadata
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from packaging.utils import canonicalize_name
from packaging.version import Version
from pip_audit._service.interface import ResolvedDependency, SkippedDependency, VulnerabilityResult
from pip_audit._service.pypi import PyPIService
from requests.adapters import HTTPAdapter

ROOT = Path(__file__).resolve().parent.parent
RELEASE_JSON = re.compile(r"^https://pypi\.org/pypi/(?P<name>[^/]+)/(?P<version>[^/]+)/json$")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


class LatestReleaseFallback(HTTPAdapter):
    """Serves ``/pypi/<name>/<version>/json`` from the project JSON when the release JSON is a 404
    and ``<version>`` is the latest release (whose advisories the project JSON carries)."""

    def fetch(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        return super().send(request, *args, **kwargs)

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        response = self.fetch(request, *args, **kwargs)
        match = RELEASE_JSON.match(request.url or "")
        if response.status_code != 404 or match is None:
            return response
        project = request.copy()
        project.prepare_url(f"https://pypi.org/pypi/{match['name']}/json", None)
        latest = self.fetch(project, *args, **kwargs)
        if latest.status_code == 200:
            try:
                same = Version(latest.json()["info"]["version"]) == Version(match["version"])
            except (ValueError, KeyError, TypeError):
                same = False
            if same:
                return latest
        return response


@dataclass(frozen=True)
class Finding:
    source: str
    package: str
    version: str
    vuln: VulnerabilityResult

    @property
    def ids(self) -> set[str]:
        return {self.vuln.id, *self.vuln.aliases}


@dataclass(frozen=True)
class Allow:
    id: str
    reason: str
    expires: dt.date
    package: str | None = None


def load_allow(path: Path) -> list[Allow]:
    if not path.is_file():
        return []
    data = tomllib.loads(path.read_text())
    allows = []
    for i, entry in enumerate(data.get("allow", [])):
        where = f"{path.name} allow[{i}]"
        if not str(entry.get("id", "")).strip() or not str(entry.get("reason", "")).strip():
            raise SystemExit(f"error: {where}: needs an id and a reason")
        if not isinstance(entry.get("expires"), dt.date):
            raise SystemExit(f"error: {where}: needs an expiry date (expires = 2027-01-31)")
        package = canonicalize_name(entry["package"]) if entry.get("package") else None
        allows.append(Allow(entry["id"], entry["reason"], entry["expires"], package))
    return allows


def allowed_by(finding: Finding, allows: list[Allow], today: dt.date) -> Allow | None:
    for allow in allows:
        if allow.id in finding.ids and allow.package in (None, canonicalize_name(finding.package)):
            if allow.expires >= today:
                return allow
    return None


def lock_pins(lock: Path) -> dict[str, str]:
    pins = {}
    for line in lock.read_text().splitlines():
        m = PIN.match(line.strip())
        if m:
            pins[str(canonicalize_name(m[1]))] = m[2]
    return pins


def environment_pins() -> dict[str, str]:
    return {
        str(canonicalize_name(d.metadata["Name"])): d.version
        for d in importlib.metadata.distributions()
        if d.metadata["Name"]
    }


def sources(root: Path, with_environment: bool = True) -> dict[str, dict[str, str]]:
    found = {
        lock.relative_to(root).as_posix(): lock_pins(lock)
        for lock in sorted(root.glob("layers/*/requirements.txt"))
    }
    if with_environment:
        found["dev environment"] = environment_pins()
    return found


def make_service(timeout: int, adapter: HTTPAdapter | None = None) -> PyPIService:
    service = PyPIService(cache_dir=None, timeout=timeout)
    service.session.mount("https://pypi.org/pypi/", adapter or LatestReleaseFallback(max_retries=3))
    return service


def audit(
    pins_by_source: dict[str, dict[str, str]], service: PyPIService, jobs: int
) -> tuple[list[Finding], dict[str, list[str]]]:
    """(findings, source -> unaudited name==version)."""
    unique = {(name, version) for pins in pins_by_source.values() for name, version in pins.items()}
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        answers = dict(
            zip(
                sorted(unique),
                pool.map(lambda nv: service.query(ResolvedDependency(nv[0], Version(nv[1]))), sorted(unique)),
                strict=True,
            )
        )
    findings: list[Finding] = []
    unaudited: dict[str, list[str]] = {}
    for source, pins in pins_by_source.items():
        for name, version in sorted(pins.items()):
            dep, vulns = answers[(name, version)]
            if isinstance(dep, SkippedDependency):
                unaudited.setdefault(source, []).append(f"{name}=={version}")
            findings += [Finding(source, name, version, v) for v in vulns]
    return findings, unaudited


def main(argv: list[str] | None = None, adapter: HTTPAdapter | None = None) -> int:
    p = argparse.ArgumentParser(description="Audit layer locks and the dev environment (pip-audit, PyPI).")
    p.add_argument("--allow", default=str(ROOT / "audit-allow.toml"))
    p.add_argument("--strict", action="store_true", help="fail when a pinned release could not be audited")
    p.add_argument("--jobs", type=int, default=8)
    p.add_argument("--timeout", type=int, default=20)
    p.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    p.add_argument("--no-environment", action="store_true", help="audit the layer locks only")
    args = p.parse_args(argv)
    today = dt.date.today()
    allows = load_allow(Path(args.allow))
    for expired in (a for a in allows if a.expires < today):
        print(f"note: allow entry {expired.id} expired on {expired.expires}: it no longer applies")
    pins_by_source = sources(Path(args.root), not args.no_environment)
    try:
        findings, unaudited = audit(pins_by_source, make_service(args.timeout, adapter), args.jobs)
    except Exception as exc:  # pip-audit's ConnectionError/ServiceError, requests' errors
        print(f"error: the audit could not query PyPI: {exc}", file=sys.stderr)
        return 2
    failed = 0
    for source, pins in pins_by_source.items():
        mine = [f for f in findings if f.source == source]
        skipped = unaudited.get(source, [])
        print(
            f"{source}: {len(pins)} packages, {len(pins) - len(skipped)} audited, "
            f"{len(skipped)} unaudited, {len(mine)} findings"
        )
        for f in mine:
            allow = allowed_by(f, allows, today)
            fixes = ", ".join(str(v) for v in f.vuln.fix_versions) or "none"
            status = f"allowed until {allow.expires}: {allow.reason}" if allow else "NOT ALLOWED"
            failed += allow is None
            print(f"  {f.package}=={f.version} {f.vuln.id} (fixed in {fixes}): {status}")
        if skipped:
            print(f"  unaudited (PyPI served no advisories for these releases): {', '.join(skipped)}")
    if failed:
        print(f"audit: {failed} finding(s) not allowed (add an entry to {Path(args.allow).name} or upgrade)")
        return 1
    if args.strict and unaudited:
        print("audit: --strict and some pinned releases could not be audited")
        return 1
    print("audit: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
