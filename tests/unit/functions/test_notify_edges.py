"""notify edge cases found by mutation testing (make mutate): event shapes, DynamoDB error paths."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from conftest import load_function_module

IMAGE_ID = "imgpipe-dev-uploads/uploads/cat.jpg"


@pytest.fixture
def service() -> ModuleType:
    return load_function_module("notify", "notify_service")


@pytest.fixture
def store_module() -> ModuleType:
    return load_function_module("notify", "notify_store")


def sns_record(message: Any, source: str = "aws:sns") -> dict[str, Any]:
    return {"EventSource": source, "Sns": {"MessageId": "m-1", "Message": json.dumps(message)}}


def test_sns_shaped_record_from_another_source_is_malformed(service: ModuleType) -> None:
    # parse_event returns a malformed record as its error (the handler still handles the others).
    for source in ("aws:sqs", "aws:events", "aws:snt", "aws:snz"):
        [error] = service.parse_event({"Records": [sns_record({"imageId": IMAGE_ID}, source)]})
        assert type(error).__name__ == "MalformedMessageError" and "not an SNS record" in str(error)


def test_bucket_without_key_is_not_an_image_id(service: ModuleType) -> None:
    for message in ({"bucket": "b"}, {"key": "k"}, {"bucket": "b", "key": 3}):
        [error] = service.parse_event({"Records": [sns_record(message)]})
        assert type(error).__name__ == "MalformedMessageError" and "no 'imageId'" in str(error)


def test_message_id_is_carried(service: ModuleType) -> None:
    [n] = service.parse_event({"Records": [sns_record({"imageId": IMAGE_ID})]})
    assert (n.image_id, n.message_id) == (IMAGE_ID, "m-1")


def client_error(code: str, status: int = 400, item: dict[str, Any] | None = None) -> ClientError:
    response: dict[str, Any] = {
        "Error": {"Code": code, "Message": "x"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    if item is not None:
        response["Item"] = item
    return ClientError(response, "UpdateItem")


class FakeDynamo:
    """update_item fails as configured; get_item answers `stored` (or fails) and records its calls."""

    def __init__(
        self,
        update_error: Exception,
        stored: dict[str, Any] | None = None,
        get_error: Exception | None = None,
    ):
        self.update_error, self.stored, self.get_error = update_error, stored, get_error
        self.gets: list[dict[str, Any]] = []

    def update_item(self, **kwargs: Any) -> None:
        raise self.update_error

    def get_item(self, **kwargs: Any) -> dict[str, Any]:
        self.gets.append(kwargs)
        if self.get_error:
            raise self.get_error
        return {"Item": self.stored} if self.stored is not None else {}


NOTIFIED = {"imageId": {"S": IMAGE_ID}, "notified": {"BOOL": True}}


def test_condition_failure_with_the_old_item_needs_no_read(store_module: ModuleType) -> None:
    fake = FakeDynamo(client_error("ConditionalCheckFailedException", item=NOTIFIED))
    assert store_module.MetadataStore("t", client=fake).mark_notified(IMAGE_ID, "now", "m") is False
    assert fake.gets == []


def test_condition_failure_without_item_reads_it_back_consistently(store_module: ModuleType) -> None:
    fake = FakeDynamo(client_error("ConditionalCheckFailedException"), stored=NOTIFIED)
    assert store_module.MetadataStore("t", client=fake).mark_notified(IMAGE_ID, "now", "m") is False
    assert fake.gets[0]["ConsistentRead"] is True and fake.gets[0]["Key"] == {"imageId": {"S": IMAGE_ID}}


def test_condition_failure_on_a_missing_item_is_not_found(store_module: ModuleType) -> None:
    fake = FakeDynamo(client_error("ConditionalCheckFailedException"), stored=None)
    with pytest.raises(Exception, match="does not exist") as info:
        store_module.MetadataStore("t", client=fake).mark_notified(IMAGE_ID, "now", "m")
    assert type(info.value).__name__ == "ImageNotFoundError"


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (EndpointConnectionError(endpoint_url="https://dynamodb"), "TransientError"),
        (client_error("AccessDeniedException"), "StorageError"),
        (client_error("SomethingNew", 500), "TransientError"),
        (client_error("SomethingNew", 503), "TransientError"),
        (client_error("SomethingNew", 499), "StorageError"),
    ],
    ids=["network", "denied", "5xx", "503", "4xx"],
)
def test_errors_of_the_read_back_and_the_update_are_classified(
    store_module: ModuleType, error: Exception, expected: str
) -> None:
    read_back = FakeDynamo(client_error("ConditionalCheckFailedException"), get_error=error)
    with pytest.raises(Exception) as info:
        store_module.MetadataStore("t", client=read_back).mark_notified(IMAGE_ID, "now", "m")
    assert type(info.value).__name__ == expected

    update = FakeDynamo(error)
    with pytest.raises(Exception) as info:
        store_module.MetadataStore("t", client=update).mark_notified(IMAGE_ID, "now", "m")
    assert type(info.value).__name__ == expected
