"""Smoke test: an SQS mapping runs concurrent batches, at most ScalingConfig.MaximumConcurrency."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

DeployedFunction = Any
LocalStack = Any

pytestmark = pytest.mark.integration

SLOW = """
import json, os, time
import boto3

sqs = boto3.client("sqs")

def lambda_handler(event, context):
    started = time.time()
    time.sleep(2)
    sqs.send_message(QueueUrl=os.environ["SINK"], MessageBody=json.dumps(
        {"start": started, "end": time.time(), "n": len(event["Records"])}))
    return {"batchItemFailures": []}
"""


def most_overlapping(spans: list[tuple[float, float]]) -> int:
    edges = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    running = best = 0
    for _, step in edges:
        running += step
        best = max(best, running)
    return best


def test_sqs_mapping_runs_up_to_maximum_concurrency_batches_at_once(
    localstack: LocalStack,
    deploy_function: Callable[..., DeployedFunction],
    unique_name: Callable[[str], str],
    wait_until: Callable[..., Any],
) -> None:
    sqs, lam = localstack.client("sqs"), localstack.client("lambda")
    source = sqs.create_queue(QueueName=unique_name("esm-src"), Attributes={"VisibilityTimeout": "60"})[
        "QueueUrl"
    ]
    sink = sqs.create_queue(QueueName=unique_name("esm-sink"))["QueueUrl"]
    localstack.defer(lambda: sqs.delete_queue(QueueUrl=source))
    localstack.defer(lambda: sqs.delete_queue(QueueUrl=sink))
    fn = deploy_function("esm-slow", {"handler.py": SLOW}, env={"SINK": sink}, timeout=30)
    source_arn = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]

    for i in range(6):
        sqs.send_message(QueueUrl=source, MessageBody=json.dumps({"i": i}))
    mapping = lam.create_event_source_mapping(
        EventSourceArn=source_arn, FunctionName=fn.name, BatchSize=1, ScalingConfig={"MaximumConcurrency": 3}
    )
    localstack.defer(lambda: lam.delete_event_source_mapping(UUID=mapping["UUID"]))

    spans: list[tuple[float, float]] = []

    def collected() -> bool:
        for m in sqs.receive_message(QueueUrl=sink, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            body = json.loads(m["Body"])
            spans.append((body["start"], body["end"]))
            sqs.delete_message(QueueUrl=sink, ReceiptHandle=m["ReceiptHandle"])
        return len(spans) >= 6

    started = time.monotonic()
    wait_until(collected, timeout=120, message="six batches of the mapping")
    assert len(spans) == 6
    overlap = most_overlapping(spans)
    assert 2 <= overlap <= 3, f"batches in flight at once: {overlap} (MaximumConcurrency 3), spans {spans}"
    print(f"\n[esm] 6 x 2 s batches done in {time.monotonic() - started:.1f} s, up to {overlap} at once")
