#!/usr/bin/env python3
"""Benchmarks (`make bench`): prints numbers, asserts nothing about speed.

(a) thumbnail: scripts/bench_thumbnail.py's run() (one decode for every size vs one decode per size)
(b) build: cold full build (layer cache bypassed, pip's wheel cache allowed), a fresh output dir
    with the layer cache warm, and a no-op rebuild (median of 9), each a separate `scripts/build.py` process
(c) pillow: the Pillow layer alone from empty pip/uv caches, this builder with uv and with pip, and the
    builder of every --compare checkout (e.g. the original one), alternated, median of --build-rounds
(d) cold-start proxy: import time of each handler module (its init: module-level clients included)
    in a fresh `python3.12 -X importtime -S` process whose path mirrors Lambda's (/var/task = unzipped
    function, /opt/python = its layers, then the runtime's AWS SDK), with dummy values for every
    variable in docs/CONTRACTS.md, the Powertools Tracer active and no bytecode written (Lambda's
    /var/task and /opt are read-only). Each function is measured as zipped (with the build's .pyc), as
    sources only (the .pyc removed) and, with --compare LABEL=PATH, as that checkout builds it; plus
    probes of the Tracer's own cost. --rounds rounds; in each, every target runs right after a run of
    the baseline (a bare handler that imports boto3 and creates one client), the order rotating per
    round; printed: median and min ms, and x baseline = median of the paired ratios (robust to load
    swings on a shared machine) and fastest / fastest baseline.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 5
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


NOOP_RUNS = 9


def bench_build(root: Path, out: Path, arch: str) -> bool:
    section(f"build ({arch}, python3.12; wall time of a scripts/build.py process)")
    rows: list[tuple[str, str]] = [("run", "seconds")]
    cold_out, warm_out = out / "cold", out / "warm"
    steps = [
        # --force: ignores the manifest and does not read the layer cache (it refreshes it)
        ("cold full build (no layer cache, pip/uv wheel caches on)", cold_out, ("--force",)),
        ("fresh output dir, layer cache warm", warm_out, ()),
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
    noop = [run_build(root, warm_out, arch, "--quiet")[0] for _ in range(NOOP_RUNS)]
    rows.append(
        (f"no-op rebuild (median of {NOOP_RUNS}; min)", f"{statistics.median(noop):.3f}; {min(noop):.3f}")
    )
    table(rows)
    print("  cold build:")
    for line in outputs[0].splitlines():
        print("    " + line)
    return True


def bench_pillow_cold(root: Path, work: Path, arch: str, compare: dict[str, Path], rounds: int) -> bool:
    """The Pillow layer alone, from empty pip and uv caches, no layer cache: this builder with uv and
    with pip, and the builder of every --compare checkout (its own lock and installer), alternated."""
    section(f"cold Pillow layer build (empty pip/uv caches, no layer cache; {arch}; median of {rounds})")
    variants: list[tuple[str, Path, tuple[str, ...]]] = [
        ("this builder, uv", root, ("--installer", "uv")),
        ("this builder, pip", root, ("--installer", "pip")),
    ]
    variants += [(f"{label} builder (its own lock)", path, ()) for label, path in compare.items()]
    seconds: dict[str, list[float]] = {label: [] for label, _, _ in variants}
    sizes: dict[str, str] = {}
    for round_index in range(rounds):
        for label, tree, extra in variants:
            fresh = work / f"pillow-cold-{round_index}-{len(seconds[label])}-{abs(hash(label))}"
            env = dict(os.environ, PIP_CACHE_DIR=str(fresh / "pip"), UV_CACHE_DIR=str(fresh / "uv"))
            cmd = [
                sys.executable, str(tree / "scripts" / "build.py"), "--root", str(tree),
                "--out", str(fresh / "out"), "--arch", arch, "--python", "3.12", "--only", "pillow",
                "--force", "--layer-cache", "off", "--quiet", *extra,
            ]  # fmt: skip
            start = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
            elapsed = time.perf_counter() - start
            if proc.returncode != 0:
                print(f"  {label}: build failed: {proc.stderr.strip()[-300:]}")
                return False
            seconds[label].append(elapsed)
            layer = fresh / "out" / "layers" / "pillow.zip"
            with zipfile.ZipFile(layer) as zf:
                unzipped = sum(i.file_size for i in zf.infolist())
            sizes[label] = f"{layer.stat().st_size / 1e6:.1f} / {unzipped / 1e6:.1f}"
            shutil.rmtree(fresh, ignore_errors=True)
    rows: list[tuple[str, ...]] = [("builder", "seconds (median)", "min", "zip MB / unzipped MB")]
    for label, _, _ in variants:
        rows.append(
            (label, f"{statistics.median(seconds[label]):.2f}", f"{min(seconds[label]):.2f}", sizes[label])
        )
    table(rows)
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
) -> tuple[float, dict[str, float]]:
    """Cumulative import ms of `module` (-X importtime) and self ms per top-level package."""
    full_env = {**env, "PYTHONPATH": os.pathsep.join(map(str, paths)), "PATH": os.environ.get("PATH", "")}
    proc = subprocess.run(
        [python, "-S", "-X", "importtime", "-c", f"import {module}"],
        env=full_env,
        capture_output=True,
        text=True,
        check=False,
    )
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
        return total, by_package
    raise RuntimeError(f"{module} not in -X importtime output")


BASELINE_HANDLER = """import boto3

s3 = boto3.client("s3")


def lambda_handler(event, context):
    return None
"""

# The Powertools Tracer's own cost: the baseline plus Logger and Metrics, then plus a Tracer that
# patches every module X-Ray supports (Powertools' default), then one that patches botocore only.
TRACER_PROBES = {
    "probe: Logger+Metrics": "",
    "probe: + Tracer() (patch all)": "tracer = Tracer()\n",
    "probe: + Tracer(patch botocore)": 'tracer = Tracer(patch_modules=("botocore",))\n',
}
PROBE_HANDLER = """import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer

s3 = boto3.client("s3")
logger = Logger()
metrics = Metrics()
{tracer}

def lambda_handler(event, context):
    return None
"""


@dataclass
class ImportTarget:
    name: str  # function name, or a probe's label
    variant: str  # "baseline" | "probe" | ".pyc" | "sources" | a --compare label
    paths: list[Path]  # sys.path: task root, layers (later layers first), the runtime SDK
    env: dict[str, str]
    samples: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)  # sample / the baseline run just before it
    packages: dict[str, float] = field(default_factory=dict)  # of the fastest sample


def _extract(zip_path: Path, dest: Path, with_bytecode: bool) -> Path:
    if not dest.exists():
        with zipfile.ZipFile(zip_path) as zf:
            names = [n for n in zf.namelist() if with_bytecode or not n.endswith(".pyc")]
            zf.extractall(dest, members=names)
    return dest


def _lambda_env(base: dict[str, str], name: str, task: Path) -> dict[str, str]:
    return {
        **base,
        "POWERTOOLS_SERVICE_NAME": name,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_LAMBDA_FUNCTION_NAME": f"imgpipe-dev-{name.replace('_', '-')}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        # with LAMBDA_TASK_ROOT set the Powertools Tracer is active and patches at import, as on Lambda
        # with X-Ray tracing on (no daemon is needed until a segment is sent)
        "LAMBDA_TASK_ROOT": str(task),
        "POWERTOOLS_TRACE_DISABLED": "false",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def function_targets(
    root: Path, out: Path, work: Path, sdk: Path, env: dict[str, str], variants: Sequence[tuple[str, bool]]
) -> list[ImportTarget]:
    """One target per function of the build in `out` and variant (label, with the zip's .pyc)."""
    build = load_module(root / "scripts" / "build.py", f"build_script_{abs(hash(root))}")
    functions, _ = build.discover(root)
    manifest = build.load_manifest(out / "manifest.json")
    targets = []
    for label, pyc in variants:
        tag = f"{label.strip('.')}-{abs(hash(out))}"
        layer_dirs = {
            name: _extract(out / entry["path"], work / f"layers-{tag}" / name, pyc) / "python"
            for name, entry in manifest.get("layers", {}).items()
        }
        for fn in functions:
            if fn.name not in manifest.get("functions", {}):
                continue
            task = _extract(out / manifest["functions"][fn.name]["path"], work / f"fn-{tag}" / fn.name, pyc)
            # Lambda: /var/task, then layers (/opt/python, later layers win), then /var/runtime
            paths = [task, *(layer_dirs[x] for x in reversed(fn.layers) if x in layer_dirs), sdk]
            targets.append(ImportTarget(fn.name, label, paths, _lambda_env(env, fn.name, task)))
    return targets


def probe_targets(work: Path, out: Path, sdk: Path, env: dict[str, str]) -> list[ImportTarget]:
    build = load_module(ROOT / "scripts" / "build.py", "build_script")
    entry = build.load_manifest(out / "manifest.json").get("layers", {}).get("powertools")
    if entry is None:
        return []
    layer = _extract(out / entry["path"], work / "probe-powertools", True) / "python"
    targets = []
    for index, (label, tracer) in enumerate(TRACER_PROBES.items()):
        task = work / f"probe-{index}"
        task.mkdir(parents=True)
        (task / "handler.py").write_text(PROBE_HANDLER.format(tracer=tracer))
        targets.append(ImportTarget(label, "probe", [task, layer, sdk], _lambda_env(env, "probe", task)))
    return targets


def bench_imports(
    root: Path,
    out: Path,
    work: Path,
    rounds: int,
    compare: dict[str, tuple[Path, Path]],
    only: set[str],
) -> bool:
    section(
        f"cold-start proxy: handler init (import) ms, python3.12 -X importtime, {rounds} rounds, "
        "each run right after a baseline run"
    )
    python = find_python312(root)
    if python is None:
        print("  no Python 3.12 interpreter found (scripts/find_python.sh 3.12)")
        return False
    sdk = sdk_dir(work / "sdk")
    if sdk is None:
        print("  boto3 is not importable by the bench interpreter (run with .venv/bin/python)")
        return False
    env = contract_env(root)
    for other_root, _ in compare.values():
        env = {**contract_env(other_root), **env}
    baseline_task = work / "baseline"
    baseline_task.mkdir(parents=True)
    (baseline_task / "handler.py").write_text(BASELINE_HANDLER)
    baseline = ImportTarget(
        "(baseline: boto3 + 1 client)",
        "baseline",
        [baseline_task, sdk],
        _lambda_env(env, "baseline", baseline_task),
    )
    targets = probe_targets(work, out, sdk, env)
    targets += function_targets(root, out, work, sdk, env, ((".pyc", True), ("sources", False)))
    for label, (other_root, other_out) in compare.items():
        targets += function_targets(other_root, other_out, work, sdk, env, ((label, True),))
    if only:
        targets = [t for t in targets if t.name in only or (t.variant == "probe" and "probe" in only)]
    failed: dict[int, str] = {}
    for round_index in range(rounds):
        # rotate the order each round, so no target always runs at the same point of a load swing
        shift = round_index * len(targets) // max(rounds, 1)
        for index in [*range(shift, len(targets)), *range(shift)]:
            target = targets[index]
            if index in failed:
                continue
            try:
                base_ms, _ = import_ms(python, baseline.paths, baseline.env, "handler")
                ms, packages = import_ms(python, target.paths, target.env, "handler")
            except RuntimeError as exc:
                failed[index] = str(exc)
                continue
            baseline.samples.append(base_ms)
            if not target.samples or ms < min(target.samples):
                target.packages = packages
            target.samples.append(ms)
            target.ratios.append(ms / base_ms)
    rows: list[tuple[str, ...]] = [
        (
            "target",
            "variant",
            "median ms",
            "min ms",
            "x baseline",
            "x baseline (min)",
            "heaviest packages (self ms)",
        )
    ]
    base_min = min(baseline.samples) if baseline.samples else float("nan")
    rows.append(
        (
            baseline.name,
            "-",
            f"{statistics.median(baseline.samples):.1f}",
            f"{base_min:.1f}",
            "1.00",
            "1.00",
            "",
        )
    )
    for index, target in enumerate(targets):
        if index in failed:
            rows.append((target.name, target.variant, f"failed: {failed[index]}", "-", "-", "-", ""))
            continue
        heavy = sorted(target.packages.items(), key=lambda kv: -kv[1])[:3]
        rows.append(
            (
                target.name,
                target.variant,
                f"{statistics.median(target.samples):.1f}",
                f"{min(target.samples):.1f}",
                f"{statistics.median(target.ratios):.2f}",
                f"{min(target.samples) / base_min:.2f}",
                ", ".join(f"{k} {v:.0f}" for k, v in heavy),
            )
        )
    table(rows)
    print(
        "  x baseline = median of (run / the baseline run just before it); x baseline (min) = fastest run /"
        " fastest baseline run"
    )
    summary = _summary(targets, failed, [*compare, "sources"])
    if summary:
        print("\n  per function (.pyc = as shipped):")
        table(summary)
    return not failed


def _summary(
    targets: list[ImportTarget], failed: dict[int, str], references: list[str]
) -> list[tuple[str, ...]]:
    """Per function: each reference variant's median ms and x baseline, then the shipped .pyc's, and the
    change of the .pyc median against each reference."""
    by_key = {(t.name, t.variant): t for i, t in enumerate(targets) if i not in failed}
    names = sorted({t.name for t in targets if t.variant == ".pyc"})
    header: list[str] = ["function"]
    for ref in [*references, ".pyc"]:
        header += [f"{ref} ms", f"{ref} x"]
    header += [f".pyc vs {ref}" for ref in references]
    rows: list[tuple[str, ...]] = [tuple(header)]
    for name in names:
        now = by_key.get((name, ".pyc"))
        if now is None:
            continue
        row = [name]
        for ref in [*references, ".pyc"]:
            target = by_key.get((name, ref))
            row += (
                [f"{statistics.median(target.samples):.1f}", f"{statistics.median(target.ratios):.2f}"]
                if target
                else ["-", "-"]
            )
        for ref in references:
            target = by_key.get((name, ref))
            change = (
                statistics.median(now.samples) / statistics.median(target.samples) - 1 if target else None
            )
            row.append(f"{change * 100:+.0f}%" if change is not None else "-")
        rows.append(tuple(row))
    return rows if len(rows) > 1 else []


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    parser.add_argument(
        "--skip", default="", help="comma-separated sections to skip: thumbnail,build,pillow,imports"
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"cold-start rounds (default {ROUNDS})")
    parser.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="LABEL=PATH",
        help="another checkout (e.g. a `git worktree` of an older commit): its functions, built by its own"
        " scripts/build.py, are measured in the same cold-start rounds as variant LABEL (repeatable)",
    )
    parser.add_argument(
        "--build-rounds", type=int, default=2, help="rounds of the cold Pillow layer builds (default 2)"
    )
    parser.add_argument(
        "--only", default="", help="cold-start targets to measure: comma-separated function names, 'probe'"
    )
    args = parser.parse_args(argv)
    only = {s.strip() for s in args.only.split(",") if s.strip()}
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
        compare_roots = {
            label: Path(path).resolve() for label, _, path in (c.partition("=") for c in args.compare)
        }
        if "pillow" not in skip:
            ok &= bench_pillow_cold(root, work, arch, compare_roots, args.build_rounds)
        if "imports" not in skip:
            out = work / "out" / "cold"
            builds = [] if built else [(root, out)]
            compare: dict[str, tuple[Path, Path]] = {}
            for spec in args.compare:
                label, _, path = spec.partition("=")
                compare[label] = (Path(path).resolve(), work / f"compare-{len(compare)}")
                builds.append(compare[label])
            for tree, tree_out in builds:
                _, proc = run_build(tree, tree_out, arch, "--quiet")
                if proc.returncode != 0:
                    section("cold-start proxy")
                    print(f"  skipped: build of {tree} failed: {proc.stderr.strip()}")
                    return 1
            ok &= bench_imports(root, out, work, args.rounds, compare, only)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
