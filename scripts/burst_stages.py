"""Where a burst's time goes (`bench_local.py --only burst`): stage latencies, CPU per component, a profile.

Stage latencies come from timestamps the services record, per upload of the load test's result
(.local/e2e-load.json, written by tests/integration/test_pipeline_load.py):
  uploaded             the client, when PutObject returned
  SQS sent / received  SentTimestamp / ApproximateFirstReceiveTimestamp of the S3 notification's SQS message
                       (ingest logs them per record in its "record processed" line)
  execution started    Step Functions' ExecutionStarted event; every state's Entered/Exited events
  thumbnail written    S3 LastModified of the first thumbnail; "seen" is when the test's listing found it
Function run times: the REPORT lines (durationMs, initDurationMs) in each function's log group.

CPU seconds come from /proc: the LocalStack process (all its threads), the Lambda runtime processes it
starts (its children: live ones read directly, ended ones through its cutime/cstime), the test client
(pytest, from wait4's rusage), and the whole machine (so other users of the cores show up).
"""

from __future__ import annotations

import collections
import json
import os
import re
import signal
import statistics
import subprocess
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

CLK_TCK = os.sysconf("SC_CLK_TCK")
TASK_STATES = ("ValidateInput", "GenerateThumbnail", "StoreMetadata", "NotifyComplete")


# -- CPU ------------------------------------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, float, float] | None:
    """(ppid, own CPU seconds, reaped children's CPU seconds) of a process, None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    rest = raw[raw.rindex(")") + 2 :].split()
    own = (int(rest[11]) + int(rest[12])) / CLK_TCK
    children = (int(rest[13]) + int(rest[14])) / CLK_TCK
    return int(rest[1]), own, children


def _machine_busy() -> float:
    """CPU seconds all cores spent not idle since boot."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / CLK_TCK


def _children(parent: int) -> dict[int, float]:
    """Direct children of `parent` -> their own CPU seconds (so far)."""
    found: dict[int, float] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            st = _stat(int(entry.name))
            if st is not None and st[0] == parent:
                found[int(entry.name)] = st[1] + st[2]
    return found


class CpuMeter:
    """CPU seconds of LocalStack, its Lambda runtime processes and the whole machine between start/stop."""

    def __init__(self, localstack_pid: int) -> None:
        self.pid = localstack_pid
        self._start: dict[str, Any] = {}
        self.result: dict[str, float] = {}

    def _snapshot(self) -> dict[str, Any]:
        st = _stat(self.pid)
        if st is None:
            raise RuntimeError(f"LocalStack (pid {self.pid}) is not running")
        return {
            "own": st[1],
            "reaped": st[2],
            "children": _children(self.pid),
            "machine": _machine_busy(),
            "wall": time.monotonic(),
            "load": os.getloadavg(),
        }

    def start(self) -> None:
        self._start = self._snapshot()

    def stop(self) -> dict[str, float]:
        end, start = self._snapshot(), self._start
        workers = (
            end["reaped"] - start["reaped"] + sum(end["children"].values()) - sum(start["children"].values())
        )
        self.result = {
            "wall_s": end["wall"] - start["wall"],
            "localstack_s": end["own"] - start["own"],
            "lambda_workers_s": workers,
            "machine_busy_s": end["machine"] - start["machine"],
            "load_start": start["load"][0],
            "load_end": end["load"][0],
        }
        return self.result


# -- profile --------------------------------------------------------------------------------------------


def start_profile(py_spy: str, pid: int, out: Path, rate: int = 10) -> subprocess.Popen[bytes]:
    """py-spy record of LocalStack at a low rate (all threads, collapsed stacks); its messages in out.log.

    --nonblocking: pausing a process with hundreds of threads for every sample stalled LocalStack."""
    log = out.with_suffix(".log").open("wb")
    return subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), "--rate", str(rate), "--nonblocking", "--threads"]
        + ["--format", "raw", "--output", str(out)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop_profile(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)  # py-spy writes the file and exits
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()


def _frame_name(frame: str) -> str:
    """'func (path/to/module.py:123)' -> 'func (module/path tail:123)'."""
    match = re.match(r"(.*) \((.*):(\d+)\)$", frame)
    if not match:
        return frame
    func, path, line = match.groups()
    tail = path.split("site-packages/")[-1].split("/lib/python3")[-1]
    return f"{func} ({tail}:{line})"


def hot_frames(
    collapsed: Path, top: int = 15
) -> tuple[int, list[tuple[str, float]], list[tuple[str, float]]]:
    """From py-spy's collapsed stacks: total samples, top self frames and top inclusive functions (share)."""
    self_counts: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count_s = line.rpartition(" ")
        if not stack or not count_s.isdigit():
            continue
        count = int(count_s)
        frames = [
            f for f in stack.split(";") if not f.startswith("thread (") and not f.startswith("process ")
        ]
        if not frames:
            continue
        total += count
        self_counts[_frame_name(frames[-1])] += count
        for name in {re.sub(r":\d+\)$", ")", _frame_name(f)) for f in frames}:
            inclusive[name] += count
    share = (lambda items: [(n, c / total) for n, c in items]) if total else (lambda items: [])
    return total, share(self_counts.most_common(top)), share(inclusive.most_common(top * 3))


# -- stage latencies ------------------------------------------------------------------------------------


def _epoch(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


def _history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events += page["events"]
        if not page.get("nextToken"):
            return events
        kwargs["nextToken"] = page["nextToken"]


def _log_events(logs: Any, group: str, start_ms: int, pattern: str) -> Iterable[dict[str, Any]]:
    kwargs: dict[str, Any] = {"logGroupName": group, "startTime": start_ms}
    if pattern:
        kwargs["filterPattern"] = pattern
    while True:
        page = logs.filter_log_events(**kwargs)
        yield from page.get("events", [])
        token = page.get("nextToken")
        if not token or token == kwargs.get("nextToken"):
            return
        kwargs["nextToken"] = token


def log_group(function_name: str, client: Callable[[str], Any]) -> str:
    config = client("lambda").get_function_configuration(FunctionName=function_name)
    return str((config.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{function_name}")


def _ingest_records(logs: Any, group: str, start_ms: int) -> dict[str, dict[str, Any]]:
    """execution name -> ingest's "record processed" line for it (SQS timestamps, handler time)."""
    found: dict[str, dict[str, Any]] = {}
    for event in _log_events(logs, group, start_ms, ""):  # quoted filter patterns: not in LocalStack
        try:
            line = json.loads(event["message"])
        except ValueError:
            continue
        if not isinstance(line, dict) or line.get("message") != "record processed":
            continue
        for name in line.get("started") or []:
            found[name] = line
    return found


def function_reports(logs: Any, group: str, start_ms: int) -> dict[str, list[float]]:
    """Run times (s) of a function's invocations since start_ms, from its REPORT lines."""
    out: dict[str, list[float]] = {"duration": [], "init": []}
    for event in _log_events(logs, group, start_ms, "REPORT"):
        message = event["message"]
        try:
            metrics = json.loads(message)["record"]["metrics"]
            duration, init = metrics.get("durationMs"), metrics.get("initDurationMs")
        except (ValueError, KeyError, TypeError):
            d = re.search(r"Duration: ([\d.]+) ms", message)
            i = re.search(r"Init Duration: ([\d.]+) ms", message)
            duration, init = (float(d.group(1)) if d else None), (float(i.group(1)) if i else None)
        if duration is not None:
            out["duration"].append(float(duration) / 1000)
        if init is not None:
            out["init"].append(float(init) / 1000)
    return out


def image_timeline(sfn: Any, s3: Any, image: dict[str, Any], arn: str, bucket: str) -> dict[str, float]:
    """Observable timestamps (epoch s) of one upload's way through the pipeline."""
    t: dict[str, float] = {"uploaded": image["uploaded_at"]}
    if image.get("thumbnail_seen_at"):
        t["thumbnail_seen"] = image["thumbnail_seen_at"]
    try:
        events = _history(sfn, arn)
    except sfn.exceptions.ExecutionDoesNotExist:
        return t
    for event in events:
        at = _epoch(event["timestamp"])
        kind = event["type"]
        if kind == "ExecutionStarted":
            t["execution_started"] = at
            detail = json.loads(event["executionStartedEventDetails"].get("input") or "{}")
            if detail.get("eventTime"):
                t["s3_event_time"] = _epoch(detail["eventTime"])
        elif kind.endswith("StateEntered"):
            t.setdefault(f"{event['stateEnteredEventDetails']['name']}_entered", at)
        elif kind.endswith("StateExited"):
            t[f"{event['stateExitedEventDetails']['name']}_exited"] = at
        elif kind in ("ExecutionSucceeded", "ExecutionFailed"):
            t["execution_ended"] = at
    if image.get("thumbnail_key") and "thumbnail_seen" in t:
        head = s3.list_objects_v2(Bucket=bucket, Prefix=image["thumbnail_key"], MaxKeys=1)
        for obj in head.get("Contents", []):
            t["thumbnail_written"] = _epoch(obj["LastModified"])
    return t


# (label, from, to): per image, to - from, for good images that have both timestamps
STAGES: list[tuple[str, str, str]] = [
    ("upload -> SQS message sent (S3 notification)", "uploaded", "sqs_sent"),
    ("SQS sent -> received by the poller", "sqs_sent", "sqs_received"),
    ("received -> execution started (ingest)", "sqs_received", "execution_started"),
    ("execution started -> ValidateInput entered", "execution_started", "ValidateInput_entered"),
    ("ValidateInput (entered -> exited)", "ValidateInput_entered", "ValidateInput_exited"),
    ("-> GenerateThumbnail entered", "ValidateInput_exited", "GenerateThumbnail_entered"),
    ("GenerateThumbnail (entered -> exited)", "GenerateThumbnail_entered", "GenerateThumbnail_exited"),
    ("thumbnail written (S3 LastModified) -> seen by the test", "thumbnail_written", "thumbnail_seen"),
    ("StoreMetadata (entered -> exited)", "StoreMetadata_entered", "StoreMetadata_exited"),
    ("NotifyComplete (entered -> exited)", "NotifyComplete_entered", "NotifyComplete_exited"),
    ("TOTAL upload -> thumbnail seen", "uploaded", "thumbnail_seen"),
    ("TOTAL upload -> execution ended", "uploaded", "execution_ended"),
]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


def timelines(result: dict[str, Any], client: Callable[[str], Any]) -> list[dict[str, float]]:
    """One timeline per good upload of the load test's result."""
    dep = result["deployment"]
    prefix = dep["state_machine_arn"].replace(":stateMachine:", ":execution:")
    sfn, s3, logs = client("stepfunctions"), client("s3"), client("logs")
    start_ms = int(min(i["uploaded_at"] for i in result["images"]) * 1000) - 60_000
    ingest = _ingest_records(logs, log_group(dep["ingest_function_name"], client), start_ms)
    good = [i for i in result["images"] if not i["bad"]]

    def one(image: dict[str, Any]) -> dict[str, float]:
        t = image_timeline(
            sfn, s3, image, f"{prefix}:{image['execution_name']}", dep["thumbnails_bucket_name"]
        )
        line = ingest.get(image["execution_name"], {})
        for field, name in (
            ("sqs_sent_timestamp", "sqs_sent"),
            ("sqs_first_receive_timestamp", "sqs_received"),
        ):
            if line.get(field):
                t[name] = int(line[field]) / 1000
        return t

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, good))


def stage_rows(lines: list[dict[str, float]]) -> list[tuple[str, int, float, float, float]]:
    """(stage, n, p50, p95, max) in seconds."""
    rows = []
    for label, start, end in STAGES:
        values = [t[end] - t[start] for t in lines if start in t and end in t]
        if values:
            rows.append((label, len(values), statistics.median(values), percentile(values, 95), max(values)))
    return rows


def arrival_rate(lines: list[dict[str, float]], key: str) -> str:
    """When the first and last image reached a point, relative to the first upload."""
    t0 = min(t["uploaded"] for t in lines)
    points = sorted(t[key] - t0 for t in lines if key in t)
    if not points:
        return "-"
    return f"first +{points[0]:.1f} s, median +{statistics.median(points):.1f} s, last +{points[-1]:.1f} s"
