"""Unit tests for high_value_order (moto DynamoDB, SNS fanned out to SQS, real EventBridge event)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from decimal import Decimal
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import load_function_module
from moto import mock_aws

REGION = "us-east-1"
ORDERS_TABLE = "imgpipe-dev-orders"
ORDER_ID = "9b2e7d10-4c3a-4f8e-8a1b-6c5d4e3f2a10"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_SERVICE_NAME": "high_value_order",
        "POWERTOOLS_METRICS_NAMESPACE": "imgpipe",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "ORDERS_TABLE": ORDERS_TABLE,
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def aws(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    with mock_aws():
        ddb = boto3.resource("dynamodb", region_name=REGION)
        table = ddb.create_table(
            TableName=ORDERS_TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "orderId", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
        )
        table.put_item(
            Item={
                "orderId": ORDER_ID,
                "orderDate": "2026-11-22",
                "createdAt": "2026-11-22T10:15:30.123Z",
                "customerId": "cust-42",
                "total": Decimal("250.50"),
                "currency": "EUR",
                "status": "PENDING",
            }
        )
        sns = boto3.client("sns", region_name=REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        topic_arn = sns.create_topic(Name="imgpipe-dev-alerts")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="alerts-audit")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
        monkeypatch.setenv("ALERTS_TOPIC_ARN", topic_arn)
        yield {"table": table, "sqs": sqs, "queue_url": queue_url, "topic_arn": topic_arn}


@pytest.fixture
def handler(aws: dict[str, Any]) -> ModuleType:
    return load_function_module("high_value_order")


def alerts(aws: dict[str, Any]) -> list[dict[str, Any]]:
    response = aws["sqs"].receive_message(
        QueueUrl=aws["queue_url"], MaxNumberOfMessages=10, WaitTimeSeconds=0
    )
    return [json.loads(m["Body"]) for m in response.get("Messages", [])]


def stored(aws: dict[str, Any], order_id: str = ORDER_ID) -> dict[str, Any] | None:
    return aws["table"].get_item(Key={"orderId": order_id}).get("Item")


def test_flags_the_order_and_publishes_one_alert(handler, aws, load_event, lambda_context) -> None:
    result = handler.lambda_handler(load_event("eventbridge_order_created.json"), lambda_context)

    assert result["orderId"] == ORDER_ID and result["flagged"] is True and result["messageId"]
    item = stored(aws)
    assert item is not None
    assert item["highValue"] is True
    assert item["flaggedAt"].endswith("Z")
    assert item["status"] == "PENDING"  # nothing else touched
    [envelope] = alerts(aws)
    assert envelope["TopicArn"] == aws["topic_arn"]
    assert json.loads(envelope["Message"]) == {"orderId": ORDER_ID, "total": 250.5}
    attributes = envelope["MessageAttributes"]
    assert attributes["eventType"] == {"Type": "String", "Value": "HighValueOrder"}
    assert attributes["total"] == {"Type": "Number", "Value": "250.5"}


def test_redelivered_event_is_a_no_op(handler, aws, load_event, lambda_context) -> None:
    event = load_event("eventbridge_order_created.json")
    handler.lambda_handler(event, lambda_context)
    first = stored(aws)
    assert len(alerts(aws)) == 1

    result = handler.lambda_handler(copy.deepcopy(event), lambda_context)

    assert result["flagged"] is False and result["messageId"] is None
    assert alerts(aws) == []  # nothing published the second time
    assert stored(aws) == first  # flaggedAt unchanged


def test_missing_order_raises_so_the_retry_policy_and_dlq_see_it(
    handler, aws, load_event, lambda_context
) -> None:
    event = load_event("eventbridge_order_created.json")
    event["detail"]["orderId"] = "does-not-exist"

    with pytest.raises(Exception, match="does not exist") as raised:
        handler.lambda_handler(event, lambda_context)

    assert type(raised.value).__name__ == "OrderNotFoundError"
    assert stored(aws, "does-not-exist") is None  # the conditional update created nothing
    assert alerts(aws) == []


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda e: e.pop("detail"), "no detail object"),
        (lambda e: e.update(detail="text"), "no detail object"),
        (lambda e: e["detail"].pop("orderId"), "detail.orderId"),
        (lambda e: e["detail"].update(orderId=""), "detail.orderId"),
        (lambda e: e["detail"].update(orderId=42), "detail.orderId"),
        (lambda e: e["detail"].pop("total"), "detail.total"),
        (lambda e: e["detail"].update(total="250.5"), "detail.total"),
        (lambda e: e["detail"].update(total=True), "detail.total"),
        (lambda e: e["detail"].update(total=-1), "detail.total"),
        (lambda e: e.update({"detail-type": "OrderStatusChanged"}), "detail-type"),
    ],
)
def test_malformed_event_raises_a_clear_error(
    handler, aws, load_event, lambda_context, mutate, message
) -> None:
    event = load_event("eventbridge_order_created.json")
    mutate(event)

    with pytest.raises(ValueError, match=message) as raised:
        handler.lambda_handler(event, lambda_context)

    assert type(raised.value).__name__ == "InvalidOrderEventError"
    assert "highValue" not in (stored(aws) or {})
    assert alerts(aws) == []


class FailingOnceSns:
    """SNS double whose first publish fails; later ones go to the real (moto) client."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.attempts = 0

    def publish(self, **kwargs: Any) -> dict[str, Any]:
        self.attempts += 1
        if self.attempts == 1:
            raise ClientError({"Error": {"Code": "InternalError", "Message": "try again"}}, "Publish")
        result: dict[str, Any] = self.real.publish(**kwargs)
        return result


def test_failed_alert_rolls_back_the_flag_so_the_retry_alerts(
    handler, aws, load_event, lambda_context, monkeypatch
) -> None:
    sns = FailingOnceSns(boto3.client("sns", region_name=REGION))
    service = handler.HighValueOrderService(
        handler.OrderFlagRepository(handler.dynamodb_client, ORDERS_TABLE),
        handler.AlertsPublisher(sns, aws["topic_arn"]),
    )
    monkeypatch.setattr(handler, "service", service)
    event = load_event("eventbridge_order_created.json")

    with pytest.raises(Exception, match="could not publish") as raised:
        handler.lambda_handler(event, lambda_context)
    assert type(raised.value).__name__ == "AlertPublishError"
    assert "highValue" not in (stored(aws) or {})  # rolled back

    result = handler.lambda_handler(copy.deepcopy(event), lambda_context)  # the async retry
    assert result["flagged"] is True
    assert stored(aws)["highValue"] is True  # type: ignore[index]
    assert len(alerts(aws)) == 1


def test_dynamodb_failure_is_retryable_error(handler, aws, load_event, lambda_context) -> None:
    aws["table"].delete()
    with pytest.raises(Exception, match="could not flag") as raised:
        handler.lambda_handler(load_event("eventbridge_order_created.json"), lambda_context)
    assert type(raised.value).__name__ == "RepositoryError"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ORDERS_TABLE": ""}, "ORDERS_TABLE"),
        ({"ALERTS_TOPIC_ARN": ""}, "ALERTS_TOPIC_ARN"),
        ({"ALERTS_TOPIC_ARN": "imgpipe-dev-alerts"}, "not an SNS topic ARN"),
    ],
)
def test_config_is_validated_at_init(aws_env, monkeypatch, env, message) -> None:
    monkeypatch.setenv("ALERTS_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:imgpipe-dev-alerts")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(Exception, match=message) as raised:
        load_function_module("high_value_order")
    assert type(raised.value).__name__ == "ConfigurationError"
