"""End to end under load: 200 uploads, 10% of them bad. Every upload ends processed (thumbnails written)
or failed-and-reported (FAILED execution + message on processing-errors): nothing is lost.
Prints wall time and upload-to-thumbnail latency percentiles (and writes them to .local/e2e-load.json)."""

from __future__ import annotations

import json
import os
import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytest.register_assert_rewrite("pipeline_helpers")  # before its import: it is also loaded as a plugin

from pipeline_helpers import ROOT, QueueCollector, Stack, corrupt_jpeg, execution_name, small_png  # noqa: E402

pytest_plugins = ["pipeline_helpers"]


pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.long]  # 200 uploads

TOTAL = int(os.environ.get("PIPELINE_LOAD_UPLOADS", "200"))
BAD_EVERY = 10  # every 10th upload is bad: 10%
TIMEOUT_S = float(os.environ.get("PIPELINE_LOAD_TIMEOUT", "600"))


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


@pytest.mark.timeout(TIMEOUT_S + 120, func_only=True)
def test_load_200_uploads_nothing_lost(stack: Stack, errors_topic_queue: QueueCollector) -> None:
    run = uuid.uuid4().hex[:8]
    prefix = f"load-{run}"
    bucket = stack["uploads_bucket_name"]
    s3 = stack.client("s3")
    sizes = stack.thumbnail_sizes

    plan: dict[str, tuple[bytes, bool]] = {}
    for i in range(TOTAL):
        bad = i % BAD_EVERY == BAD_EVERY - 1
        key = f"uploads/{prefix}/{'bad' if bad else 'img'}-{i:03d}.{'jpg' if bad else 'png'}"
        plan[key] = (corrupt_jpeg() if bad else small_png(i), bad)

    uploaded_at: dict[str, float] = {}
    uploaded_wall: dict[str, float] = {}  # epoch seconds: compared with server-side timestamps
    names: dict[str, str] = {}

    def upload(key: str) -> None:
        etag = s3.put_object(Bucket=bucket, Key=key, Body=plan[key][0])["ETag"].strip('"')
        uploaded_at[key] = time.monotonic()
        uploaded_wall[key] = time.time()
        names[key] = execution_name(bucket, key, etag)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(upload, plan))
    upload_s = time.monotonic() - started

    good = {k for k, (_, bad) in plan.items() if not bad}
    bad_keys = set(plan) - good
    first_thumb = {f"thumbnails/{k.removeprefix('uploads/')}-{sizes[0]}.png": k for k in good}
    thumb_seen: dict[str, float] = {}
    thumb_seen_wall: dict[str, float] = {}
    reported: set[str] = set()
    paginator = s3.get_paginator("list_objects_v2")
    deadline = started + TIMEOUT_S
    # Settled = thumbnail written or failure published; a good image may fail too (e.g. throttled
    # beyond the retries) as long as it is reported, so wait for that rather than for a thumbnail.
    while any(k not in thumb_seen and k not in errors_topic_queue.messages for k in plan):
        if time.monotonic() > deadline:
            break
        for page in paginator.paginate(
            Bucket=stack["thumbnails_bucket_name"], Prefix=f"thumbnails/{prefix}/"
        ):
            now = time.monotonic()
            for obj in page.get("Contents", []):
                source = first_thumb.get(obj["Key"])
                if source and source not in thumb_seen:
                    thumb_seen[source] = now
                    thumb_seen_wall[source] = time.time()
        errors_topic_queue.drain()
        reported = {k for k in bad_keys if k in errors_topic_queue.messages}
        time.sleep(0.25)
    wall_s = time.monotonic() - started

    # Final states of every execution.
    sfn = stack.client("stepfunctions")
    status: dict[str, str] = {}

    def describe(key: str) -> None:
        try:
            status[key] = sfn.describe_execution(executionArn=stack.execution_arn(names[key]))["status"]
        except sfn.exceptions.ExecutionDoesNotExist:
            status[key] = "MISSING"

    # The thumbnail is written before StoreMetadata and NotifyComplete: wait (within the same deadline)
    # until no execution is RUNNING, so a slow tail is measured rather than counted as lost.
    pending = list(plan)
    while pending:
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(describe, pending))
        pending = [k for k in pending if status[k] == "RUNNING"]
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    settled_s = time.monotonic() - started

    processed = [k for k in good if status[k] == "SUCCEEDED" and k in thumb_seen]
    failed_reported = [k for k in bad_keys if status[k] == "FAILED" and k in reported]
    # A good image may also fail (e.g. throttling beyond the retries) as long as it is reported.
    errors_topic_queue.drain()
    good_failed_reported = [k for k in good if status[k] == "FAILED" and k in errors_topic_queue.messages]
    lost = sorted(set(plan) - set(processed) - set(failed_reported) - set(good_failed_reported))

    latencies = [thumb_seen[k] - uploaded_at[k] for k in processed]
    result: dict[str, float | int | None] = {
        "uploads": TOTAL,
        "bad": len(bad_keys),
        "processed": len(processed),
        "failed_and_reported": len(failed_reported) + len(good_failed_reported),
        "good_failed_and_reported": len(good_failed_reported),
        "lost": len(lost),
        "upload_seconds": round(upload_s, 1),
        "wall_seconds": round(wall_s, 1),
        "all_executions_ended_seconds": round(settled_s, 1),
        "latency_p50_seconds": round(statistics.median(latencies), 2) if latencies else None,
        "latency_p95_seconds": round(_percentile(latencies, 95), 2) if latencies else None,
        "latency_max_seconds": round(max(latencies), 2) if latencies else None,
    }
    print("\nload result: " + json.dumps(result))
    out = Path(ROOT) / ".local" / "e2e-load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    # Per upload, for the stage breakdown (scripts/burst_stages.py): epoch seconds, the client's view.
    images = [
        {
            "key": k,
            "bad": plan[k][1],
            "execution_name": names[k],
            "status": status[k],
            "uploaded_at": uploaded_wall[k],
            "thumbnail_seen_at": thumb_seen_wall.get(k),
            "thumbnail_key": next((t for t, src in first_thumb.items() if src == k), None),
        }
        for k in plan
    ]
    deployment = {
        "state_machine_arn": stack["state_machine_arn"],
        "thumbnails_bucket_name": stack["thumbnails_bucket_name"],
        "ingest_function_name": stack["function_names"]["ingest"],
    }
    out.write_text(json.dumps({**result, "deployment": deployment, "images": images}, indent=2) + "\n")

    assert not lost, f"{len(lost)} uploads neither processed nor reported, e.g. {lost[:5]}: " + str(
        {k: status[k] for k in lost[:5]}
    )
    assert len(processed) + len(failed_reported) + len(good_failed_reported) == TOTAL
    assert len(failed_reported) == len(bad_keys)
