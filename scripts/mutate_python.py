#!/usr/bin/env python3
"""Python mutation score of functions/ and layers/shared/ with cosmic-ray (pinned in requirements-dev.txt).

Each target (a function folder, or the shared layer) is mutated by cosmic-ray in its own copy of the
project (never in the work tree) and every mutant runs that target's unit tests. Mutations on lines that
only log, emit metrics or trace (Powertools ``logger``/``metrics``/``tracer``) are excluded (SKIPPED in the
session) because no test should pin them. Prints a table per target, the total score and every survivor
(file:line, operator) so tests can be added to kill them. The score is printed, not asserted.

It is slow (every mutant runs a test file): see README "Mutation testing" for measured times. Use
``--sample N`` for a representative run: a deterministic 1-in-N subset of each target's mutants.

usage: scripts/mutate_python.py [--targets a,b] [--jobs N] [--sample N] [--timeout S] [--report FILE]
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = ROOT / ".venv" / "bin" / "python"
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv*", "build", ".local", ".terraform", "__pycache__", "*_cache"
)
# Lines whose only job is observability: mutating them is not a behaviour change a test should pin.
OBSERVABILITY_LINE = re.compile(r"^\s*(@?(logger|metrics|tracer)\b|.*\b(logger|metrics|tracer)\.\w+\()")


Span = tuple[tuple[int, int], tuple[int, int]]
OBSERVABILITY = {"logger", "metrics", "tracer"}


def _span(node: ast.expr) -> Span:
    return ((node.lineno, node.col_offset), (node.end_lineno or node.lineno, node.end_col_offset or 0))


def excluded_spans(source: str) -> tuple[list[Span], list[Span]]:
    """(observability, annotations) spans of a module.

    Observability: every call of a Powertools ``logger``/``metrics``/``tracer`` method, with its arguments
    (log messages, metric names and values). Annotations: with ``from __future__ import annotations`` they
    are never evaluated, so a mutant inside one is equivalent (it cannot change behaviour).
    """
    observability, annotations = [], []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in OBSERVABILITY
        ):
            observability.append(_span(node))
        if isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
            annotations.append(_span(node.annotation))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
            annotations.append(_span(node.returns))
    return observability, annotations


PYTEST = "python -m pytest -x -q -p no:cacheprovider"


UNIT = "tests/unit/functions"


def _unit(*files: str) -> str:
    return f"{PYTEST} {' '.join(files)}"


# target -> (folder to mutate, test command run in the copy for every mutant)
TARGETS: dict[str, tuple[str, str]] = {
    "ingest": ("functions/ingest", _unit("tests/unit/functions/test_ingest.py")),
    "validate_input": (
        "functions/validate_input",
        _unit(f"{UNIT}/test_validate_input.py", f"{UNIT}/test_validate_input_pinning.py"),
    ),
    "thumbnail": ("functions/thumbnail", _unit("tests/unit/functions/test_thumbnail.py")),
    "notify": ("functions/notify", _unit(f"{UNIT}/test_notify.py", f"{UNIT}/test_notify_edges.py")),
    "orders_api": ("functions/orders_api", _unit("tests/unit/functions/test_orders_api.py")),
    "order_stream": ("functions/order_stream", _unit("tests/unit/functions/test_order_stream.py")),
    "high_value_order": (
        "functions/high_value_order",
        _unit(f"{UNIT}/test_high_value_order.py", f"{UNIT}/test_high_value_order_edges.py"),
    ),
    "daily_report": ("functions/daily_report", _unit("tests/unit/functions/test_daily_report.py")),
    "shared": ("layers/shared/python/pipeline_shared", _unit("tests/unit/test_pipeline_shared.py")),
}


@dataclass
class Outcome:
    target: str
    total: int = 0
    excluded: int = 0
    equivalent: int = 0
    sampled_out: int = 0
    killed: int = 0
    survived: int = 0
    incompetent: int = 0
    seconds: float = 0.0
    survivors: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def tested(self) -> int:
        return self.killed + self.survived


def _cosmic(copy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PATH=f"{PY.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    cmd = [str(PY.parent / "cosmic-ray"), *args]
    return subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True)


def _skip(db: object, job_ids: list[str]) -> None:
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    if job_ids:
        db.set_multiple_results(job_ids, WorkResult(worker_outcome=WorkerOutcome.SKIPPED))  # type: ignore[attr-defined]


def run_target(name: str, sample: int, timeout: float) -> Outcome:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    folder, test_command = TARGETS[name]
    out = Outcome(name)
    start = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix=f"mutate-python-{name}-"))
    try:
        copy = work / "project"
        shutil.copytree(ROOT, copy, ignore=COPY_IGNORE, symlinks=True)
        config = copy / "cosmic-ray.toml"
        config.write_text(
            "[cosmic-ray]\n"
            f'module-path = "{folder}"\n'
            f"timeout = {timeout}\n"
            "excluded-modules = []\n"
            f'test-command = "{PY} {test_command.removeprefix("python ")}"\n'
            "[cosmic-ray.distributor]\n"
            'name = "local"\n'
        )
        baseline = subprocess.run(
            [str(PY), *test_command.split()[1:]], cwd=copy, capture_output=True, text=True, timeout=900
        )
        if baseline.returncode != 0:
            out.error = "baseline tests fail"
            return out
        session = copy / "session.sqlite"
        init = _cosmic(copy, "init", str(config), str(session))
        if init.returncode != 0:
            out.error = f"cosmic-ray init failed: {init.stderr[-300:]}"
            return out

        with use_db(str(session), WorkDB.Mode.open) as db:
            items = sorted(db.work_items, key=lambda i: i.job_id)
            out.total = len(items)
            lines: dict[Path, list[str]] = {}
            spans: dict[Path, tuple[list[Span], list[Span]]] = {}
            excluded, equivalent, sampled_out = [], [], []
            candidates = 0
            for item in items:
                m = item.mutations[0]
                path = copy / m.module_path if not Path(m.module_path).is_absolute() else Path(m.module_path)
                if path not in lines:
                    source = path.read_text()
                    lines[path], spans[path] = source.splitlines(), excluded_spans(source)
                at: tuple[int, int] = (m.start_pos[0], m.start_pos[1])
                observability, annotations = spans[path]
                if OBSERVABILITY_LINE.match(lines[path][m.start_pos[0] - 1]) or any(
                    a <= at < b for a, b in observability
                ):
                    excluded.append(item.job_id)
                elif any(a <= at < b for a, b in annotations):
                    equivalent.append(item.job_id)
                else:
                    if sample > 1 and candidates % sample:
                        sampled_out.append(item.job_id)
                    candidates += 1
            _skip(db, excluded + equivalent + sampled_out)
            out.excluded, out.equivalent, out.sampled_out = len(excluded), len(equivalent), len(sampled_out)

        run = _cosmic(copy, "exec", str(config), str(session))
        if run.returncode != 0:
            out.error = f"cosmic-ray exec failed: {run.stderr[-300:]}"

        with use_db(str(session), WorkDB.Mode.open) as db:
            for item, result in db.completed_work_items:
                if result.worker_outcome == WorkerOutcome.SKIPPED:
                    continue
                if result.test_outcome == TestOutcome.SURVIVED:
                    out.survived += 1
                    m = item.mutations[0]
                    rel = Path(m.module_path)
                    rel = rel.relative_to(copy) if rel.is_absolute() else rel
                    out.survivors.append(f"{rel}:{m.start_pos[0]} {m.operator_name} #{m.occurrence}")
                elif result.test_outcome == TestOutcome.INCOMPETENT:
                    out.incompetent += 1
                else:
                    out.killed += 1  # killed, or timed out / crashed (cosmic-ray counts both as killed)
        out.survivors.sort()
        return out
    finally:
        out.seconds = time.monotonic() - start
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--targets", default=",".join(TARGETS), help=f"comma-separated, of: {', '.join(TARGETS)}")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("MUTATE_JOBS", "2")))
    ap.add_argument("--sample", type=int, default=1, help="test 1 mutant in N (deterministic); 1 = all")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant's test run")
    ap.add_argument("--report", type=Path, help="also write the table and survivors to this file")
    args = ap.parse_args()

    names = [t for t in args.targets.split(",") if t]
    if unknown := [t for t in names if t not in TARGETS]:
        raise SystemExit(f"unknown target(s): {', '.join(unknown)}")
    start = time.monotonic()
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        outcomes = list(pool.map(lambda n: run_target(n, args.sample, args.timeout), names))

    rows = [
        f"{'TARGET':18} {'MUTANTS':>7} {'EXCL':>5} {'ANNOT':>5} {'TESTED':>7} {'KILLED':>6} "
        f"{'SURVIVED':>8} {'INCOMP':>6} {'SCORE':>6} {'TIME':>6}"
    ]
    for o in outcomes:
        score = f"{100 * o.killed / o.tested:.1f}%" if o.tested else "-"
        rows.append(
            f"{o.target:18} {o.total:7} {o.excluded:5} {o.equivalent:5} {o.tested:7} {o.killed:6} "
            f"{o.survived:8} {o.incompetent:6} {score:>6} {o.seconds:5.0f}s"
            + (f"  ERROR: {o.error}" if o.error else "")
        )
    killed = sum(o.killed for o in outcomes)
    tested = sum(o.tested for o in outcomes)
    rows.append(
        f"\npython mutants: {killed}/{tested} killed ({100 * killed / tested if tested else 0:.1f}%), "
        f"{sum(o.excluded for o in outcomes)} observability-only and "
        f"{sum(o.equivalent for o in outcomes)} annotation-only mutants excluded, sample 1/{args.sample}, "
        f"{time.monotonic() - start:.0f}s"
    )
    survivors = [f"  {s}" for o in outcomes for s in o.survivors]
    if survivors:
        rows += ["", "survivors:", *survivors]
    text = "\n".join(rows)
    print(text)
    if args.report:
        args.report.write_text(text + "\n")
    return 1 if any(o.error for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
