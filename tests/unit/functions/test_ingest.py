"""Unit tests for the ingest function (moto Step Functions, real S3->SQS event shapes)."""

from __future__ import annotations

import copy
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import EVENTS_DIR, load_function_module
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


# --- concurrent StartExecution --------------------------------------------------------------------


class RecordingSfnClient:
    """Thread-safe fake client: records every call and the peak number of concurrent calls.

    ``fail`` maps an object key to the error code its StartExecution raises; ``barrier`` makes
    callers wait for each other, so a pool smaller than the barrier would time out (and fail).
    """

    def __init__(
        self,
        delay: float = 0.0,
        fail: dict[str, str] | None = None,
        barrier: threading.Barrier | None = None,
    ) -> None:
        self.delay, self.fail, self.barrier = delay, fail or {}, barrier
        self.lock = threading.Lock()
        self.active = self.peak = 0
        self.keys: list[str] = []

    def start_execution(self, *, stateMachineArn: str, name: str, input: str) -> dict[str, Any]:
        key = json.loads(input)["key"]
        with self.lock:
            self.keys.append(key)
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            if self.barrier is not None:
                self.barrier.wait(timeout=5)
            time.sleep(self.delay)
            if key in self.fail:
                raise ClientError(
                    {"Error": {"Code": self.fail[key], "Message": "boom"}, "ResponseMetadata": {}},
                    "StartExecution",
                )
            return {"executionArn": f"{stateMachineArn}:{name}"}
        finally:
            with self.lock:
                self.active -= 1


def s3_body(*keys: str) -> str:
    """One S3 notification (an SQS body) with an ObjectCreated record per key."""
    template = json.loads((EVENTS_DIR / "s3_object_created.json").read_text())["Records"][0]
    records = []
    for key in keys:
        record = copy.deepcopy(template)
        record["s3"]["object"]["key"] = key
        records.append(record)
    return json.dumps({"Records": records})


def use_client(handler: ModuleType, monkeypatch: pytest.MonkeyPatch, client: RecordingSfnClient) -> None:
    sfn_mod = load_function_module("ingest", "ingest_sfn")
    starter = sfn_mod.StepFunctionsStarter(handler.config.state_machine_arn, client=client)
    service = handler.IngestService(starter, max_parallel=handler.config.max_parallel)
    monkeypatch.setattr(handler, "service", service)


def emitted_metrics(output: str) -> dict[str, float]:
    """Sum every metric in the EMF blobs Powertools printed to stdout."""
    totals: dict[str, float] = {}
    for line in output.splitlines():
        if not line.startswith("{"):
            continue
        blob = json.loads(line)
        if "_aws" not in blob:
            continue
        for metric in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
            value = blob[metric["Name"]]
            totals[metric["Name"]] = sum(value) if isinstance(value, list) else value
    return totals


@pytest.mark.parametrize("max_parallel", [1, 4])
def test_batch_starts_every_execution_with_bounded_concurrency(
    aws_env: None, lambda_context: Any, monkeypatch: pytest.MonkeyPatch, max_parallel: int
) -> None:
    monkeypatch.setenv("STATE_MACHINE_ARN", f"arn:aws:states:{REGION}:123456789012:stateMachine:{SM_NAME}")
    monkeypatch.setenv("INGEST_MAX_PARALLEL", str(max_parallel))
    handler = load_function_module("ingest")
    assert handler.config.max_parallel == max_parallel
    barrier = threading.Barrier(max_parallel) if max_parallel > 1 else None
    client = RecordingSfnClient(delay=0.01, barrier=barrier)
    use_client(handler, monkeypatch, client)
    keys = [f"uploads/img-{i}.jpg" for i in range(12)]

    response = handler.lambda_handler(sqs_event(*(s3_body(k) for k in keys)), lambda_context)

    assert response == {"batchItemFailures": []}
    assert sorted(client.keys) == sorted(keys)
    assert client.peak == max_parallel


def test_one_failing_start_among_many_fails_exactly_that_record(
    handler: ModuleType,
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = RecordingSfnClient(delay=0.005, fail={"uploads/img-6.jpg": "AccessDeniedException"})
    use_client(handler, monkeypatch, client)
    keys = [f"uploads/img-{i}.jpg" for i in range(10)]

    response = handler.lambda_handler(sqs_event(*(s3_body(k) for k in keys)), lambda_context)

    assert failures(response) == ["msg-6"]
    assert sorted(client.keys) == sorted(keys)
    totals = emitted_metrics(capsys.readouterr().out)
    assert (totals["ExecutionsStarted"], totals["StartExecutionFailures"]) == (9, 1)
    [error] = [r for r in caplog.records if r.getMessage() == "could not start executions for record"]
    assert error.levelname == "ERROR" and error.message_id == "msg-6"  # type: ignore[attr-defined]
    assert error.exc_info and "AccessDeniedException" in str(error.exc_info[1])


def test_record_with_two_objects_fails_when_one_of_them_fails(
    handler: ModuleType, lambda_context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = RecordingSfnClient(fail={"uploads/b.jpg": "ThrottlingException"})
    use_client(handler, monkeypatch, client)
    event = sqs_event(s3_body("uploads/a.jpg", "uploads/b.jpg"), s3_body("uploads/c.jpg"))

    response = handler.lambda_handler(event, lambda_context)

    assert failures(response) == ["msg-0"]
    assert sorted(client.keys) == ["uploads/a.jpg", "uploads/b.jpg", "uploads/c.jpg"]


def test_record_with_two_objects_succeeds_when_one_already_exists(
    handler: ModuleType, lambda_context: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    client = RecordingSfnClient(fail={"uploads/b.jpg": "ExecutionAlreadyExists"})
    use_client(handler, monkeypatch, client)
    event = sqs_event(s3_body("uploads/a.jpg", "uploads/b.jpg"), s3_body("uploads/c.jpg"))

    response = handler.lambda_handler(event, lambda_context)

    assert response == {"batchItemFailures": []}
    totals = emitted_metrics(capsys.readouterr().out)
    assert (totals["ExecutionsStarted"], totals["DuplicateEvents"]) == (2, 1)


def test_same_object_in_several_records_is_started_once(
    handler: ModuleType, lambda_context: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    client = RecordingSfnClient()
    use_client(handler, monkeypatch, client)
    body = s3_body("uploads/cat.jpg")

    response = handler.lambda_handler(sqs_event(body, body, body), lambda_context)

    assert response == {"batchItemFailures": []}
    assert client.keys == ["uploads/cat.jpg"]
    totals = emitted_metrics(capsys.readouterr().out)
    assert (totals["ExecutionsStarted"], totals["DuplicateEvents"]) == (1, 2)


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


@pytest.mark.parametrize("value", ["0", "33", "-1", "abc", "2.5", "８"])
def test_invalid_ingest_max_parallel_fails_at_init(
    sfn: tuple[Any, str], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("INGEST_MAX_PARALLEL", value)
    with pytest.raises(Exception, match="INGEST_MAX_PARALLEL must be an integer from 1 to 32") as info:
        load_function_module("ingest")
    assert type(info.value).__name__ == "IngestConfigError"


@pytest.mark.parametrize(("value", "expected"), [(None, 8), ("", 8), ("1", 1), (" 16 ", 16), ("32", 32)])
def test_ingest_max_parallel_default_and_bounds(value: str | None, expected: int) -> None:
    cfg = load_function_module("ingest", "ingest_config")
    env = {"STATE_MACHINE_ARN": f"arn:aws:states:{REGION}:123456789012:stateMachine:{SM_NAME}"}
    if value is not None:
        env["INGEST_MAX_PARALLEL"] = value
    assert cfg.IngestConfig.from_env(env).max_parallel == expected
