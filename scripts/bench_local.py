"""Local-loop benchmarks (`make bench`, after scripts/bench.py): numbers side by side, no assertions.

  deploy     destroy, then `deploy_local.sh apply` from empty and a no-change `deploy_local.sh plan`
  save-live  edit -> new code answering, N times: copy of functions/orders_api with a marker, rebuilt
             (scripts/build.py, as make dev does) and put live (UpdateFunctionCode), then invoked until a
             response carries the marker. Excludes make dev's file-poll delay (<= 0.1 s).
  burst      tests/integration/test_pipeline_load.py with N uploads (default 100): p50/p95 upload ->
             thumbnail, images/s, lost; then where the time went (scripts/burst_stages.py): p50/p95 per
             stage from the services' timestamps, function run times from their REPORT lines, CPU
             seconds per upload of LocalStack / the Lambda runtime processes / the test client / the
             rest of the machine, and with --profile FILE a py-spy profile of LocalStack (PY_SPY=path)
  suite      the last `make test` wall time (.local/test-times.txt, written by make test)

Needs the embedded LocalStack (make localstack-up); LOCALSTACK_PORT / LOCALSTACK_ENDPOINT as elsewhere.
    python scripts/bench_local.py [--only deploy,save-live,burst,suite] [--save-live-runs 7] [--burst 100]
        [--profile FILE]
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

import burst_stages  # noqa: E402
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


def _localstack_pid() -> int | None:
    port = os.environ.get("LOCALSTACK_PORT", "4566")
    state = ROOT / ".local" / ("localstack" if port == "4566" else f"localstack-{port}")
    try:
        return int((state / "localstack.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def bench_burst(uploads: int, profile: Path | None = None) -> None:
    print(f"burst ({uploads} uploads through S3 -> SQS -> ingest -> Step Functions)", flush=True)
    env = dict(os.environ, PIPELINE_E2E_SKIP_DEPLOY="1", PIPELINE_LOAD_UPLOADS=str(uploads))
    result_file = ROOT / ".local" / "e2e-load.json"
    result_file.unlink(missing_ok=True)
    pid = _localstack_pid()
    meter = burst_stages.CpuMeter(pid) if pid else None
    py_spy = os.environ.get("PY_SPY", "py-spy")
    if meter:
        meter.start()
    profiler = burst_stages.start_profile(py_spy, pid, profile) if profile and pid else None
    proc = subprocess.Popen(
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
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    output = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = meter.stop() if meter else None
    if profiler:
        burst_stages.stop_profile(profiler)
    if not result_file.is_file():
        print(output[-5000:], file=sys.stderr)
        record("burst", "no result")
        return
    if proc.returncode != 0:
        print(output[-3000:], file=sys.stderr)
    result: dict[str, Any] = json.loads(result_file.read_text())
    record("burst p50 / p95", f"{result['latency_p50_seconds']} s / {result['latency_p95_seconds']} s")
    processed = int(result["processed"])
    record(
        "burst throughput",
        f"{processed / float(result['wall_seconds']):.2f} images/s ({processed} processed"
        f" in {result['wall_seconds']} s, uploads took {result['upload_seconds']} s)",
    )
    record("burst lost", str(result["lost"]))
    if "images" in result:
        print_stages(result)
    if cpu:
        print_cpu(cpu, usage.ru_utime + usage.ru_stime, uploads)
    if profiler and profile and profile.is_file():
        print_profile(profile)


def print_stages(result: dict[str, Any]) -> None:
    lines = burst_stages.timelines(result, local_fn.client)
    print(f"\n  stage breakdown, {len(lines)} good uploads (seconds; from service timestamps)")
    print(f"    {'stage':58} {'n':>4} {'p50':>7} {'p95':>7} {'max':>7}")
    for label, n, p50, p95, top in burst_stages.stage_rows(lines):
        print(f"    {label:58} {n:>4} {p50:7.2f} {p95:7.2f} {top:7.2f}")
    for key, label in (
        ("sqs_sent", "in SQS"),
        ("execution_started", "execution started"),
        ("thumbnail_seen", "thumbnail seen"),
    ):
        print(f"    {label:18} {burst_stages.arrival_rate(lines, key)}")
    logs = local_fn.client("logs")
    start_ms = int(min(i["uploaded_at"] for i in result["images"]) * 1000) - 5_000
    head = f"{'function':16} {'n':>4} {'p50':>6} {'p95':>6} {'cold':>5} {'init p50':>8}"
    print(f"  function runs (REPORT lines): {head}")
    for short in ("ingest", "validate_input", "thumbnail", "notify"):
        reports = burst_stages.function_reports(
            logs, burst_stages.log_group(local_fn.resolve(short), local_fn.client), start_ms
        )
        runs, inits = reports["duration"], reports["init"]
        if runs:
            init = f"{statistics.median(inits):8.2f}" if inits else f"{'-':>8}"
            print(
                f"    {'':28} {short:16} {len(runs):>4} {statistics.median(runs):6.2f}"
                f" {burst_stages.percentile(runs, 95):6.2f} {len(inits):>5} {init}"
            )


def print_cpu(cpu: dict[str, float], client_s: float, uploads: int) -> None:
    parts = {
        "LocalStack process": cpu["localstack_s"],
        "Lambda runtime processes": cpu["lambda_workers_s"],
        "test client (pytest)": client_s,
    }
    ours = sum(parts.values())
    parts["rest of the machine (others)"] = max(0.0, cpu["machine_busy_s"] - ours)
    print(
        f"\n  CPU during the burst: wall {cpu['wall_s']:.1f} s, machine busy {cpu['machine_busy_s']:.1f} s"
        f" of {cpu['wall_s'] * (os.cpu_count() or 1):.1f} s on {os.cpu_count()} cores,"
        f" load {cpu['load_start']:.1f} -> {cpu['load_end']:.1f}"
    )
    for name, seconds in parts.items():
        print(f"    {name:30} {seconds:7.1f} s  {seconds / uploads:6.3f} s/upload")
    record("burst CPU s/upload", f"{ours / uploads:.3f} (LocalStack {cpu['localstack_s'] / uploads:.3f},"
           f" Lambda {cpu['lambda_workers_s'] / uploads:.3f}, client {client_s / uploads:.3f})")  # fmt: skip
    record("burst load average", f"{cpu['load_start']:.1f} -> {cpu['load_end']:.1f}")


def print_profile(profile: Path) -> None:
    total, self_frames, inclusive = burst_stages.hot_frames(profile)
    print(f"\n  py-spy profile of LocalStack ({total} samples, {profile}): top self frames")
    for name, share in self_frames:
        print(f"    {share:6.1%}  {name}")
    print("  top functions including callees")
    for name, share in inclusive:
        print(f"    {share:6.1%}  {name}")


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
    parser.add_argument(
        "--profile",
        type=Path,
        help="py-spy LocalStack during the burst into this file (collapsed stacks; PY_SPY or PATH)",
    )
    args = parser.parse_args()
    only = {s.strip() for s in args.only.split(",")}
    if "deploy" in only:
        bench_deploy()
    if "save-live" in only:
        bench_save_live(args.save_live_runs)
    if "burst" in only:
        bench_burst(args.burst, args.profile)
    if "suite" in only:
        bench_suite()
    print("\nlocal loop")
    width = max(len(n) for n, _ in RESULTS) if RESULTS else 0
    for name, value in RESULTS:
        print(f"  {name.ljust(width)}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
