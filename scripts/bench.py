#!/usr/bin/env python3
"""Benchmarks (`make bench`): prints numbers, asserts nothing about speed.

(a) thumbnail: scripts/bench_thumbnail.py's run() (one decode for every size vs one decode per size)
(b) build: cold full build (layer cache bypassed, pip's wheel cache allowed), a fresh output dir
    with the layer cache warm, and a no-op rebuild, each as a separate `scripts/build.py` process
(c) cold-start proxy: import time of each handler module (its init: module-level clients included)
    in a fresh `python3.12 -X importtime -S` process whose path mirrors Lambda's (/var/task = unzipped
    function, /opt/python = its layers, then the runtime's AWS SDK), with dummy values for every
    variable in docs/CONTRACTS.md and no bytecode written (Lambda's /var/task and /opt are read-only).
    Each function is measured as zipped (with the build's .pyc), as sources only (the .pyc removed) and
    with the Powertools Tracer disabled (POWERTOOLS_TRACE_DISABLED: no aws_xray_sdk import, no botocore
    patching), against a baseline in the same run: a bare handler that imports boto3 and creates one client.
    Median of 3 runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3
# What the Lambda Python runtime ships (/var/runtime); layers do not bundle it (docs/CONTRACTS.md).
RUNTIME_SDK = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3")
KNOWN_ENV = {
    "POWERTOOLS_METRICS_NAMESPACE": "imgpipe",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "STATE_MACHINE_ARN": "arn:aws:states:us-east-1:000000000000:stateMachine:imgpipe-dev-image-pipeline",
    "ALERTS_TOPIC_ARN": "arn:aws:sns:us-east-1:000000000000:imgpipe-dev-alerts",
    "MAX_IMAGE_BYTES": "26214400",
    "MAX_IMAGE_PIXELS": "40000000",
    "IMAGE_SUFFIXES": ".jpg,.jpeg,.png,.gif,.webp",
    "THUMBNAIL_SIZES": "200x200,400x400,800x800",
    "UPLOAD_URL_EXPIRES": "900",
    "ORDERS_DATE_INDEX": "byOrderDate",
    "EVENT_SOURCE": "imgpipe.orders",
    "EVENT_BUS_NAME": "imgpipe-dev-orders",
}


def load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def table(rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(cells[0]))]
    for r in cells:
        pairs = enumerate(zip(r, widths, strict=True))
        print(
            "  "
            + "  ".join(c.ljust(w) if i in (0, len(r) - 1) else c.rjust(w) for i, (c, w) in pairs).rstrip()
        )


def section(title: str) -> None:
    print(f"\n== {title}")


# ---------------------------------------------------------------------------------------------
# (a) thumbnail


def bench_thumbnail(root: Path) -> bool:
    section("thumbnail: one decode for every size vs one decode per size (seed 000 baseline)")
    path = root / "scripts" / "bench_thumbnail.py"
    if not path.is_file():
        print(f"  {path.relative_to(root)} is missing: no thumbnail numbers")
        return True
    try:
        result: dict[str, Any] = load_module(path, "bench_thumbnail").run()
    except Exception:  # report and carry on with the other sections
        print("  bench_thumbnail.run() failed:")
        print("    " + traceback.format_exc().strip().replace("\n", "\n    "))
        return False
    table([("metric", "value"), *((k, _fmt(v)) for k, v in _flatten(result))])
    return True


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            rows += _flatten(value, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


def _fmt(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_fmt(v) for v in value)
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


# ---------------------------------------------------------------------------------------------
# (b) build


def run_build(
    root: Path, out: Path, arch: str, *extra: str
) -> tuple[float, subprocess.CompletedProcess[str]]:
    cmd = [
        sys.executable,
        str(root / "scripts" / "build.py"),
        "--root",
        str(root),
        "--out",
        str(out),
        "--arch",
        arch,
        "--python",
        "3.12",
        *extra,
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, proc


def bench_build(root: Path, out: Path, arch: str) -> bool:
    section(f"build ({arch}, python3.12; wall time of a scripts/build.py process)")
    rows: list[tuple[str, str]] = [("run", "seconds")]
    cold_out, warm_out = out / "cold", out / "warm"
    steps = [
        # --force: ignores the manifest and does not read the layer cache (it refreshes it)
        ("cold full build (no layer cache, pip wheel cache on)", cold_out, ("--force",)),
        ("fresh output dir, layer cache warm", warm_out, ()),
        ("no-op rebuild", warm_out, ()),
    ]
    outputs = []
    for label, target, extra in steps:
        seconds, proc = run_build(root, target, arch, *extra)
        if proc.returncode != 0:
            table(rows)
            print(f"  {label}: build failed: {proc.stderr.strip()}")
            return False
        rows.append((label, f"{seconds:.2f}"))
        outputs.append(proc.stdout)
    table(rows)
    print("  cold build:")
    for line in outputs[0].splitlines():
        print("    " + line)
    return True


# ---------------------------------------------------------------------------------------------
# (c) import time


def contract_env(root: Path) -> dict[str, str]:
    """A plausible value for every environment variable docs/CONTRACTS.md names."""
    env = dict(KNOWN_ENV)
    text = (root / "docs" / "CONTRACTS.md").read_text() if (root / "docs" / "CONTRACTS.md").is_file() else ""
    m = re.search(r"^## Environment variables.*?(?=^## )", text, flags=re.M | re.S)
    for name in re.findall(r"`([A-Z][A-Z0-9_]{2,})`", m.group(0) if m else ""):
        if name in env:
            continue
        if name.endswith("_ARN"):
            env[name] = f"arn:aws:sns:us-east-1:000000000000:imgpipe-dev-{name.lower()}"
        elif name.endswith(("_TABLE", "_BUCKET", "_NAME", "_INDEX")):
            env[name] = f"imgpipe-dev-{name.lower().rsplit('_', 1)[0].replace('_', '-')}"
        elif name.endswith(("_BYTES", "_PIXELS", "_EXPIRES", "_SECONDS")):
            env[name] = "1000"
        elif name.endswith("_PARALLEL"):
            env[name] = "8"
        else:
            env[name] = "x"
    return env


def sdk_dir(dest: Path) -> Path | None:
    """Symlinks to this interpreter's AWS SDK: stands in for the runtime's /var/runtime."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_SDK:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            return None
        src = Path(spec.origin)
        src = src.parent if src.name == "__init__.py" else src
        (dest / src.name).symlink_to(src)
    return dest


def find_python312(root: Path) -> str | None:
    proc = subprocess.run(
        ["bash", str(root / "scripts" / "find_python.sh"), "3.12"],
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout.strip() if proc.returncode == 0 else None


def import_ms(
    python: str, paths: list[Path], env: dict[str, str], module: str
) -> tuple[float, float, dict[str, float]]:
    """Cumulative import ms of `module` (-X importtime), process wall ms, self ms per top-level package."""
    full_env = {**env, "PYTHONPATH": os.pathsep.join(map(str, paths)), "PATH": os.environ.get("PATH", "")}
    start = time.perf_counter()
    proc = subprocess.run(
        [python, "-S", "-X", "importtime", "-c", f"import {module}"],
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = (time.perf_counter() - start) * 1000
    if proc.returncode != 0:
        last = [ln for ln in proc.stderr.splitlines() if not ln.startswith("import time:")][-1:]
        raise RuntimeError(last[0] if last else f"exit {proc.returncode}")
    by_package: dict[str, float] = {}  # self time summed per top-level package
    total = None
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)$", line)
        if not m:
            continue
        top = m.group(4).split(".")[0]
        by_package[top] = by_package.get(top, 0.0) + int(m.group(1)) / 1000
        if m.group(4) == module and len(m.group(3)) <= 1:
            total = int(m.group(2)) / 1000
    if total is not None:
        return total, wall, by_package
    raise RuntimeError(f"{module} not in -X importtime output")


BASELINE_HANDLER = """import boto3

s3 = boto3.client("s3")


def lambda_handler(event, context):
    return None
"""


def _extract(zip_path: Path, dest: Path, with_bytecode: bool) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        names = [n for n in zf.namelist() if with_bytecode or not n.endswith(".pyc")]
        zf.extractall(dest, members=names)
    return dest


def bench_imports(root: Path, out: Path, work: Path) -> bool:
    section("cold-start proxy: handler init (import) time, python3.12 -X importtime, median of 3")
    python = find_python312(root)
    if python is None:
        print("  no Python 3.12 interpreter found (scripts/find_python.sh 3.12)")
        return False
    sdk = sdk_dir(work / "sdk")
    if sdk is None:
        print("  boto3 is not importable by the bench interpreter (run with .venv/bin/python)")
        return False
    build = load_module(root / "scripts" / "build.py", "build_script")
    functions, _ = build.discover(root)
    manifest = build.load_manifest(out / "manifest.json")
    layer_dirs: dict[tuple[str, bool], Path] = {}
    for name, entry in manifest.get("layers", {}).items():
        for pyc in (True, False):
            layer_dirs[(name, pyc)] = _extract(out / entry["path"], work / f"layers-{pyc}" / name, pyc)
    base_env = contract_env(root)
    ok = True
    rows: list[tuple[str, ...]] = [
        (
            "function",
            "layers",
            "init ms (.pyc)",
            "x baseline",
            "init ms (sources)",
            "init ms (tracer off)",
            "process ms",
            "heaviest packages (self ms)",
        )
    ]
    baseline_task = work / "baseline"
    baseline_task.mkdir(parents=True)
    (baseline_task / "handler.py").write_text(BASELINE_HANDLER)
    targets: list[tuple[str, tuple[str, ...], Path | None]] = [("(baseline: boto3 + 1 client)", (), None)]
    targets += [
        (fn.name, tuple(fn.layers), out / manifest["functions"][fn.name]["path"])
        for fn in functions
        if fn.name in manifest.get("functions", {})
    ]
    baseline_ms: float | None = None
    for name, layers, zip_path in targets:
        env = {
            **base_env,
            "POWERTOOLS_SERVICE_NAME": name,
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_LAMBDA_FUNCTION_NAME": f"imgpipe-dev-{name.replace('_', '-')}",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
            # with LAMBDA_TASK_ROOT set the Powertools Tracer is active and patches botocore at import,
            # as on Lambda with X-Ray tracing on (no daemon is needed until a segment is sent)
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        medians: dict[str, float] = {}
        try:
            for variant in ("pyc", "sources", "tracer off"):
                pyc = variant != "sources"
                env["POWERTOOLS_TRACE_DISABLED"] = "true" if variant == "tracer off" else "false"
                if zip_path is None:
                    task = baseline_task
                else:
                    task = _extract(zip_path, work / f"functions-{pyc}" / name, pyc)
                env["LAMBDA_TASK_ROOT"] = str(task)
                # Lambda: /var/task, then layers (/opt/python, later layers win), then /var/runtime
                paths = [
                    task,
                    *(layer_dirs[(x, pyc)] / "python" for x in reversed(layers) if (x, pyc) in layer_dirs),
                ]
                samples = [import_ms(python, [*paths, sdk], env, "handler") for _ in range(RUNS)]
                medians[variant] = statistics.median(s[0] for s in samples)
                if variant == "pyc":
                    best = min(samples, key=lambda s: s[0])  # least disturbed by other load
                    wall = statistics.median(s[1] for s in samples)
        except RuntimeError as exc:
            rows.append((name, ",".join(layers), f"failed: {exc}", "-", "-", "-", "-", ""))
            ok = False
            continue
        if baseline_ms is None:
            baseline_ms = medians["pyc"]
        heavy = sorted(best[2].items(), key=lambda kv: -kv[1])[:3]
        rows.append(
            (
                name,
                ",".join(layers) or "-",
                f"{medians['pyc']:.1f}",
                f"{medians['pyc'] / baseline_ms:.2f}",
                f"{medians['sources']:.1f}",
                f"{medians['tracer off']:.1f}",
                f"{wall:.1f}",
                ", ".join(f"{k} {v:.0f}" for k, v in heavy),
            )
        )
    table(rows)
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    parser.add_argument(
        "--skip", default="", help="comma-separated sections to skip: thumbnail,build,imports"
    )
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    sys.path.insert(0, str(root / "scripts"))
    build = load_module(root / "scripts" / "build.py", "build_script")
    arch = build.host_arch() or "x86_64"
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        if "thumbnail" not in skip:
            ok &= bench_thumbnail(root)
        built = False
        if "build" not in skip:
            built = bench_build(root, work / "out", arch)
            ok &= built
        if "imports" not in skip:
            out = work / "out" / "cold"
            if not built:
                _, proc = run_build(root, out, arch, "--quiet")
                if proc.returncode != 0:
                    section("cold-start proxy")
                    print(f"  skipped: build failed: {proc.stderr.strip()}")
                    return 1
            ok &= bench_imports(root, out, work)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
