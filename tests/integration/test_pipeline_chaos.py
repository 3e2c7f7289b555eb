"""Chaos end to end: uploads and orders while faults are injected on every hop (tests/localstack faults).

Faults (``POST /_faults`` of the embedded LocalStack, seeded): S3 503 SlowDown and delays for the
functions' S3 calls, DynamoDB throttling for functions and the state machine, SNS throttling, Step
Functions and EventBridge throttling of the functions' calls, Lambda TooManyRequests when the state
machine invokes its tasks, SQS 500s for the ingest poller, and runtimes SIGKILLed mid-invocation.

Outcomes, each observed where it lands (nothing only in a log):
- every good upload (lower-, upper- and mixed-case extensions) ends SUCCEEDED with its metadata item,
  its thumbnails in S3 and its image-processed notification on the audit queue;
- every bad upload (corrupt, unsupported) ends FAILED with exactly its message on processing-errors;
- every high-value order is flagged and alerted exactly once; low-value orders never are.
Prints the faults injected per kind and the outcome counts (processed / reported / lost / duplicated).
"""

from __future__ import annotations

import io
import json
import os
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

pytest.register_assert_rewrite("pipeline_helpers")  # before its import: it is also loaded as a plugin

from pipeline_helpers import (  # noqa: E402
    ENDPOINT,
    QueueCollector,
    Stack,
    corrupt_jpeg,
    small_png,
)

pytest_plugins = ["pipeline_helpers"]

# exclusive: faults injected into every hop of the shared deployment; runs alone, after the rest
pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.exclusive]

TIMEOUT_S = float(os.environ.get("PIPELINE_CHAOS_TIMEOUT", "240"))
SEED = int(os.environ.get("PIPELINE_CHAOS_SEED", "10"))
GOOD_UPLOADS = 18
HIGH_VALUE_ORDERS, LOW_VALUE_ORDERS = 6, 3
ORDER_ATTEMPTS = 8  # a client's tries of one POST /orders (faults can outlast the SDK's 3 tries)
RETRYABLE_STATUSES = (409, 502, 503, 504)
CLIENT_RETRIES: dict[int, int] = {}  # status -> retries, for the summary


def fault_rules(function_names: dict[str, str]) -> list[dict[str, Any]]:
    """One rule per hop and kind; each must inject at least once for the run to count."""
    return [
        # functions -> S3 (validate_input, thumbnail read uploads and write thumbnails)
        {"name": "s3-slowdown", "service": "s3", "callers": ["function"], "rate": 0.15},
        {
            "name": "s3-delay",
            "service": "s3",
            "callers": ["function"],
            "rate": 0.1,
            "error": None,
            "delay_ms": 300,
        },
        # functions (notify, high_value_order, orders_api) and the state machine (StoreMetadata) -> DynamoDB
        {"name": "dynamodb-throughput", "service": "dynamodb", "callers": ["function", "role"], "rate": 0.1},
        {
            "name": "dynamodb-throttling",
            "service": "dynamodb",
            "callers": ["function", "role"],
            "rate": 0.08,
            "error": "ThrottlingException",
        },
        # high_value_order -> alerts, the state machine -> image-processed / processing-errors
        {
            "name": "sns-throttling",
            "service": "sns",
            "operation": "Publish",
            "callers": ["function", "role"],
            "rate": 1.0,
            "max_count": 3,  # the first 3 publishes: fewer than any publisher's retries
        },
        # the state machine -> validate_input / thumbnail
        {
            "name": "lambda-throttled",
            "service": "lambda",
            "operation": "Invoke",
            "callers": ["role"],
            "rate": 0.15,
        },
        # ingest -> StartExecution, order_stream -> PutEvents
        {
            "name": "sfn-throttling",
            "service": "stepfunctions",
            "operation": "StartExecution",
            "callers": ["function"],
            "rate": 0.25,
        },
        {
            "name": "events-throttling",
            "service": "events",
            "operation": "PutEvents",
            "callers": ["function"],
            "rate": 1.0,
            "max_count": 1,  # order_stream makes few calls: its first one is throttled, its SDK retries
        },
        # the image-ingest poller
        {
            "name": "sqs-internal",
            "service": "sqs",
            "operation": "ReceiveMessage",
            "callers": ["role", "service"],
            "rate": 0.5,
            "max_count": 3,
        },
        # runtimes killed mid-invocation (idempotent tasks, and the async notify)
        {
            "name": "kill-validate",
            "kill": function_names["validate_input"],
            "rate": 0.3,
            "after_ms": 20,
            "max_count": 3,  # fewer than the 4 attempts of a task: a kill never fails a good image alone
        },
        {
            "name": "kill-thumbnail",
            "kill": function_names["thumbnail"],
            "rate": 0.3,
            "after_ms": 50,
            "max_count": 3,
        },
        {"name": "kill-notify", "kill": function_names["notify"], "rate": 0.3, "after_ms": 5, "max_count": 2},
    ]


def _faults(method: str, doc: Any = None) -> dict[str, Any]:
    data = json.dumps(doc).encode() if doc is not None else None
    req = urllib.request.Request(f"{ENDPOINT}/_faults", data=data, method=method)
    req.add_header("content-type", "application/json")
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def _jpeg(seed: int) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (640, 480), ((seed * 53) % 256, (seed * 17) % 256, 90))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _uploads(prefix: str) -> tuple[dict[str, bytes], set[str]]:
    """Good uploads (lower-, upper- and mixed-case extensions) and bad ones; returns (bodies, bad keys)."""
    extensions = [".png", ".jpg", ".JPG", ".PNG", ".Jpeg", ".jpeg"]
    plan: dict[str, bytes] = {}
    for i in range(GOOD_UPLOADS):
        ext = extensions[i % len(extensions)]
        body = small_png(i) if ext.lower() == ".png" else _jpeg(i)
        plan[f"uploads/{prefix}/IMG_{i:04d}{ext}"] = body
    bad = {
        f"uploads/{prefix}/corrupt-1.jpg": corrupt_jpeg(),
        f"uploads/{prefix}/CORRUPT-2.JPG": corrupt_jpeg(),
        f"uploads/{prefix}/notes.txt": b"not an image at all\n",
        f"uploads/{prefix}/report.PDF": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
    }
    plan.update(bad)
    return plan, set(bad)


def _executions(stack: Stack, keys: set[str], deadline: float) -> dict[str, dict[str, Any]]:
    """The executions of these keys once all have ended: key -> describe_execution (found by their input)."""
    sfn = stack.client("stepfunctions")
    found: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    while True:
        for status in ("SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"):
            for page in sfn.get_paginator("list_executions").paginate(
                stateMachineArn=stack["state_machine_arn"], statusFilter=status
            ):
                for ex in page["executions"]:
                    if ex["executionArn"] in seen:
                        continue
                    seen.add(ex["executionArn"])
                    desc = sfn.describe_execution(executionArn=ex["executionArn"])
                    key = json.loads(desc.get("input") or "{}").get("key")
                    if key in keys:
                        assert key not in found, f"two executions for {key}"
                        found[key] = desc
        if len(found) == len(keys) or time.monotonic() > deadline:
            return found
        time.sleep(1.0)


def _metadata(stack: Stack, bucket: str, key: str) -> dict[str, Any]:
    return (
        stack.client("dynamodb")
        .get_item(
            TableName=stack["metadata_table_name"],
            Key={"imageId": {"S": f"{bucket}/{key}"}},
            ConsistentRead=True,
        )
        .get("Item", {})
    )


def _post_order(stack: Stack, units: int, unit_price: float) -> str:
    body = {
        "customerId": f"chaos-{uuid.uuid4().hex[:12]}",
        "items": [{"sku": "SKU-C", "quantity": units, "unitPrice": unit_price}],
    }
    # A well-behaved client of an API that is idempotent on the body: a 409 (the same request still in
    # progress) or a 503 (throttled dependency) carries Retry-After; a 502/504 (the function failed or
    # timed out under the faults) is retried after a second. Anything else must be a 201.
    for _ in range(ORDER_ATTEMPTS):
        status, order, headers = stack.http("POST", "/orders", body)
        if status not in RETRYABLE_STATUSES:
            break
        CLIENT_RETRIES[status] = CLIENT_RETRIES.get(status, 0) + 1
        retry_after = {k.lower(): v for k, v in headers.items()}.get("retry-after")
        assert retry_after or status in (502, 504), (status, order, headers)
        time.sleep(float(retry_after or 1))
    assert status == 201, (status, order)
    return str(order["orderId"])


def _order(stack: Stack, order_id: str) -> dict[str, Any]:
    return (
        stack.client("dynamodb")
        .get_item(TableName=stack["orders_table_name"], Key={"orderId": {"S": order_id}}, ConsistentRead=True)
        .get("Item", {})
    )


def _queue_bodies(stack: Stack, url: str) -> list[str]:
    sqs = stack.client("sqs")
    bodies: list[str] = []
    while True:
        msgs = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
            "Messages", []
        )
        if not msgs:
            return bodies
        bodies += [m["Body"] for m in msgs]
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)],
        )


@pytest.fixture
def faults(stack: Stack) -> Any:
    try:
        _faults("DELETE")
    except (urllib.error.URLError, OSError):
        pytest.skip(f"{ENDPOINT} has no /_faults endpoint (not the embedded LocalStack of tests/localstack)")
    report = _faults("POST", {"seed": SEED, "rules": fault_rules(stack["function_names"])})
    assert report["enabled"]
    yield
    _faults("DELETE")


def test_chaos_nothing_lost_nothing_duplicated(
    stack: Stack,
    faults: None,
    errors_topic_queue: QueueCollector,
    audit_messages: QueueCollector,
    alerts_topic_queue: QueueCollector,
) -> None:
    started = time.monotonic()
    deadline = started + TIMEOUT_S
    prefix = f"chaos-{uuid.uuid4().hex[:8]}"
    bucket = stack["uploads_bucket_name"]
    s3 = stack.client("s3")
    errors_topic_queue.drain()
    audit_messages.drain()
    for url in (stack["notify_dlq_url"], stack["high_value_failed_queue_url"], stack["image_ingest_dlq_url"]):
        _queue_bodies(stack, url)

    plan, bad = _uploads(prefix)
    good = set(plan) - bad
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=plan[k]), plan))
        high = list(pool.map(lambda _: _post_order(stack, 3, 50.0), range(HIGH_VALUE_ORDERS)))  # 150 > 100
        low = list(pool.map(lambda _: _post_order(stack, 2, 20.0), range(LOW_VALUE_ORDERS)))  # 40

    executions = _executions(stack, set(plan), deadline)
    lost = sorted(set(plan) - set(executions))

    # Good uploads: SUCCEEDED, metadata, every thumbnail in S3, one image-processed notification.
    processed, not_processed = [], []
    for key in sorted(good & set(executions)):
        image_id = f"{bucket}/{key}"
        item = _metadata(stack, bucket, key)
        thumbs = json.loads(item["thumbnails"]["S"]) if "thumbnails" in item else []
        ok = (
            executions[key]["status"] == "SUCCEEDED"
            and item.get("status", {}).get("S") == "PROCESSED"
            and thumbs
        )
        for thumb in thumbs:
            s3.head_object(Bucket=item["thumbnailBucket"]["S"], Key=thumb["key"])
        if ok:
            audit_messages.wait_for(image_id, timeout=max(5.0, deadline - time.monotonic()))
            processed.append(key)
        else:
            not_processed.append((key, executions[key]["status"], executions[key].get("cause")))

    # Bad uploads: FAILED and reported on processing-errors.
    reported, not_reported = [], []
    for key in sorted(bad & set(executions)):
        if executions[key]["status"] != "FAILED":
            not_reported.append((key, executions[key]["status"]))
            continue
        errors_topic_queue.wait_for(key, timeout=max(5.0, deadline - time.monotonic()))
        reported.append(key)

    # Orders: every high-value one flagged and alerted exactly once, low-value ones never.
    while any(not _order(stack, o).get("highValue", {}).get("BOOL") for o in high):
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    for order_id in high:
        alerts_topic_queue.wait_for(order_id, timeout=max(5.0, deadline - time.monotonic()))
    errors_topic_queue.drain()
    audit_messages.drain()
    alerts_topic_queue.drain()

    report = _faults("GET")
    injected = {r["name"]: r["injected"] for r in report["rules"]}
    elapsed = time.monotonic() - started
    duplicated = sorted(
        [k for k in plan if len(errors_topic_queue.messages.get(k, [])) > 1]
        + [k for k in good if len(audit_messages.messages.get(f"{bucket}/{k}", [])) > 1]
        + [o for o in high if len(alerts_topic_queue.messages.get(o, [])) != 1]
    )
    failed_to_dlq = {
        "notify-dlq": len(_queue_bodies(stack, stack["notify_dlq_url"])),
        "high-value-failed": len(_queue_bodies(stack, stack["high_value_failed_queue_url"])),
        "image-ingest-dlq": len(_queue_bodies(stack, stack["image_ingest_dlq_url"])),
    }
    flagged = sum(1 for o in high if _order(stack, o).get("highValue"))
    by_kind = json.dumps(report["injected"]["by_kind"])
    print(
        f"\n[chaos] {len(plan)} uploads ({len(good)} good, {len(bad)} bad), {len(high) + len(low)} orders"
        f" ({len(high)} high-value) in {elapsed:.1f}s; seed {SEED}"
        f"\n[chaos] faults injected: {report['injected']['total']} {by_kind}"
        f"\n[chaos] per rule: {json.dumps(injected)}"
        f"\n[chaos] outcomes: processed={len(processed)} reported={len(reported)} lost={len(lost)}"
        f" duplicated={len(duplicated)} flagged={flagged}/{len(high)}"
        f"\n[chaos] failure queues after the run: {json.dumps(failed_to_dlq)}"
        f"\n[chaos] client retries of POST /orders by status: {json.dumps(CLIENT_RETRIES)}"
    )

    assert not lost, f"uploads without an execution: {lost}"
    assert not not_processed, f"good uploads not processed despite the retries: {not_processed}"
    assert not not_reported, f"bad uploads not failed-and-reported: {not_reported}"
    assert len(processed) == len(good) and len(reported) == len(bad)
    assert not duplicated, f"duplicated outcomes: {duplicated}"
    assert all(_order(stack, o).get("highValue", {}).get("BOOL") for o in high), (
        "a high-value order was not flagged"
    )
    assert not any(_order(stack, o).get("highValue") for o in low), "a low-value order was flagged"
    assert not any(o in alerts_topic_queue.messages for o in low), "a low-value order was alerted"
    assert failed_to_dlq["high-value-failed"] == 0, "a high-value order event failed every attempt"
    silent = sorted(name for name, n in injected.items() if n == 0)
    assert not silent, (
        f"fault rules that never injected (a hop without faults): {silent}; traffic: {report['traffic']}"
    )
