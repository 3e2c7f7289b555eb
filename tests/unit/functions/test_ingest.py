"""Unit tests for the ingest function (moto Step Functions, real S3->SQS event shapes)."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import load_function_module
from moto import mock_aws

REGION = "us-east-1"
SM_NAME = "imgpipe-dev-image-pipeline"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_SERVICE_NAME": "ingest",
        "POWERTOOLS_METRICS_NAMESPACE": "imgpipe",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def sfn(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str]]:
    with mock_aws():
        client = boto3.client("stepfunctions", region_name=REGION)
        arn = client.create_state_machine(
            name=SM_NAME,
            definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
            roleArn="arn:aws:iam::123456789012:role/sfn",
        )["stateMachineArn"]
        monkeypatch.setenv("STATE_MACHINE_ARN", arn)
        yield client, arn


@pytest.fixture
def handler(sfn: tuple[Any, str]) -> ModuleType:
    return load_function_module("ingest")


def executions(sfn: tuple[Any, str]) -> list[dict[str, Any]]:
    client, arn = sfn
    out = []
    for summary in client.list_executions(stateMachineArn=arn)["executions"]:
        described = client.describe_execution(executionArn=summary["executionArn"])
        out.append({"name": summary["name"], "input": json.loads(described["input"])})
    return out


def sqs_event(*bodies: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"msg-{i}",
                "receiptHandle": f"rh-{i}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "0",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:imgpipe-dev-image-ingest",
                "awsRegion": REGION,
            }
            for i, body in enumerate(bodies)
        ]
    }


def failures(response: dict[str, Any]) -> list[str]:
    return sorted(item["itemIdentifier"] for item in response["batchItemFailures"])


# --- happy path, URL-encoded keys, duplicates -----------------------------------------------------


def test_batch_starts_one_execution_per_object_with_decoded_keys(
    handler: ModuleType, sfn: tuple[Any, str], load_event: Callable[[str], dict], lambda_context: Any
) -> None:
    response = handler.lambda_handler(load_event("sqs_s3_notifications.json"), lambda_context)

    assert response == {"batchItemFailures": []}
    started = {e["input"]["key"]: e for e in executions(sfn)}
    assert set(started) == {
        "uploads/cat.jpg",
        "uploads/summer holiday/Café photo (1).jpeg",
        "uploads/a+b 图片.png",
    }
    cat = started["uploads/cat.jpg"]
    assert cat["input"] == {
        "bucket": "imgpipe-dev-uploads",
        "key": "uploads/cat.jpg",
        "etag": "9b2cf535f27731c974343645a3985328",
        "size": 48213,
        "eventTime": "2026-11-22T10:15:30.123Z",
    }
    for execution in started.values():
        name, i = execution["name"], execution["input"]
        digest = hashlib.sha256(f"{i['bucket']}/{i['key']}/{i['etag']}".encode()).hexdigest()[:40]
        assert len(name) <= 80 and re.fullmatch(r"[A-Za-z0-9_-]+", name)
        assert name.startswith(digest + "-")


def test_same_event_twice_starts_one_execution_per_object(
    handler: ModuleType, sfn: tuple[Any, str], load_event: Callable[[str], dict], lambda_context: Any
) -> None:
    event = load_event("sqs_s3_notifications.json")
    assert handler.lambda_handler(event, lambda_context) == {"batchItemFailures": []}
    assert handler.lambda_handler(copy.deepcopy(event), lambda_context) == {"batchItemFailures": []}

    assert len(executions(sfn)) == 3


def test_duplicate_records_inside_one_batch(
    handler: ModuleType, sfn: tuple[Any, str], load_event: Callable[[str], dict], lambda_context: Any
) -> None:
    body = json.dumps(load_event("s3_object_created.json"))
    response = handler.lambda_handler(sqs_event(body, body), lambda_context)

    assert response == {"batchItemFailures": []}
    assert len(executions(sfn)) == 1


def test_new_version_of_same_key_starts_a_new_execution(
    handler: ModuleType, sfn: tuple[Any, str], load_event: Callable[[str], dict], lambda_context: Any
) -> None:
    first = load_event("s3_object_created.json")
    second = copy.deepcopy(first)
    second["Records"][0]["s3"]["object"]["eTag"] = "0cc175b9c0f1b6a831c399e269772661"

    handler.lambda_handler(sqs_event(json.dumps(first), json.dumps(second)), lambda_context)

    assert len(executions(sfn)) == 2


# --- skipped and malformed records ---------------------------------------------------------------


def test_s3_test_event_is_acknowledged_and_skipped(
    handler: ModuleType, sfn: tuple[Any, str], load_event: Callable[[str], dict], lambda_context: Any
) -> None:
    response = handler.lambda_handler(load_event("sqs_s3_test_event.json"), lambda_context)

    assert response == {"batchItemFailures": []}
    assert executions(sfn) == []


def test_non_object_created_records_are_skipped(
    handler: ModuleType, sfn: tuple[Any, str], load_event: Callable[[str], dict], lambda_context: Any
) -> None:
    removed = load_event("s3_object_created.json")
    removed["Records"][0]["eventName"] = "ObjectRemoved:Delete"

    response = handler.lambda_handler(sqs_event(json.dumps(removed)), lambda_context)

    assert response == {"batchItemFailures": []}
    assert executions(sfn) == []


def _missing_etag(event: dict[str, Any]) -> dict[str, Any]:
    del event["Records"][0]["s3"]["object"]["eTag"]
    return event


def _bad_encoding(event: dict[str, Any]) -> dict[str, Any]:
    event["Records"][0]["s3"]["object"]["key"] = "uploads/%FF.jpg"
    return event


def _not_s3(event: dict[str, Any]) -> dict[str, Any]:
    event["Records"][0]["eventSource"] = "aws:sqs"
    return event


@pytest.mark.parametrize(
    "make_body",
    [
        lambda e: "this is not json",
        lambda e: "",
        lambda e: json.dumps(["a", "list"]),
        lambda e: json.dumps({"hello": "world"}),
        lambda e: json.dumps({"Records": []}),
        lambda e: json.dumps(_missing_etag(e)),
        lambda e: json.dumps(_bad_encoding(e)),
        lambda e: json.dumps(_not_s3(e)),
    ],
    ids=[
        "not-json",
        "empty",
        "json-list",
        "not-s3",
        "no-records",
        "no-etag",
        "bad-encoding",
        "not-s3-source",
    ],
)
def test_malformed_bodies_are_batch_item_failures_and_good_records_still_start(
    handler: ModuleType,
    sfn: tuple[Any, str],
    load_event: Callable[[str], dict],
    lambda_context: Any,
    make_body: Callable[[dict[str, Any]], str],
) -> None:
    good = json.dumps(load_event("s3_object_created.json"))
    bad = make_body(load_event("s3_object_created.json"))

    response = handler.lambda_handler(sqs_event(good, bad), lambda_context)

    assert failures(response) == ["msg-1"]
    assert [e["input"]["key"] for e in executions(sfn)] == ["uploads/cat.jpg"]


def test_entire_batch_failing_is_reported_not_raised(handler: ModuleType, lambda_context: Any) -> None:
    response = handler.lambda_handler(sqs_event("x", "y"), lambda_context)

    assert failures(response) == ["msg-0", "msg-1"]


# --- StartExecution errors -----------------------------------------------------------------------


class FakeSfnClient:
    def __init__(self, code: str, status: int = 400) -> None:
        self.code, self.status, self.calls = code, status, 0

    def start_execution(self, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        raise ClientError(
            {
                "Error": {"Code": self.code, "Message": "boom"},
                "ResponseMetadata": {"HTTPStatusCode": self.status},
            },
            "StartExecution",
        )


def test_throttled_start_execution_is_an_item_failure(
    handler: ModuleType,
    load_event: Callable[[str], dict],
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sfn_mod = load_function_module("ingest", "ingest_sfn")
    fake = FakeSfnClient("ThrottlingException")
    starter = sfn_mod.StepFunctionsStarter(handler.config.state_machine_arn, client=fake)
    monkeypatch.setattr(handler, "service", handler.IngestService(starter))

    response = handler.lambda_handler(load_event("sqs_s3_notifications.json"), lambda_context)

    assert len(response["batchItemFailures"]) == 3
    assert fake.calls == 3


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ThrottlingException", 400, "TransientStartError"),
        ("ExecutionLimitExceeded", 400, "TransientStartError"),
        ("InternalError", 500, "TransientStartError"),
        ("AccessDeniedException", 400, "StartExecutionError"),
        ("StateMachineDoesNotExist", 400, "StartExecutionError"),
    ],
)
def test_adapter_maps_client_errors(sfn: tuple[Any, str], code: str, status: int, expected: str) -> None:
    sfn_mod = load_function_module("ingest", "ingest_sfn")
    starter = sfn_mod.StepFunctionsStarter("arn", client=FakeSfnClient(code, status))
    with pytest.raises(Exception) as info:
        starter.start("name", "{}")
    assert type(info.value).__name__ == expected


def test_adapter_treats_execution_already_exists_as_duplicate(sfn: tuple[Any, str]) -> None:
    sfn_mod = load_function_module("ingest", "ingest_sfn")
    starter = sfn_mod.StepFunctionsStarter("arn", client=FakeSfnClient("ExecutionAlreadyExists"))
    assert starter.start("name", "{}") is False


# --- execution names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "uploads/cat.jpg",
        "uploads/summer holiday/Café photo (1).jpeg",
        "uploads/图片.png",
        "uploads/" + "very-long-name-" * 20 + ".webp",
        "uploads/...",
    ],
)
def test_execution_name_is_deterministic_bounded_and_safe(key: str) -> None:
    svc = load_function_module("ingest", "ingest_service")
    name = svc.execution_name("bucket", key, "etag")

    assert name == svc.execution_name("bucket", key, "etag")
    assert name != svc.execution_name("bucket", key, "other-etag")
    assert len(name) <= 80
    assert re.fullmatch(r"[0-9a-f]{40}(-[A-Za-z0-9_-]+)?", name)


def test_execution_name_keeps_readable_key_tail() -> None:
    svc = load_function_module("ingest", "ingest_service")
    assert svc.execution_name("b", "uploads/cat.jpg", "e").endswith("-uploads_cat_jpg")


# --- configuration -------------------------------------------------------------------------------


def test_missing_state_machine_arn_fails_at_init(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STATE_MACHINE_ARN", raising=False)
    with pytest.raises(Exception, match="STATE_MACHINE_ARN is required") as info:
        load_function_module("ingest")
    assert type(info.value).__name__ == "IngestConfigError"


def test_invalid_state_machine_arn_fails_at_init(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STATE_MACHINE_ARN", "arn:aws:sqs:us-east-1:123456789012:queue")
    with pytest.raises(Exception, match="not a Step Functions state machine ARN"):
        load_function_module("ingest")
