"""Unit tests for notify: moto DynamoDB and the real SNS -> Lambda event shape."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import load_function_module
from moto import mock_aws

REGION = "us-east-1"
TABLE = "imgpipe-dev-image-metadata"
IMAGE_ID = "imgpipe-dev-uploads/uploads/cat.jpg"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_SERVICE_NAME": "notify",
        "POWERTOOLS_METRICS_NAMESPACE": "imgpipe",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "METADATA_TABLE": TABLE,
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def ddb(aws_env: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "imageId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "imageId", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client


@pytest.fixture
def handler(ddb: Any) -> ModuleType:
    return load_function_module("notify")


def store_metadata(ddb: Any, image_id: str = IMAGE_ID) -> None:
    """The item as the StoreMetadata state writes it."""
    bucket, key = image_id.split("/", 1)
    ddb.put_item(
        TableName=TABLE,
        Item={
            "imageId": {"S": image_id},
            "bucket": {"S": bucket},
            "key": {"S": key},
            "etag": {"S": "9b2cf535f27731c974343645a3985328"},
            "format": {"S": "JPEG"},
            "width": {"N": "1200"},
            "height": {"N": "900"},
            "size": {"N": "48213"},
            "thumbnails": {"S": json.dumps({"bucket": "t", "items": []})},
            "status": {"S": "PROCESSED"},
        },
    )


def item(ddb: Any, image_id: str = IMAGE_ID) -> dict[str, Any]:
    return ddb.get_item(TableName=TABLE, Key={"imageId": {"S": image_id}}, ConsistentRead=True).get(
        "Item", {}
    )


def with_message(event: dict[str, Any], message: Any) -> dict[str, Any]:
    event = copy.deepcopy(event)
    event["Records"][0]["Sns"]["Message"] = message if isinstance(message, str) else json.dumps(message)
    return event


def test_marks_item_notified(
    handler: ModuleType, ddb: Any, load_event: Callable[[str], dict], lambda_context: Any
) -> None:
    store_metadata(ddb)

    result = handler.lambda_handler(load_event("sns_image_processed.json"), lambda_context)

    assert result == {"results": [{"imageId": IMAGE_ID, "status": "notified"}]}
    stored = item(ddb)
    assert stored["notified"] == {"BOOL": True}
    assert stored["notifiedAt"]["S"].endswith("Z")
    assert stored["notificationMessageId"] == {"S": "95df01b4-ee98-5cb9-9903-4c221d41eb5e"}
    assert stored["status"] == {"S": "PROCESSED"}  # the rest of the item is untouched


def test_repeat_delivery_is_a_noop(
    handler: ModuleType, ddb: Any, load_event: Callable[[str], dict], lambda_context: Any
) -> None:
    store_metadata(ddb)
    event = load_event("sns_image_processed.json")
    handler.lambda_handler(event, lambda_context)
    first = item(ddb)

    result = handler.lambda_handler(event, lambda_context)

    assert result == {"results": [{"imageId": IMAGE_ID, "status": "already_notified"}]}
    assert item(ddb) == first  # notifiedAt not overwritten


def test_missing_item_raises_for_async_retry(
    handler: ModuleType, ddb: Any, load_event: Callable[[str], dict], lambda_context: Any
) -> None:
    with pytest.raises(Exception, match="does not exist") as info:
        handler.lambda_handler(load_event("sns_image_processed.json"), lambda_context)

    assert type(info.value).__name__ == "ImageNotFoundError"
    assert item(ddb) == {}  # the conditional update did not create a partial item


def test_image_id_falls_back_to_bucket_and_key(
    handler: ModuleType, ddb: Any, load_event: Callable[[str], dict], lambda_context: Any
) -> None:
    store_metadata(ddb)
    event = with_message(
        load_event("sns_image_processed.json"), {"bucket": "imgpipe-dev-uploads", "key": "uploads/cat.jpg"}
    )

    assert handler.lambda_handler(event, lambda_context)["results"][0]["status"] == "notified"


@pytest.mark.parametrize(
    "mutate",
    [
        lambda e: with_message(e, "not json at all"),
        lambda e: with_message(e, ["a", "list"]),
        lambda e: with_message(e, {"thumbnails": []}),
        lambda e: with_message(e, {"imageId": ""}),
        lambda e: {"Records": []},
        lambda e: {"detail": "an EventBridge event"},
        lambda e: {"Records": [{"EventSource": "aws:sqs", "body": "{}"}]},
    ],
    ids=["not-json", "not-object", "no-image-id", "empty-image-id", "no-records", "not-sns", "sqs-record"],
)
def test_malformed_events_raise_clear_errors(
    handler: ModuleType,
    ddb: Any,
    load_event: Callable[[str], dict],
    lambda_context: Any,
    mutate: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    with pytest.raises(Exception) as info:
        handler.lambda_handler(mutate(load_event("sns_image_processed.json")), lambda_context)
    assert type(info.value).__name__ == "MalformedMessageError"


class FailingDynamo:
    def __init__(self, code: str, status: int) -> None:
        self.code, self.status = code, status

    def update_item(self, **kwargs: Any) -> None:
        raise ClientError(
            {
                "Error": {"Code": self.code, "Message": "x"},
                "ResponseMetadata": {"HTTPStatusCode": self.status},
            },
            "UpdateItem",
        )


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ProvisionedThroughputExceededException", 400, "TransientError"),
        ("InternalServerError", 500, "TransientError"),
        ("AccessDeniedException", 400, "StorageError"),
    ],
)
def test_dynamodb_errors_are_classified(handler: ModuleType, code: str, status: int, expected: str) -> None:
    store = handler.MetadataStore(TABLE, client=FailingDynamo(code, status))
    with pytest.raises(Exception) as info:
        store.mark_notified(IMAGE_ID, "2026-11-22T10:15:40.000Z", "m")
    assert type(info.value).__name__ == expected


def test_missing_table_config_fails_at_init(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("METADATA_TABLE")
    with pytest.raises(Exception, match="METADATA_TABLE is required") as info:
        load_function_module("notify")
    assert type(info.value).__name__ == "NotifyConfigError"
