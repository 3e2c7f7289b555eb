"""high_value_order edge cases found by mutation testing (make mutate): event validation, DynamoDB and
SNS error paths, the rollback of a flag whose alert failed."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from conftest import load_function_module


@pytest.fixture
def service() -> ModuleType:
    return load_function_module("high_value_order", "high_value_service")


@pytest.fixture
def repository() -> ModuleType:
    return load_function_module("high_value_order", "high_value_repository")


def event(total: Any, detail_type: str = "OrderCreated") -> dict[str, Any]:
    return {"detail-type": detail_type, "detail": {"orderId": "o-1", "total": total}}


@pytest.mark.parametrize("total", [0, 0.5, 100, 1e9])
def test_non_negative_totals_are_accepted(service: ModuleType, total: float) -> None:
    assert service.parse_order_event(event(total)).total == total


@pytest.mark.parametrize("total", [-0.5, -1, float("nan"), float("inf"), True, "120"])
def test_negative_or_non_numeric_totals_are_rejected(service: ModuleType, total: Any) -> None:
    with pytest.raises(Exception, match="non-negative number") as info:
        service.parse_order_event(event(total))
    assert type(info.value).__name__ == "InvalidOrderEventError"


@pytest.mark.parametrize("detail_type", ["Alarm", "OrderStatusChanged", "Zebra", ""])
def test_other_detail_types_are_rejected(service: ModuleType, detail_type: str) -> None:
    with pytest.raises(Exception, match="expected detail-type") as info:
        service.parse_order_event(event(120, detail_type))
    assert type(info.value).__name__ == "InvalidOrderEventError"


def client_error(code: str, item: dict[str, Any] | None = None) -> ClientError:
    response: dict[str, Any] = {
        "Error": {"Code": code, "Message": "x"},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    if item is not None:
        response["Item"] = item
    return ClientError(response, "UpdateItem")


class FailingDynamo:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls: list[dict[str, Any]] = []

    def update_item(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)
        raise self.error


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (
            client_error("ConditionalCheckFailedException", {"orderId": {"S": "o-1"}}),
            "OrderAlreadyFlaggedError",
        ),
        (client_error("ConditionalCheckFailedException"), "OrderNotFoundError"),
        (client_error("AccessDeniedException"), "RepositoryError"),
        (client_error("ValidationException"), "RepositoryError"),
        (EndpointConnectionError(endpoint_url="https://dynamodb"), "RepositoryError"),
    ],
    ids=["flagged", "missing", "denied", "validation", "network"],
)
def test_flag_errors_are_classified(repository: ModuleType, error: Exception, expected: str) -> None:
    with pytest.raises(Exception) as info:
        repository.OrderFlagRepository(FailingDynamo(error), "orders").flag_high_value("o-1", "t")
    assert type(info.value).__name__ == expected


def test_unflag_yields_to_a_newer_flag(repository: ModuleType) -> None:
    # A code built at run time, like botocore's parsed one (not the interned literal): equality, not identity.
    fake = FailingDynamo(client_error("".join(["ConditionalCheck", "FailedException"])))
    repository.OrderFlagRepository(fake, "orders").unflag("o-1", "t")  # no error: someone else owns it
    assert fake.calls[0]["ExpressionAttributeValues"] == {":at": {"S": "t"}}


@pytest.mark.parametrize(
    "error",
    [
        client_error("AccessDeniedException"),
        client_error("ValidationException"),
        EndpointConnectionError(endpoint_url="x"),
    ],
    ids=["denied", "validation", "network"],
)
def test_unflag_failures_are_repository_errors(repository: ModuleType, error: Exception) -> None:
    with pytest.raises(Exception, match="roll back") as info:
        repository.OrderFlagRepository(FailingDynamo(error), "orders").unflag("o-1", "t")
    assert type(info.value).__name__ == "RepositoryError"


class RecordingSns:
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, **kwargs: Any) -> dict[str, Any]:
        self.published.append(kwargs)
        return {"MessageId": "msg-1"}


def test_alert_subject_fits_the_sns_limit() -> None:
    publisher = load_function_module("high_value_order", "alerts_publisher")
    sns = RecordingSns()
    order_id = "o" * 200

    assert publisher.AlertsPublisher(sns, "arn:topic").publish_high_value(order_id, 120) == "msg-1"

    subject = sns.published[0]["Subject"]
    assert len(subject) == 100 and subject == f"High-value order {order_id}"[:100]


def test_failed_rollback_still_raises_the_publish_error(service: ModuleType) -> None:
    exceptions = service  # the classes the service catches (a fresh import would be other classes)

    class Store:
        def flag_high_value(self, order_id: str, flagged_at: str) -> None:
            return None

        def unflag(self, order_id: str, flagged_at: str) -> None:
            raise exceptions.RepositoryError("rollback failed")

    class Alerts:
        def publish_high_value(self, order_id: str, total: float) -> str:
            raise exceptions.AlertPublishError("sns down")

    svc = service.HighValueOrderService(Store(), Alerts(), clock=lambda: "t")
    with pytest.raises(Exception, match="sns down") as info:
        svc.handle(service.HighValueOrder("o-1", 120))
    assert type(info.value).__name__ == "AlertPublishError"
    assert type(info.value.__cause__).__name__ == "RepositoryError"
