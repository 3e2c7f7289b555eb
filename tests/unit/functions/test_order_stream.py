"""Unit tests for order_stream (real DynamoDB stream batch shape; moto EventBridge and a stub client)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import load_function_module
from moto import mock_aws

REGION = "us-east-1"
BUS = "imgpipe-dev-orders"
SOURCE = "imgpipe.orders"
ORDER_A = "3f1c2a4e-8d5b-4c1e-9a7f-2b6d0e9c1a11"
ORDER_B = "9b2e7d10-4c3a-4f8e-8a1b-6c5d4e3f2a10"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_SERVICE_NAME": "order_stream",
        "POWERTOOLS_METRICS_NAMESPACE": "imgpipe",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "EVENT_BUS_NAME": BUS,
        "EVENT_SOURCE": SOURCE,
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def handler(aws_env: None) -> ModuleType:
    return load_function_module("order_stream")


class StubEvents:
    """EventBridge client double: records every PutEvents call, answers from a script."""

    def __init__(self, failures: dict[int, dict[int, str]] | None = None, raise_on_call: int | None = None):
        self.calls: list[list[dict[str, Any]]] = []
        self._failures = failures or {}  # call number -> {entry index: ErrorCode}
        self._raise_on_call = raise_on_call

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803 (boto3 casing)
        call = len(self.calls)
        self.calls.append(Entries)
        if call == self._raise_on_call:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "PutEvents")
        failed = self._failures.get(call, {})
        entries = [
            {"ErrorCode": failed[i], "ErrorMessage": "rejected"}
            if i in failed
            else {"EventId": f"ev-{call}-{i}"}
            for i in range(len(Entries))
        ]
        return {"FailedEntryCount": len(failed), "Entries": entries}

    @property
    def entries(self) -> list[dict[str, Any]]:
        return [entry for call in self.calls for entry in call]


def use_stub(handler: ModuleType, stub: StubEvents, monkeypatch: pytest.MonkeyPatch) -> None:
    publisher = handler.EventBridgePublisher(stub)
    monkeypatch.setattr(handler, "service", handler.OrderStreamService(publisher, SOURCE, BUS))


def inserts(template: dict[str, Any], count: int) -> dict[str, Any]:
    """A batch of `count` INSERT records with increasing sequence numbers."""
    base = template["Records"][0]
    records = []
    for i in range(count):
        record = copy.deepcopy(base)
        record["dynamodb"]["SequenceNumber"] = f"5000000000000{i:08d}"
        record["dynamodb"]["NewImage"]["orderId"] = {"S": f"order-{i:03d}"}
        record["dynamodb"]["Keys"]["orderId"] = {"S": f"order-{i:03d}"}
        records.append(record)
    return {"Records": records}


def seqs(event: dict[str, Any], start: int = 0) -> list[dict[str, str]]:
    return [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in event["Records"][start:]]


# --- mapping ------------------------------------------------------------------------------------------------


def test_batch_maps_inserts_and_status_changes_only(handler, load_event, lambda_context, monkeypatch) -> None:
    stub = StubEvents()
    use_stub(handler, stub, monkeypatch)
    event = load_event("ddb_orders_stream_batch.json")

    response = handler.lambda_handler(event, lambda_context)

    assert response == {"batchItemFailures": []}
    assert len(stub.calls) == 1  # 3 events, one PutEvents call
    kinds = [(e["DetailType"], json.loads(e["Detail"])["orderId"]) for e in stub.entries]
    # INSERT A, INSERT B, highValue-only MODIFY (skipped), status MODIFY A, REMOVE (skipped)
    assert kinds == [("OrderCreated", ORDER_A), ("OrderCreated", ORDER_B), ("OrderStatusChanged", ORDER_A)]
    assert all(e["Source"] == SOURCE and e["EventBusName"] == BUS for e in stub.entries)

    created = json.loads(stub.entries[0]["Detail"])
    assert created == {
        "orderId": ORDER_A,
        "status": "PENDING",
        "total": 44.99,
        "currency": "EUR",
        "customerId": "cust-42",
        "orderDate": "2026-11-22",
    }
    assert json.loads(stub.entries[1]["Detail"])["total"] == 250  # Decimal -> JSON number (numeric rule)
    changed = json.loads(stub.entries[2]["Detail"])
    assert changed["status"] == "PAID" and changed["previousStatus"] == "PENDING"
    assert stub.entries[0]["Time"] == datetime.fromtimestamp(1795342531, tz=UTC)


def test_events_reach_the_bus(handler, load_event, lambda_context, aws_env) -> None:
    """End to end in moto: a rule on the custom bus forwards the events to an SQS queue."""
    with mock_aws():
        events = boto3.client("events", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        events.create_event_bus(Name=BUS)
        queue_url = sqs.create_queue(QueueName="capture")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        events.put_rule(Name="all-orders", EventBusName=BUS, EventPattern=json.dumps({"source": [SOURCE]}))
        events.put_targets(Rule="all-orders", EventBusName=BUS, Targets=[{"Id": "q", "Arn": queue_arn}])
        module = load_function_module("order_stream")  # clients created inside the mock

        response = module.lambda_handler(load_event("ddb_orders_stream_batch.json"), lambda_context)

        assert response == {"batchItemFailures": []}
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
        bodies = sorted((json.loads(m["Body"]) for m in messages), key=lambda b: b["time"])
        assert [b["detail-type"] for b in bodies] == ["OrderCreated", "OrderCreated", "OrderStatusChanged"]
        assert {b["source"] for b in bodies} == {SOURCE}
        assert bodies[1]["detail"]["total"] == 250


def test_remove_and_unchanged_status_emit_nothing(handler, load_event, lambda_context, monkeypatch) -> None:
    stub = StubEvents()
    use_stub(handler, stub, monkeypatch)
    records = load_event("ddb_orders_stream_batch.json")["Records"]
    event = {"Records": [records[2], records[4]]}

    assert handler.lambda_handler(event, lambda_context) == {"batchItemFailures": []}
    assert stub.calls == []


def test_empty_batch(handler, lambda_context, monkeypatch) -> None:
    stub = StubEvents()
    use_stub(handler, stub, monkeypatch)
    assert handler.lambda_handler({"Records": []}, lambda_context) == {"batchItemFailures": []}
    assert stub.calls == []


# --- batching and partial failures --------------------------------------------------------------------------


def test_put_events_is_batched_by_ten(handler, load_event, lambda_context, monkeypatch) -> None:
    stub = StubEvents()
    use_stub(handler, stub, monkeypatch)
    event = inserts(load_event("ddb_orders_stream_batch.json"), 25)

    assert handler.lambda_handler(event, lambda_context) == {"batchItemFailures": []}
    assert [len(call) for call in stub.calls] == [10, 10, 5]
    order_ids = [json.loads(e["Detail"])["orderId"] for e in stub.entries]
    assert order_ids == [f"order-{i:03d}" for i in range(25)]  # order preserved


def test_entry_failure_fails_that_record_and_every_later_one(
    handler, load_event, lambda_context, monkeypatch
) -> None:
    # call 0 (records 0-9): entries 3 and 7 rejected -> records 3.. fail; calls for 10-24 are never made
    stub = StubEvents(failures={0: {3: "ThrottlingException", 7: "InternalFailure"}})
    use_stub(handler, stub, monkeypatch)
    event = inserts(load_event("ddb_orders_stream_batch.json"), 25)

    response = handler.lambda_handler(event, lambda_context)

    assert response == {"batchItemFailures": seqs(event, start=3)}
    assert len(stub.calls) == 1


def test_failure_in_a_later_chunk_keeps_earlier_chunks(
    handler, load_event, lambda_context, monkeypatch
) -> None:
    stub = StubEvents(failures={1: {4: "InternalFailure"}})  # record 14
    use_stub(handler, stub, monkeypatch)
    event = inserts(load_event("ddb_orders_stream_batch.json"), 25)

    response = handler.lambda_handler(event, lambda_context)

    assert response == {"batchItemFailures": seqs(event, start=14)}
    assert [len(call) for call in stub.calls] == [10, 10]


def test_failed_put_events_call_fails_its_whole_chunk(
    handler, load_event, lambda_context, monkeypatch
) -> None:
    stub = StubEvents(raise_on_call=1)
    use_stub(handler, stub, monkeypatch)
    event = inserts(load_event("ddb_orders_stream_batch.json"), 12)

    response = handler.lambda_handler(event, lambda_context)

    assert response == {"batchItemFailures": seqs(event, start=10)}


def test_entire_batch_failure_is_reported_not_raised(
    handler, load_event, lambda_context, monkeypatch
) -> None:
    stub = StubEvents(raise_on_call=0)
    use_stub(handler, stub, monkeypatch)
    event = load_event("ddb_orders_stream_batch.json")

    response = handler.lambda_handler(event, lambda_context)

    assert response == {"batchItemFailures": seqs(event)}


def test_skipped_records_after_a_failure_are_reported_too(
    handler, load_event, lambda_context, monkeypatch
) -> None:
    # entry 1 = record 1 (INSERT B) rejected: records 2 (skipped MODIFY), 3, 4 (REMOVE) must be redelivered
    stub = StubEvents(failures={0: {1: "InternalFailure"}})
    use_stub(handler, stub, monkeypatch)
    event = load_event("ddb_orders_stream_batch.json")

    assert handler.lambda_handler(event, lambda_context) == {"batchItemFailures": seqs(event, start=1)}


@pytest.mark.parametrize(
    "break_record",
    [
        pytest.param(lambda r: r["dynamodb"].pop("NewImage"), id="insert-without-new-image"),
        pytest.param(lambda r: r["dynamodb"]["NewImage"].pop("orderId"), id="image-without-order-id"),
        pytest.param(lambda r: r["dynamodb"]["NewImage"].update(total={"Q": "1"}), id="bad-attribute-type"),
        pytest.param(lambda r: r.update(eventName="TRUNCATE"), id="unknown-event-name"),
    ],
)
def test_malformed_record_fails_from_there_on(
    handler, load_event, lambda_context, monkeypatch, break_record
) -> None:
    stub = StubEvents()
    use_stub(handler, stub, monkeypatch)
    event = load_event("ddb_orders_stream_batch.json")
    break_record(event["Records"][1])

    response = handler.lambda_handler(event, lambda_context)

    assert response == {"batchItemFailures": seqs(event, start=1)}
    assert [json.loads(e["Detail"])["orderId"] for e in stub.entries] == [
        ORDER_A
    ]  # records before it published


def test_modify_without_old_image_is_malformed(handler, load_event, lambda_context, monkeypatch) -> None:
    stub = StubEvents()
    use_stub(handler, stub, monkeypatch)
    event = load_event("ddb_orders_stream_batch.json")
    event["Records"][3]["dynamodb"].pop("OldImage")

    assert handler.lambda_handler(event, lambda_context) == {"batchItemFailures": seqs(event, start=3)}
    assert len(stub.entries) == 2


def test_publisher_rejects_more_than_ten_entries(handler) -> None:
    with pytest.raises(ValueError, match="at most 10"):
        handler.EventBridgePublisher(StubEvents()).put_events([{}] * 11)


# --- configuration ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EVENT_BUS_NAME": ""}, "EVENT_BUS_NAME"),
        ({"EVENT_SOURCE": " "}, "EVENT_SOURCE"),
        ({"EVENT_SOURCE": "aws.orders"}, "must be 1-256"),
    ],
)
def test_config_is_validated_at_init(aws_env, monkeypatch, env, message) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(Exception, match=message) as raised:
        load_function_module("order_stream")
    assert type(raised.value).__name__ == "ConfigurationError"
