"""Unit tests for the orders API (moto DynamoDB + S3, real API Gateway REST proxy events)."""

from __future__ import annotations

import base64
import copy
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
from conftest import EVENTS_DIR, FakeLambdaContext, load_function_module
from moto import mock_aws
from orders_table import create_orders_table

REGION = "us-east-1"
ORDERS_TABLE = "imgpipe-dev-orders"
IDEMPOTENCY_TABLE = "imgpipe-dev-idempotency"
UPLOADS_BUCKET = "imgpipe-dev-uploads"
UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"

Event = dict[str, Any]


ENV = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_LAMBDA_FUNCTION_NAME": "imgpipe-dev-orders-api",
    "POWERTOOLS_SERVICE_NAME": "orders_api",
    "POWERTOOLS_METRICS_NAMESPACE": "imgpipe",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "ORDERS_TABLE": ORDERS_TABLE,
    "IDEMPOTENCY_TABLE": IDEMPOTENCY_TABLE,
    "UPLOADS_BUCKET": UPLOADS_BUCKET,
    "UPLOAD_URL_EXPIRES": "900",
}


def set_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch)


@contextmanager
def mocked_aws() -> Iterator[dict[str, Any]]:
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name=REGION)
        create_orders_table(ddb, ORDERS_TABLE, stream=True)
        ddb.create_table(
            TableName=IDEMPOTENCY_TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        )
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=UPLOADS_BUCKET)
        yield {"ddb": ddb, "orders": boto3.resource("dynamodb", region_name=REGION).Table(ORDERS_TABLE)}


@pytest.fixture
def aws(aws_env: None) -> Iterator[dict[str, Any]]:
    with mocked_aws() as resources:
        yield resources


def make_caller(api: ModuleType, context: Any) -> Callable[[Event], tuple[int, Any, dict[str, str]]]:
    def _call(event: Event) -> tuple[int, Any, dict[str, str]]:
        response = api.lambda_handler(copy.deepcopy(event), context)
        body = json.loads(response["body"]) if response.get("body") else None
        headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
        headers.update({k.lower(): ",".join(v) for k, v in (response.get("multiValueHeaders") or {}).items()})
        return response["statusCode"], body, headers

    return _call


@pytest.fixture
def api(aws: dict[str, Any]) -> ModuleType:
    return load_function_module("orders_api")


@pytest.fixture
def call(api: ModuleType, lambda_context: Any) -> Callable[[Event], tuple[int, Any, dict[str, str]]]:
    return make_caller(api, lambda_context)


def with_body(event: Event, body: Any, raw: bool = False) -> Event:
    event = copy.deepcopy(event)
    event["body"] = body if raw else json.dumps(body)
    return event


def request(template: Event, method: str, path: str, query: dict[str, str] | None = None) -> Event:
    event = copy.deepcopy(template)
    event["httpMethod"] = method
    event["path"] = path
    event["requestContext"]["httpMethod"] = method
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} if query else None
    return event


def order_body(customer: str = "cust-42", price: Any = 12.5) -> dict[str, Any]:
    return {"customerId": customer, "items": [{"sku": "MUG-001", "quantity": 2, "unitPrice": price}]}


def all_orders(aws: dict[str, Any]) -> list[dict[str, Any]]:
    return list(aws["orders"].scan()["Items"])


# --- POST /orders -------------------------------------------------------------------------------------------


def test_create_order_computes_total_and_stores_it(call, load_event, aws) -> None:
    status, body, headers = call(load_event("apigw_post_orders.json"))

    assert status == 201
    assert re.fullmatch(UUID_RE, body["orderId"])
    assert body["status"] == "PENDING"
    assert body["total"] == 44.99  # 2 x 12.5 + 19.99, computed server-side
    assert body["currency"] == "EUR"
    assert body["customerId"] == "cust-42"
    assert body["orderDate"] == body["createdAt"][:10]
    assert body["createdAt"].endswith("Z")
    assert headers["location"] == f"/orders/{body['orderId']}"
    [stored] = all_orders(aws)
    assert stored["total"] == Decimal("44.99")
    assert stored["items"][0] == {"sku": "MUG-001", "quantity": Decimal(2), "unitPrice": Decimal("12.5")}
    assert "highValue" not in stored


def test_create_order_is_idempotent_on_the_request_body(call, load_event, aws) -> None:
    event = load_event("apigw_post_orders.json")
    first = call(event)
    retry = call(event)
    # the same order written differently (key order, spacing, 12.50 vs 12.5, eur vs EUR) is the same request
    rewritten = (
        '{"currency":"eur","items":[{"unitPrice":12.50,"quantity":2,"sku":"MUG-001"},'
        '{"sku":"TEE-XL","quantity":1,"unitPrice":19.990}],"customerId":" cust-42 "}'
    )
    third = call(with_body(event, rewritten, raw=True))

    assert first[0] == retry[0] == third[0] == 201
    assert first[1] == retry[1] == third[1]
    assert len(all_orders(aws)) == 1
    assert aws["ddb"].scan(TableName=IDEMPOTENCY_TABLE)["Count"] == 1

    other = call(with_body(event, order_body(customer="cust-7")))
    assert other[0] == 201 and other[1]["orderId"] != first[1]["orderId"]
    assert len(all_orders(aws)) == 2


def test_identical_create_still_in_progress_is_a_409_and_creates_nothing(call, load_event, aws) -> None:
    event = load_event("apigw_post_orders.json")
    assert call(event)[0] == 201
    [record] = aws["ddb"].scan(TableName=IDEMPOTENCY_TABLE)["Items"]
    # the key names the wrapped function: records written before a deployment still match after it
    assert record["id"]["S"].startswith("imgpipe-dev-orders-api.handler.create_order_once#")
    aws["ddb"].update_item(
        TableName=IDEMPOTENCY_TABLE,
        Key={"id": record["id"]},
        UpdateExpression="SET #s = :s REMOVE #d",
        ExpressionAttributeNames={"#s": "status", "#d": "data"},
        ExpressionAttributeValues={":s": {"S": "INPROGRESS"}},
    )

    status, body, headers = call(event)

    assert status == 409
    assert body == {"message": "an identical request is still being processed; retry shortly"}
    assert headers["retry-after"] == "1"
    assert len(all_orders(aws)) == 1


@pytest.mark.parametrize(
    ("items", "total"),
    [
        ([{"sku": "A", "quantity": 3, "unitPrice": 0.333}], 1.0),  # 0.999 -> 1.00
        ([{"sku": "A", "quantity": 1, "unitPrice": 0.005}], 0.01),  # half-up
        ([{"sku": "A", "quantity": 10, "unitPrice": 0.1}], 1.0),  # no float drift
        ([{"sku": "A", "quantity": 1, "unitPrice": 0}], 0),
        (
            [{"sku": "A", "quantity": 2, "unitPrice": 60}, {"sku": "B", "quantity": 1, "unitPrice": 0.01}],
            120.01,
        ),
    ],
)
def test_total_is_a_decimal_rounded_to_cents(call, load_event, aws, items, total) -> None:
    status, body, _ = call(
        with_body(load_event("apigw_post_orders.json"), {"customerId": "c", "items": items})
    )
    assert status == 201
    assert body["total"] == total
    assert all_orders(aws)[0]["total"] == Decimal(str(total)).quantize(Decimal("0.01"))


def test_currency_is_optional_and_normalised(call, load_event) -> None:
    event = load_event("apigw_post_orders.json")
    assert call(with_body(event, order_body()))[1]["currency"] == "EUR"
    assert call(with_body(event, {**order_body("c2"), "currency": "usd"}))[1]["currency"] == "USD"


def test_base64_encoded_body_is_accepted(call, load_event) -> None:
    event = load_event("apigw_post_orders.json")
    event["body"] = base64.b64encode(json.dumps(order_body()).encode()).decode()
    event["isBase64Encoded"] = True
    assert call(event)[0] == 201


BAD_ORDER_BODIES = [
    pytest.param("{not json", "not valid JSON", id="malformed-json"),
    pytest.param("", "body is required", id="empty-body"),
    pytest.param("[1, 2]", "JSON object", id="array-body"),
    pytest.param('"text"', "JSON object", id="string-body"),
    pytest.param(
        {"items": [{"sku": "A", "quantity": 1, "unitPrice": 1}]}, "'customerId' is required", id="no-customer"
    ),
    pytest.param(
        {**order_body(), "customerId": "  "}, "'customerId' must be a non-empty string", id="blank-customer"
    ),
    pytest.param(
        {**order_body(), "customerId": 42}, "'customerId' must be a non-empty string", id="numeric-customer"
    ),
    pytest.param({**order_body(), "customerId": "x" * 200}, "at most 128", id="long-customer"),
    pytest.param({"customerId": "c"}, "'items' is required", id="no-items"),
    pytest.param({"customerId": "c", "items": []}, "non-empty list", id="empty-items"),
    pytest.param({"customerId": "c", "items": {"sku": "A"}}, "non-empty list", id="items-object"),
    pytest.param({"customerId": "c", "items": ["A"]}, "'items[0]' must be an object", id="item-string"),
    pytest.param(
        {"customerId": "c", "items": [{"quantity": 1, "unitPrice": 1}]},
        "'items[0].sku' is required",
        id="no-sku",
    ),
    pytest.param(
        {"customerId": "c", "items": [{"sku": 5, "quantity": 1, "unitPrice": 1}]},
        "'items[0].sku' must be",
        id="numeric-sku",
    ),
    pytest.param(
        {"customerId": "c", "items": [{"sku": "A", "unitPrice": 1}]},
        "'items[0].quantity' is required",
        id="no-quantity",
    ),
    pytest.param(
        {"customerId": "c", "items": [{"sku": "A", "quantity": 0, "unitPrice": 1}]},
        "'items[0].quantity' must be an integer",
        id="zero-quantity",
    ),
    pytest.param(
        {"customerId": "c", "items": [{"sku": "A", "quantity": 1.5, "unitPrice": 1}]},
        "'items[0].quantity' must be an integer",
        id="fractional-quantity",
    ),
    pytest.param(
        {"customerId": "c", "items": [{"sku": "A", "quantity": "2", "unitPrice": 1}]},
        "'items[0].quantity' must be an integer",
        id="string-quantity",
    ),
    pytest.param(
        {"customerId": "c", "items": [{"sku": "A", "quantity": True, "unitPrice": 1}]},
        "'items[0].quantity' must be an integer",
        id="bool-quantity",
    ),
    pytest.param(
        {"customerId": "c", "items": [{"sku": "A", "quantity": 1}]},
        "'items[0].unitPrice' is required",
        id="no-price",
    ),
    pytest.param(
        {"customerId": "c", "items": [{"sku": "A", "quantity": 1, "unitPrice": -1}]},
        "'items[0].unitPrice' must be between",
        id="negative-price",
    ),
    pytest.param(
        {"customerId": "c", "items": [{"sku": "A", "quantity": 1, "unitPrice": "3.50"}]},
        "'items[0].unitPrice' must be a number",
        id="string-price",
    ),
    pytest.param(
        {"customerId": "c", "items": [{"sku": "A", "quantity": 1, "unitPrice": 1e300}]},
        "'items[0].unitPrice' must be between",
        id="huge-price",
    ),
    pytest.param(
        {"customerId": "c", "items": [{"sku": "A", "quantity": 1, "unitPrice": 1.123456}]},
        "at most 4 decimal places",
        id="too-precise-price",
    ),
    pytest.param(
        '{"customerId": "c", "items": [{"sku": "A", "quantity": 1, "unitPrice": NaN}]}',
        "NaN is not a valid JSON number",
        id="nan-price",
    ),
    pytest.param(
        {"customerId": "c", "items": [{"sku": "A", "quantity": 1, "unitPrice": 1}] * 101},
        "at most 100",
        id="too-many-items",
    ),
    pytest.param({**order_body(), "currency": "EURO"}, "'currency' must be a 3-letter", id="bad-currency"),
    pytest.param({**order_body(), "currency": 978}, "'currency' must be a 3-letter", id="numeric-currency"),
]


def test_oversize_body_is_413(call, load_event, aws) -> None:
    body = {**order_body(), "note": "x" * (70 * 1024)}
    status, response, _ = call(with_body(load_event("apigw_post_orders.json"), body))
    assert status == 413
    assert "exceeds" in response["message"]
    assert all_orders(aws) == []


# --- GET /orders/{id} ---------------------------------------------------------------------------------------


def test_get_order_returns_the_stored_order(call, load_event) -> None:
    _, created, _ = call(load_event("apigw_post_orders.json"))
    event = request(load_event("apigw_get_order.json"), "GET", f"/orders/{created['orderId']}")

    status, body, _ = call(event)

    assert status == 200
    assert body == created


# --- GET /orders --------------------------------------------------------------------------------------------


def put_order(
    aws: dict[str, Any], order_id: str, order_date: str, created_at: str, total: str = "10.00"
) -> None:
    aws["orders"].put_item(
        Item={
            "orderId": order_id,
            "orderDate": order_date,
            "createdAt": created_at,
            "updatedAt": created_at,
            "customerId": "c",
            "items": [{"sku": "A", "quantity": 1, "unitPrice": Decimal(total)}],
            "total": Decimal(total),
            "currency": "EUR",
            "status": "PENDING",
        }
    )


def test_list_orders_paginates_with_an_opaque_token(call, load_event, aws) -> None:
    for i in range(5):
        put_order(aws, f"order-{i}", "2026-11-20", f"2026-11-20T10:00:0{i}.000Z")
    event = load_event("apigw_get_orders.json")
    seen: list[str] = []
    token: str | None = None
    pages = 0
    while True:
        query = {"limit": "2", **({"nextToken": token} if token else {})}
        status, body, _ = call(request(event, "GET", "/orders", query))
        assert status == 200
        assert len(body["orders"]) <= 2 and body["count"] == len(body["orders"])
        seen += [o["orderId"] for o in body["orders"]]
        pages += 1
        token = body["nextToken"]
        if not token:
            break
        assert "orderId" not in token  # opaque
    assert sorted(seen) == [f"order-{i}" for i in range(5)]
    assert pages >= 3
    assert isinstance(body["orders"][-1]["total"], int | float)


def test_list_orders_by_date_uses_the_gsi(call, load_event, aws) -> None:
    put_order(aws, "a", "2026-11-20", "2026-11-20T08:00:00.000Z")
    put_order(aws, "b", "2026-11-20", "2026-11-20T09:00:00.000Z", total="150.50")
    put_order(aws, "c", "2026-11-21", "2026-11-21T08:00:00.000Z")
    event = load_event("apigw_get_orders.json")

    status, body, _ = call(request(event, "GET", "/orders", {"date": "2026-11-20"}))
    assert status == 200
    assert [o["orderId"] for o in body["orders"]] == ["a", "b"]
    assert body["orders"][1]["total"] == 150.5
    assert body["nextToken"] is None

    status, page1, _ = call(request(event, "GET", "/orders", {"date": "2026-11-20", "limit": "1"}))
    assert [o["orderId"] for o in page1["orders"]] == ["a"]
    query = {"date": "2026-11-20", "limit": "1", "nextToken": page1["nextToken"]}
    status, page2, _ = call(request(event, "GET", "/orders", query))
    assert status == 200 and [o["orderId"] for o in page2["orders"]] == ["b"]

    # a token issued for one date cannot be replayed against another date or against the scan
    wrong_date = {"date": "2026-11-21", "nextToken": page1["nextToken"]}
    assert call(request(event, "GET", "/orders", wrong_date))[0] == 400
    assert call(request(event, "GET", "/orders", {"nextToken": page1["nextToken"]}))[0] == 400


def _b64(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


# --- PUT /orders/{id} ---------------------------------------------------------------------------------------


@pytest.fixture
def created(call, load_event) -> dict[str, Any]:
    status, body, _ = call(load_event("apigw_post_orders.json"))
    assert status == 201
    return body


def put_status(
    call, load_event, order_id: str, body: Any, raw: bool = False
) -> tuple[int, Any, dict[str, str]]:
    event = request(load_event("apigw_put_order.json"), "PUT", f"/orders/{order_id}")
    return call(with_body(event, body, raw=raw))


def test_status_walks_the_lifecycle(call, load_event, created, aws) -> None:
    order_id = created["orderId"]
    for new in ("PAID", "SHIPPED", "DELIVERED"):
        status, body, _ = put_status(call, load_event, order_id, {"status": new})
        assert status == 200
        assert body["status"] == new
        assert body["orderId"] == order_id
    assert aws["orders"].get_item(Key={"orderId": order_id})["Item"]["status"] == "DELIVERED"


@pytest.mark.parametrize("path", [["CANCELLED"], ["PAID", "CANCELLED"]])
def test_cancel_is_allowed_from_pending_and_paid(call, load_event, created, path) -> None:
    for new in path:
        assert put_status(call, load_event, created["orderId"], {"status": new})[0] == 200


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], "SHIPPED"),
        ([], "DELIVERED"),
        (["PAID", "SHIPPED"], "CANCELLED"),
        (["PAID", "SHIPPED", "DELIVERED"], "PAID"),
        (["CANCELLED"], "PAID"),
        (["PAID"], "PENDING"),
    ],
)
def test_illegal_transition_is_409(call, load_event, created, aws, path, illegal) -> None:
    for new in path:
        assert put_status(call, load_event, created["orderId"], {"status": new})[0] == 200
    status, body, _ = put_status(call, load_event, created["orderId"], {"status": illegal})
    assert status == 409
    assert f"to {illegal}" in body["message"]
    expected = path[-1] if path else "PENDING"
    assert aws["orders"].get_item(Key={"orderId": created["orderId"]})["Item"]["status"] == expected


def test_repeating_the_current_status_is_a_no_op(call, load_event, created, aws) -> None:
    assert put_status(call, load_event, created["orderId"], {"status": "PAID"})[0] == 200
    before = aws["orders"].get_item(Key={"orderId": created["orderId"]})["Item"]
    status, body, _ = put_status(call, load_event, created["orderId"], {"status": "PAID"})
    assert status == 200 and body["status"] == "PAID"
    assert aws["orders"].get_item(Key={"orderId": created["orderId"]})["Item"] == before


def test_concurrent_status_change_is_409_not_a_lost_update(api, call, load_event, created, aws) -> None:
    # Another writer cancels the order between our read and our conditional write.
    store = api.orders_service._store
    real_get = store.get

    def stale_get(order_id: str) -> dict[str, Any] | None:
        snapshot = real_get(order_id)
        aws["orders"].update_item(
            Key={"orderId": order_id},
            UpdateExpression="SET #s = :c",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":c": "CANCELLED"},
        )
        return snapshot

    store.get = stale_get
    status, body, _ = put_status(call, load_event, created["orderId"], {"status": "PAID"})

    assert status == 409
    assert "concurrently" in body["message"]
    assert aws["orders"].get_item(Key={"orderId": created["orderId"]})["Item"]["status"] == "CANCELLED"


def test_conditional_update_of_a_vanished_order_is_not_found(api, aws) -> None:
    repository_module = load_function_module("orders_api", "orders_repository")
    repo = repository_module.OrdersRepository(aws["ddb"], ORDERS_TABLE, "byOrderDate")
    with pytest.raises(repository_module.OrderNotFoundError):
        repo.update_status("gone", "PENDING", "PAID", "2026-11-22T00:00:00.000Z")


# --- POST /uploads ------------------------------------------------------------------------------------------


def test_upload_returns_a_presigned_put_url(call, load_event) -> None:
    status, body, _ = call(load_event("apigw_post_uploads.json"))

    assert status == 201
    assert set(body) == {"uploadUrl", "key", "expiresIn"}
    assert re.fullmatch(rf"uploads/{UUID_RE}-holiday-photo\.jpg", body["key"])
    assert body["expiresIn"] == 900
    url = urlparse(body["uploadUrl"])
    assert UPLOADS_BUCKET in url.netloc + url.path
    assert url.path.endswith(body["key"])
    query = parse_qs(url.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["900"]
    assert "content-type" in query["X-Amz-SignedHeaders"][0]


# --- routing ------------------------------------------------------------------------------------------------


# --- unexpected failures ------------------------------------------------------------------------------------


def test_unexpected_error_is_a_generic_500(api, call, load_event, monkeypatch) -> None:
    def boom(order_id: str) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api.orders_service, "get_order", boom)
    status, body, _ = call(load_event("apigw_get_order.json"))
    assert status == 500
    assert body == {"message": "internal server error"}


def test_dynamodb_failure_is_a_500_and_leaves_no_idempotency_record(call, load_event, aws) -> None:
    aws["ddb"].delete_table(TableName=ORDERS_TABLE)
    status, body, _ = call(load_event("apigw_post_orders.json"))
    assert status == 500
    assert body == {"message": "internal server error"}
    # the failed attempt released its idempotency record, so a retry can succeed later
    assert aws["ddb"].scan(TableName=IDEMPOTENCY_TABLE)["Count"] == 0


def throttle(
    api: ModuleType, operation: str, table: str, code: str = "ProvisionedThroughputExceededException"
):
    """Fail every ``operation`` on ``table`` with ``code`` (as after the SDK retries); returns the undo."""
    events = api.dynamodb_client.meta.events
    calls: list[str] = []

    def refuse(params: dict[str, Any], **_: Any) -> tuple[Any, dict[str, Any]] | None:
        body = params.get("body") or b""  # the serialized request: {"TableName": ..., ...}
        if json.loads(body).get("TableName") != table:
            return None
        calls.append(operation)
        http = type("Http", (), {"status_code": 400, "headers": {}})()
        body = {"Error": {"Code": code, "Message": "slow down"}, "ResponseMetadata": {"HTTPStatusCode": 400}}
        return http, body

    event = f"before-call.dynamodb.{operation}"
    events.register(event, refuse)
    return calls, lambda: events.unregister(event, refuse)


@pytest.mark.parametrize(
    ("operation", "table", "code"),
    [
        (
            "PutItem",
            IDEMPOTENCY_TABLE,
            "ProvisionedThroughputExceededException",
        ),  # saving the in-progress record
        ("PutItem", ORDERS_TABLE, "ThrottlingException"),  # writing the order itself
    ],
)
def test_throttled_dynamodb_is_a_503_with_retry_after_and_the_retry_succeeds_once(
    api, call, load_event, aws, operation, table, code
) -> None:
    calls, undo = throttle(api, operation, table, code)
    status, body, headers = call(load_event("apigw_post_orders.json"))
    assert calls, "the throttle never applied"
    assert status == 503
    assert body == {"message": "the service is busy; retry shortly"}
    assert headers["retry-after"] == "1"
    assert all_orders(aws) == []
    undo()
    status, order, _ = call(load_event("apigw_post_orders.json"))
    assert status == 201
    assert [o["orderId"] for o in all_orders(aws)] == [order["orderId"]]


def test_non_retryable_client_error_stays_a_500(api, call, load_event, aws) -> None:
    _, undo = throttle(api, "PutItem", ORDERS_TABLE, "ValidationException")
    status, body, headers = call(load_event("apigw_post_orders.json"))
    undo()
    assert (status, body) == (500, {"message": "internal server error"})
    assert "retry-after" not in headers


# --- configuration ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ORDERS_TABLE": ""}, "ORDERS_TABLE"),
        ({"IDEMPOTENCY_TABLE": "", "UPLOADS_BUCKET": " "}, "IDEMPOTENCY_TABLE, UPLOADS_BUCKET"),
        ({"UPLOAD_URL_EXPIRES": "soon"}, "must be an integer"),
        ({"UPLOAD_URL_EXPIRES": "0"}, "between 1 and"),
        ({"UPLOAD_URL_EXPIRES": "999999"}, "between 1 and"),
    ],
)
def test_config_is_validated_at_init(aws_env, monkeypatch, env, message) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with mock_aws(), pytest.raises(Exception, match=message) as raised:
        load_function_module("orders_api")
    assert type(raised.value).__name__ == "ConfigurationError"


def test_config_defaults(aws_env, monkeypatch) -> None:
    monkeypatch.delenv("UPLOAD_URL_EXPIRES")
    config = load_function_module("orders_api", "orders_api_config").OrdersApiConfig.from_env()
    assert config.upload_url_expires == 900
    assert config.orders_date_index == "byOrderDate"


@pytest.fixture(scope="class")
def shared() -> Iterator[tuple[Any, dict[str, Any], dict[str, Any]]]:
    """One mocked account (with one created order) shared by a test class."""
    with pytest.MonkeyPatch.context() as monkeypatch, mocked_aws() as resources:
        set_env(monkeypatch)
        call = make_caller(load_function_module("orders_api"), FakeLambdaContext())
        status, created, _ = call(json.loads((EVENTS_DIR / "apigw_post_orders.json").read_text()))
        assert status == 201
        yield call, resources, created


class TestRejectedRequests:
    """Requests that must be refused without touching state: one mocked account shared by the class (fast)."""

    @pytest.fixture
    def call(self, shared: tuple[Any, dict[str, Any], dict[str, Any]]) -> Any:
        return shared[0]

    @pytest.fixture
    def aws(self, shared: tuple[Any, dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
        return shared[1]

    @pytest.fixture
    def created(self, shared: tuple[Any, dict[str, Any], dict[str, Any]]) -> dict[str, Any]:
        return shared[2]

    @pytest.mark.parametrize(("body", "message"), BAD_ORDER_BODIES)
    def test_create_order_rejects_bad_input_with_400(
        self, call, load_event, aws, created, body, message
    ) -> None:
        event = load_event("apigw_post_orders.json")
        event = with_body(event, body, raw=isinstance(body, str))

        status, response, _ = call(event)

        assert status == 400, response
        assert set(response) == {"message"}
        assert message in response["message"]
        assert [o["orderId"] for o in all_orders(aws)] == [created["orderId"]]  # nothing new

    @pytest.mark.parametrize("order_id", ["3f1c2a4e-8d5b-4c1e-9a7f-2b6d0e9c1a11", "x" * 300, "a.b", "%00"])
    def test_get_unknown_order_is_404(self, call, load_event, order_id) -> None:
        status, body, _ = call(request(load_event("apigw_get_order.json"), "GET", f"/orders/{order_id}"))
        assert status == 404
        assert set(body) == {"message"}

    @pytest.mark.parametrize(
        ("query", "message"),
        [
            ({"nextToken": "@@@not-a-token@@@"}, "nextToken"),
            ({"nextToken": _b64("hello")}, "nextToken"),
            ({"nextToken": _b64({"orderId": {"N": "1"}})}, "nextToken"),
            ({"nextToken": _b64({"orderId": {"S": "a"}, "extra": {"S": "b"}})}, "nextToken"),
            ({"nextToken": base64.urlsafe_b64encode(b"\xff\xfe").decode()}, "nextToken"),
            ({"limit": "0"}, "'limit'"),
            ({"limit": "101"}, "'limit'"),
            ({"limit": "ten"}, "'limit'"),
            ({"limit": "-1"}, "'limit'"),
            ({"limit": "²"}, "'limit'"),
            ({"date": "yesterday"}, "'date'"),
            ({"date": "2026-13-01"}, "'date'"),
            ({"date": "2026-02-30"}, "'date'"),
        ],
    )
    def test_list_orders_rejects_bad_query_with_400(self, call, load_event, query, message) -> None:
        status, body, _ = call(request(load_event("apigw_get_orders.json"), "GET", "/orders", query))
        assert status == 400
        assert message in body["message"]

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"status": "LOST"}, "'status' must be one of"),
            ({"status": "paid"}, "'status' must be one of"),
            ({}, "'status' is required"),
            ({"status": 3}, "'status' must be a non-empty string"),
            ("{", "not valid JSON"),
            ("[]", "JSON object"),
        ],
    )
    def test_bad_status_update_is_400(self, call, load_event, created, body, message) -> None:
        status, response, _ = put_status(
            call, load_event, created["orderId"], body, raw=isinstance(body, str)
        )
        assert status == 400
        assert message in response["message"]

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"filename": "notes.txt", "contentType": "text/plain"}, "image extension"),
            ({"filename": "photo", "contentType": "image/jpeg"}, "image extension"),
            ({"filename": "photo.jpg.exe", "contentType": "image/jpeg"}, "image extension"),
            ({"filename": "photo.png", "contentType": "image/jpeg"}, "'contentType' must be image/png"),
            ({"filename": "photo.png", "contentType": "application/octet-stream"}, "'contentType'"),
            ({"contentType": "image/png"}, "'filename' is required"),
            ({"filename": "photo.png"}, "'contentType' is required"),
            ({"filename": 7, "contentType": "image/png"}, "'filename' must be a non-empty string"),
            ({"filename": "x" * 300 + ".png", "contentType": "image/png"}, "at most 255"),
            ("nope", "not valid JSON"),
            ("[]", "JSON object"),
        ],
    )
    def test_upload_rejects_bad_input_with_400(self, call, load_event, body, message) -> None:
        event = with_body(load_event("apigw_post_uploads.json"), body, raw=isinstance(body, str))
        status, response, _ = call(event)
        assert status == 400
        assert message in response["message"]

    @pytest.mark.parametrize(
        ("method", "path", "allow"),
        [
            ("DELETE", "/orders/abc", "GET, PUT"),
            ("POST", "/orders/abc", "GET, PUT"),
            ("PUT", "/orders", "GET, POST"),
            ("DELETE", "/orders/", "GET, POST"),
            ("GET", "/uploads", "POST"),
            ("PATCH", "/uploads", "POST"),
        ],
    )
    def test_wrong_method_on_a_known_path_is_405(self, call, load_event, method, path, allow) -> None:
        status, body, headers = call(request(load_event("apigw_get_orders.json"), method, path))
        assert status == 405
        assert headers["allow"] == allow
        assert method in body["message"]

    @pytest.mark.parametrize(
        ("method", "path"), [("GET", "/nope"), ("GET", "/orders/a/b"), ("POST", "/upload")]
    )
    def test_unknown_route_is_404(self, call, load_event, method, path) -> None:
        status, body, _ = call(request(load_event("apigw_get_orders.json"), method, path))
        assert status == 404
        assert set(body) == {"message"}

    @pytest.mark.parametrize(
        ("filename", "content_type", "suffix"),
        [
            ("../../etc/passwd.png", "image/png", "passwd.png"),
            ("C:\\Users\\me\\Pictures\\cat.GIF", "image/gif", "cat.gif"),
            ("résumé photo (1).webp", "image/webp", "resume-photo-1.webp"),
            (".jpeg", "image/jpeg", "image.jpeg"),
            ("a.b.c.jpg", "image/jpeg; charset=binary", "a.b.c.jpg"),
        ],
    )
    def test_upload_key_is_sanitised(self, call, load_event, filename, content_type, suffix) -> None:
        event = with_body(
            load_event("apigw_post_uploads.json"), {"filename": filename, "contentType": content_type}
        )
        status, body, _ = call(event)
        assert status == 201
        assert re.fullmatch(rf"uploads/{UUID_RE}-{re.escape(suffix)}", body["key"])

    def test_missing_body_is_400(self, call, load_event) -> None:
        event = load_event("apigw_post_orders.json")
        event["body"] = None
        assert call(event)[:2] == (400, {"message": "request body is required"})

    def test_invalid_base64_body_is_400(self, call, load_event) -> None:
        event = load_event("apigw_post_orders.json")
        event["body"], event["isBase64Encoded"] = "***not-base64***", True
        assert call(event)[0] == 400

    def test_status_update_of_unknown_order_is_404(self, call, load_event, aws) -> None:
        assert put_status(call, load_event, "no-such-order", {"status": "PAID"})[0] == 404
