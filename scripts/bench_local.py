"""Local-loop benchmarks (`make bench`, after scripts/bench.py): numbers side by side, no assertions.

  deploy     destroy, then `deploy_local.sh apply` from empty and a no-change `deploy_local.sh plan`
  save-live  edit -> new code answering, N times: copy of functions/orders_api with a marker, rebuilt
             (scripts/build.py, as make dev does) and put live (UpdateFunctionCode), then invoked until a
             response carries the marker. Excludes make dev's file-poll delay (<= 0.1 s).
  burst      tests/integration/test_pipeline_load.py with N uploads (default 100): p50/p95 upload ->
             thumbnail, images/s, lost
  suite      the last `make test` wall time (.local/test-times.txt, written by make test)

Needs the embedded LocalStack (make localstack-up); LOCALSTACK_PORT / LOCALSTACK_ENDPOINT as elsewhere.
    python scripts/bench_local.py [--only deploy,save-live,burst,suite] [--save-live-runs 7] [--burst 100]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import local_fn  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "scripts" / "deploy_local.sh"
RESULTS: list[tuple[str, str]] = []

MARKER_WRAPPER = """

# --- bench_local.py: answer with a marker ---
_bench_deployed_handler = lambda_handler


def lambda_handler(event, context):  # type: ignore[no-redef]
    result = _bench_deployed_handler(event, context)
    if isinstance(result, dict):
        result["bench_marker"] = "{marker}"
    return result
"""


def record(name: str, value: str) -> None:
    RESULTS.append((name, value))
    print(f"  {name}: {value}", flush=True)


def timed_deploy(*args: str) -> tuple[float, int]:
    started = time.monotonic()
    proc = subprocess.run(["bash", str(DEPLOY), *args], capture_output=True, text=True, check=False)
    took = time.monotonic() - started
    if proc.returncode not in (0, 2):
        print(proc.stderr[-3000:], file=sys.stderr)
    return took, proc.returncode


def bench_deploy() -> None:
    print("deploy (the root to the embedded LocalStack)", flush=True)
    timed_deploy("destroy")
    took, rc = timed_deploy("apply")
    record("apply from empty", f"{took:.1f} s" + ("" if rc == 0 else f" (FAILED rc={rc})"))
    took, rc = timed_deploy("plan")
    record("no-change plan", f"{took:.1f} s ({'no changes' if rc == 0 else f'rc={rc}: changes or error'})")


def _zip_with_marker(source: Path, marker: str) -> bytes:
    """What build.py would zip for a copy of `source` whose handler answers with `marker`."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(ROOT / "layers", root / "layers", ignore=shutil.ignore_patterns("*.zip"))
        dest = root / "functions" / source.name
        shutil.copytree(source, dest)
        handler = dest / "handler.py"
        handler.write_text(handler.read_text() + MARKER_WRAPPER.format(marker=marker))
        import dev  # scripts/dev.py (loads scripts/build.py)

        code = dev.build.main(["--only", source.name, "--quiet", "--root", str(root), "--layer-cache", "off"])
        if code != 0:
            raise RuntimeError("build failed")
        manifest = json.loads((root / "build" / "manifest.json").read_text())
        return (root / "build" / manifest["functions"][source.name]["path"]).read_bytes()


def bench_save_live(runs: int) -> None:
    import dev

    print(f"save -> live ({runs} edits of orders_api)", flush=True)
    name = "orders_api"  # its sample event (GET /orders) succeeds on an empty table
    lam = local_fn.client("lambda")
    deployed = local_fn.resolve(name)
    event = (local_fn.EVENTS / local_fn.SAMPLE_EVENTS[name]).read_bytes()
    original = (dev.BUILD / dev.manifest()["functions"][name]["path"]).read_bytes()
    samples: list[float] = []
    try:
        for i in range(runs):
            marker = f"m{i}-{time.time_ns()}"
            saved = time.monotonic()
            dev.push_function_code(lam, deployed, _zip_with_marker(ROOT / "functions" / name, marker))
            deadline = time.monotonic() + 60
            while True:
                body = lam.invoke(FunctionName=deployed, Payload=event)["Payload"].read()
                if marker.encode() in body:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the new code never answered; last response: {body[:500]!r}")
            samples.append(time.monotonic() - saved)
    finally:
        dev.push_function_code(lam, deployed, original)
    samples.sort()
    p95 = samples[min(len(samples) - 1, round(0.95 * len(samples) + 0.5) - 1)]
    record("save -> live p50", f"{statistics.median(samples):.2f} s")
    record("save -> live p95", f"{p95:.2f} s (n={len(samples)}, min {samples[0]:.2f}, max {samples[-1]:.2f})")


def bench_burst(uploads: int) -> None:
    print(f"burst ({uploads} uploads through S3 -> SQS -> ingest -> Step Functions)", flush=True)
    env = dict(os.environ, PIPELINE_E2E_SKIP_DEPLOY="1", PIPELINE_LOAD_UPLOADS=str(uploads))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/integration/test_pipeline_load.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    result_file = ROOT / ".local" / "e2e-load.json"
    if not result_file.is_file():
        print(proc.stdout[-3000:], proc.stderr[-2000:], file=sys.stderr)
        record("burst", "no result")
        return
    result: dict[str, Any] = json.loads(result_file.read_text())
    record("burst p50 / p95", f"{result['latency_p50_seconds']} s / {result['latency_p95_seconds']} s")
    processed = int(result["processed"])
    record(
        "burst throughput",
        f"{processed / float(result['wall_seconds']):.2f} images/s ({processed} processed)",
    )
    record("burst lost", str(result["lost"]))


def bench_suite() -> None:
    times = ROOT / ".local" / "test-times.txt"
    record(
        "make test (last run)",
        times.read_text().strip().splitlines()[-1] if times.is_file() else "not run yet",
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="deploy,save-live,burst,suite")
    parser.add_argument("--save-live-runs", type=int, default=7)
    parser.add_argument("--burst", type=int, default=100)
    args = parser.parse_args()
    only = {s.strip() for s in args.only.split(",")}
    if "deploy" in only:
        bench_deploy()
    if "save-live" in only:
        bench_save_live(args.save_live_runs)
    if "burst" in only:
        bench_burst(args.burst)
    if "suite" in only:
        bench_suite()
    print("\nlocal loop")
    width = max(len(n) for n, _ in RESULTS) if RESULTS else 0
    for name, value in RESULTS:
        print(f"  {name.ljust(width)}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
