"""End to end: a poison message in an image-ingest batch fails alone (partial batch response) and ends in
image-ingest-dlq after maxReceiveCount receives, while the rest of its batch is processed."""

from __future__ import annotations

import json
import time
import uuid

import pytest

pytest.register_assert_rewrite("pipeline_helpers")  # before its import: it is also loaded as a plugin

from pipeline_helpers import Stack, execution_name, s3_event, small_png  # noqa: E402

pytest_plugins = ["pipeline_helpers"]


pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.long]  # three visibility timeouts


def test_poison_message_goes_to_dlq_and_the_rest_of_the_batch_succeeds(stack: Stack) -> None:
    run = uuid.uuid4().hex[:8]
    bucket = stack["uploads_bucket_name"]
    s3 = stack.client("s3")
    sqs = stack.client("sqs")

    # Good images beside the poison message. Their own S3 notifications name the same executions (the
    # name is derived from bucket/key/etag), so each image runs once, whichever message is read first.
    good = []
    for i in range(3):
        key = f"uploads/e2e-{run}/poison-batch/img-{i}.png"
        body = small_png(i)
        etag = s3.put_object(Bucket=bucket, Key=key, Body=body)["ETag"].strip('"')
        good.append((key, etag, len(body)))

    poison = f"poison message {run}: this is not an S3 event notification"
    entries = [{"Id": "poison", "MessageBody": poison}] + [
        {"Id": f"good{i}", "MessageBody": json.dumps(s3_event(bucket, key, etag, size))}
        for i, (key, etag, size) in enumerate(good)
    ]
    started = time.monotonic()
    sent = sqs.send_message_batch(QueueUrl=stack["image_ingest_queue_url"], Entries=entries)
    assert not sent.get("Failed"), sent

    # The rest of the batch is processed at once.
    for key, etag, _ in good:
        desc = stack.wait_execution(execution_name(bucket, key, etag), timeout=60)
        assert desc["status"] == "SUCCEEDED", desc

    # The poison message is received maxReceiveCount (3) times, then moved to the DLQ.
    visibility = int(
        sqs.get_queue_attributes(
            QueueUrl=stack["image_ingest_queue_url"], AttributeNames=["VisibilityTimeout"]
        )["Attributes"]["VisibilityTimeout"]
    )
    deadline = started + 4 * visibility + 60
    dlq_bodies: list[str] = []
    while poison not in dlq_bodies:
        assert time.monotonic() < deadline, (
            f"poison message not in image-ingest-dlq after {deadline - started:.0f}s"
        )
        resp = sqs.receive_message(
            QueueUrl=stack["image_ingest_dlq_url"],
            MaxNumberOfMessages=10,
            WaitTimeSeconds=2,
            AttributeNames=["ApproximateReceiveCount"],
        )
        for m in resp.get("Messages", []):
            dlq_bodies.append(m["Body"])
            if m["Body"] == poison:
                sqs.delete_message(QueueUrl=stack["image_ingest_dlq_url"], ReceiptHandle=m["ReceiptHandle"])
    print(f"\npoison message reached image-ingest-dlq after {time.monotonic() - started:.1f}s")
    assert not any(run in b and b != poison for b in dlq_bodies), (
        "a good message of the batch was dead-lettered"
    )
