"""scripts/burst_stages.py: stage latencies from timelines, hot frames from py-spy output, CPU from /proc."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "burst_stages.py"


@pytest.fixture(scope="module")
def stages() -> ModuleType:
    spec = importlib.util.spec_from_file_location("burst_stages", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["burst_stages"] = module
    spec.loader.exec_module(module)
    return module


def test_stage_rows_take_each_stage_from_the_timelines_that_have_both_ends(stages: ModuleType) -> None:
    lines = [
        {"uploaded": 0.0, "sqs_sent": 0.5, "sqs_received": 2.5, "thumbnail_seen": 10.0},
        {"uploaded": 1.0, "sqs_sent": 1.25, "sqs_received": 5.25, "thumbnail_seen": 21.0},
        {"uploaded": 2.0, "thumbnail_seen": 4.0},  # no ingest line: only in the total
    ]
    rows = {label: (n, p50, p95, top) for label, n, p50, p95, top in stages.stage_rows(lines)}
    assert rows["upload -> SQS message sent (S3 notification)"] == (2, 0.375, 0.5, 0.5)
    assert rows["SQS sent -> received by the poller"] == (2, 3.0, 4.0, 4.0)
    assert rows["TOTAL upload -> thumbnail seen"] == (3, 10.0, 20.0, 20.0)
    assert "ValidateInput (entered -> exited)" not in rows


def test_image_timeline_reads_the_execution_history(stages: ModuleType) -> None:
    at = datetime(2026, 12, 2, 1, 0, 0, tzinfo=UTC)

    def event(kind: str, seconds: float, **details: Any) -> dict[str, Any]:
        return {"type": kind, "timestamp": at.replace(microsecond=int(seconds * 1e6)), **details}

    history = [
        event(
            "ExecutionStarted",
            0.1,
            executionStartedEventDetails={"input": '{"eventTime": "2026-12-02T01:00:00.050Z"}'},
        ),
        event("TaskStateEntered", 0.2, stateEnteredEventDetails={"name": "ValidateInput"}),
        event("TaskStateExited", 0.4, stateExitedEventDetails={"name": "ValidateInput"}),
        event("ExecutionSucceeded", 0.9),
    ]

    class Sfn:
        class exceptions:  # noqa: N801 - botocore's shape
            ExecutionDoesNotExist = KeyError

        def get_execution_history(self, **_: Any) -> dict[str, Any]:
            return {"events": history}

    image = {"uploaded_at": at.timestamp(), "thumbnail_key": None}
    t = stages.image_timeline(Sfn(), None, image, "arn", "bucket")
    assert t["execution_started"] - t["uploaded"] == pytest.approx(0.1)
    assert t["s3_event_time"] - t["uploaded"] == pytest.approx(0.05)
    assert t["ValidateInput_exited"] - t["ValidateInput_entered"] == pytest.approx(0.2)
    assert t["execution_ended"] - t["uploaded"] == pytest.approx(0.9)


def test_hot_frames_count_self_and_inclusive_samples(stages: ModuleType, tmp_path: Path) -> None:
    collapsed = tmp_path / "profile.txt"
    collapsed.write_text(
        "thread (1);run (threading.py:10);parse (jsonpath_ng/parser.py:48);yacc (ply/yacc.py:3000) 3\n"
        "thread (2);run (threading.py:10);read (socket.py:700) 1\n"
    )
    total, self_frames, inclusive = stages.hot_frames(collapsed)
    assert total == 4
    assert self_frames[0] == ("yacc (ply/yacc.py:3000)", 0.75)
    assert dict(inclusive)["run (threading.py)"] == 1.0
    assert dict(inclusive)["parse (jsonpath_ng/parser.py)"] == 0.75


def test_cpu_meter_counts_a_child_process_that_ended(stages: ModuleType) -> None:
    meter = stages.CpuMeter(os.getpid())
    meter.start()
    subprocess.run([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"], check=True)
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:  # some CPU of our own
        pass
    result = meter.stop()
    assert result["lambda_workers_s"] > 0.05  # the child, through cutime/cstime once reaped
    assert result["localstack_s"] >= 0.15
    assert result["machine_busy_s"] >= result["localstack_s"]
