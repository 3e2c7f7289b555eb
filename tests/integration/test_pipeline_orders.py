"""End to end: the orders REST API, and orders -> stream -> bus -> high-value rule -> high_value_order."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

pytest.register_assert_rewrite("pipeline_helpers")  # before its import: it is also loaded as a plugin

from pipeline_helpers import QueueCollector, Stack, signed_request  # noqa: E402

pytest_plugins = ["pipeline_helpers"]


pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def _new_order(total_units: int, unit_price: float = 10.0) -> dict[str, Any]:
    return {
        "customerId": f"e2e-{uuid.uuid4().hex[:12]}",
        "items": [{"sku": "SKU-1", "quantity": total_units, "unitPrice": unit_price}],
    }


def _order_item(stack: Stack, order_id: str) -> dict[str, Any]:
    return (
        stack.client("dynamodb")
        .get_item(TableName=stack["orders_table_name"], Key={"orderId": {"S": order_id}}, ConsistentRead=True)
        .get("Item", {})
    )


def test_api_is_iam_authorized_and_requests_are_signed(stack: Stack) -> None:
    # LocalStack Community does not enforce IAM: check what was deployed and what the suite sends.
    apigw = stack.client("apigateway")
    methods = {
        (r["path"], m): apigw.get_method(restApiId=stack["api_id"], resourceId=r["id"], httpMethod=m)
        for r in apigw.get_resources(restApiId=stack["api_id"])["items"]
        for m in r.get("resourceMethods", {})
    }
    assert len(methods) == 8, sorted(methods)
    public = {k: v["authorizationType"] for k, v in methods.items() if v["authorizationType"] != "AWS_IAM"}
    assert public == {}
    assert stack["api_execution_arn"].endswith(f":{stack['api_id']}")

    auth = signed_request("GET", f"{stack.api_url}/orders").get_header("Authorization", "")
    assert auth.startswith("AWS4-HMAC-SHA256 Credential=test/")
    assert "/us-east-1/execute-api/aws4_request" in auth


def test_create_is_idempotent_and_get_returns_the_order(stack: Stack) -> None:
    body = _new_order(3, 12.5)
    status, order, headers = stack.http("POST", "/orders", body)
    assert status == 201, order
    assert order["status"] == "PENDING" and order["total"] == 37.5 and order["currency"] == "EUR"
    assert order["customerId"] == body["customerId"]

    # A client retry with the same body returns the same order, not a second one.
    status, again, _ = stack.http("POST", "/orders", body)
    assert status == 201 and again["orderId"] == order["orderId"]

    status, fetched, _ = stack.http("GET", f"/orders/{order['orderId']}")
    assert status == 200 and fetched == order

    matches = stack.client("dynamodb").scan(
        TableName=stack["orders_table_name"],
        FilterExpression="customerId = :c",
        ExpressionAttributeValues={":c": {"S": body["customerId"]}},
    )["Items"]
    assert len(matches) == 1


def test_list_orders_by_date_and_paginated(stack: Stack) -> None:
    created = []
    for _ in range(3):
        status, order, _ = stack.http("POST", "/orders", _new_order(1))
        assert status == 201
        created.append(order)
    date = created[0]["orderDate"]

    status, page, _ = stack.http("GET", f"/orders?date={date}")
    assert status == 200
    listed = {o["orderId"] for o in page["orders"]}
    token = page.get("nextToken")
    while token:
        status, page, _ = stack.http("GET", f"/orders?date={date}&nextToken={token}")
        assert status == 200
        listed |= {o["orderId"] for o in page["orders"]}
        token = page.get("nextToken")
    assert {o["orderId"] for o in created} <= listed

    status, page, _ = stack.http("GET", "/orders?limit=2")
    assert status == 200 and len(page["orders"]) <= 2 and page["count"] == len(page["orders"])


def test_update_status_and_illegal_transition(stack: Stack) -> None:
    status, order, _ = stack.http("POST", "/orders", _new_order(2))
    assert status == 201
    path = f"/orders/{order['orderId']}"

    status, paid, _ = stack.http("PUT", path, {"status": "PAID"})
    assert status == 200 and paid["status"] == "PAID"
    status, shipped, _ = stack.http("PUT", path, {"status": "SHIPPED"})
    assert status == 200 and shipped["status"] == "SHIPPED"
    status, body, _ = stack.http("PUT", path, {"status": "PENDING"})
    assert status == 409, body
    assert stack.http("GET", path)[1]["status"] == "SHIPPED"


@pytest.mark.parametrize(
    ("method", "path", "payload", "raw", "expected"),
    [
        ("POST", "/orders", None, b"{not json", 400),
        ("POST", "/orders", {"items": [{"sku": "A", "quantity": 1, "unitPrice": 1}]}, None, 400),
        ("POST", "/orders", {"customerId": "c", "items": []}, None, 400),
        (
            "POST",
            "/orders",
            {"customerId": "c", "items": [{"sku": "A", "quantity": -1, "unitPrice": 1}]},
            None,
            400,
        ),
        ("PUT", "/orders/00000000-0000-4000-8000-000000000000", {"status": "NOPE"}, None, 400),
        ("GET", "/orders/00000000-0000-4000-8000-000000000000", None, None, 404),
        ("PUT", "/orders/00000000-0000-4000-8000-000000000000", {"status": "PAID"}, None, 404),
        ("DELETE", "/orders/00000000-0000-4000-8000-000000000000", None, None, 405),
        ("PATCH", "/orders", {}, None, 405),
        ("GET", "/uploads", None, None, 405),
        ("GET", "/no-such-route", None, None, 404),
    ],
)
def test_client_errors(
    stack: Stack, method: str, path: str, payload: Any, raw: bytes | None, expected: int
) -> None:
    status, body, headers = stack.http(method, path, payload, raw=raw)
    assert status == expected, body
    assert isinstance(body, dict) and body.get("message"), body
    if expected == 405:
        assert {k.lower(): v for k, v in headers.items()}.get("allow"), headers


def test_presigned_upload_url(stack: Stack) -> None:
    status, body, _ = stack.http("POST", "/uploads", {"filename": "cat.png", "contentType": "image/png"})
    assert status == 201, body
    assert body["key"].startswith("uploads/") and body["key"].endswith(".png")
    assert body["expiresIn"] > 0 and body["uploadUrl"].startswith("http")
    status, body, _ = stack.http("POST", "/uploads", {"filename": "notes.txt", "contentType": "text/plain"})
    assert status == 400, body


def test_high_value_order_is_flagged_and_alerted_low_value_is_not(
    stack: Stack, alerts_topic_queue: QueueCollector
) -> None:
    # The low-value order goes first; the high-value one after it is the positive control: once it is
    # flagged and alerted, the low-value order (earlier on the same stream, same rule) has had its chance.
    status, low, _ = stack.http("POST", "/orders", _new_order(10, 10.0))  # 100, not > 100
    assert status == 201 and low["total"] == 100
    status, high, _ = stack.http("POST", "/orders", _new_order(3, 40.0))  # 120 > 100
    assert status == 201 and high["total"] == 120

    deadline = time.monotonic() + 60
    while not _order_item(stack, high["orderId"]).get("highValue", {}).get("BOOL"):
        assert time.monotonic() < deadline, "the high-value order was not flagged by high_value_order"
        time.sleep(0.5)
    alert = alerts_topic_queue.wait_for(high["orderId"])[0]
    assert float(alert["total"]) == 120

    assert "highValue" not in _order_item(stack, low["orderId"])
    alerts_topic_queue.drain()
    assert low["orderId"] not in alerts_topic_queue.messages
