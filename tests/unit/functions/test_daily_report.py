"""Unit tests for daily_report (moto DynamoDB with the date GSI + S3, real scheduled event)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import ModuleType
from typing import Any

import boto3
import pytest
from conftest import load_function_module
from moto import mock_aws
from orders_table import create_orders_table

REGION = "us-east-1"
ORDERS_TABLE = "imgpipe-dev-orders"
REPORTS_BUCKET = "imgpipe-dev-reports"
NOW = datetime(2026, 11, 22, 6, 0, 3, tzinfo=UTC)

DAY_ORDERS = [  # 2026-11-21, deliberately inserted out of createdAt order
    ("o-3", "2026-11-21T18:00:00.000Z", "PAID", "150.00", "EUR", "cust-3", True),
    ("o-1", "2026-11-21T08:00:00.000Z", "PENDING", "44.99", "EUR", "cust-1", False),
    ("o-5", "2026-11-21T23:59:59.999Z", "CANCELLED", "500.00", "EUR", "cust-5", True),
    ("o-2", "2026-11-21T09:30:00.000Z", "DELIVERED", "10.01", "USD", '=HYPERLINK("http://x")', False),
    ("o-4", "2026-11-21T20:00:00.000Z", "SHIPPED", "0.50", "EUR", "cust-4", False),
]


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_SERVICE_NAME": "daily_report",
        "POWERTOOLS_METRICS_NAMESPACE": "imgpipe",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "ORDERS_TABLE": ORDERS_TABLE,
        "ORDERS_DATE_INDEX": "byOrderDate",
        "REPORTS_BUCKET": REPORTS_BUCKET,
    }.items():
        monkeypatch.setenv(name, value)


def put_order(
    table: Any,
    order_id: str,
    created_at: str,
    status: str,
    total: str,
    currency: str,
    customer: str,
    high_value: bool,
) -> None:
    item: dict[str, Any] = {
        "orderId": order_id,
        "orderDate": created_at[:10],
        "createdAt": created_at,
        "updatedAt": created_at,
        "customerId": customer,
        "items": [
            {"sku": "A", "quantity": 2, "unitPrice": Decimal(total) / 2},
            {"sku": "B", "quantity": 1, "unitPrice": Decimal(0)},
        ],
        "total": Decimal(total),
        "currency": currency,
        "status": status,
    }
    if high_value:
        item["highValue"] = True
    table.put_item(Item=item)


@pytest.fixture
def aws(aws_env: None) -> Iterator[dict[str, Any]]:
    with mock_aws():
        ddb = boto3.resource("dynamodb", region_name=REGION)
        table = create_orders_table(ddb, ORDERS_TABLE)
        for order in DAY_ORDERS:
            put_order(table, *order)
        put_order(table, "other-day", "2026-11-22T00:00:00.000Z", "PAID", "999.00", "EUR", "c", False)
        put_order(table, "day-before", "2026-11-20T23:59:59.999Z", "PAID", "999.00", "EUR", "c", False)
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=REPORTS_BUCKET)
        yield {"table": table, "s3": s3}


class CountingClient:
    """Wraps the DynamoDB client to count Query pages."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.queries: list[dict[str, Any]] = []

    def query(self, **kwargs: Any) -> Any:
        self.queries.append(kwargs)
        return self.real.query(**kwargs)


@pytest.fixture
def handler(aws: dict[str, Any]) -> ModuleType:
    return load_function_module("daily_report")


def fixed_service(
    handler: ModuleType, *, page_size: int | None = None, now: datetime = NOW
) -> tuple[Any, Any]:
    client = CountingClient(handler.dynamodb_client)
    service = handler.DailyReportService(
        handler.OrdersByDateRepository(client, ORDERS_TABLE, "byOrderDate", page_size=page_size),
        handler.S3ReportStorage(handler.s3_client, REPORTS_BUCKET),
        clock=lambda: now,
    )
    return service, client


def read(aws: dict[str, Any], key: str) -> tuple[bytes, str]:
    obj = aws["s3"].get_object(Bucket=REPORTS_BUCKET, Key=key)
    return obj["Body"].read(), obj["ContentType"]


def test_report_for_an_explicit_date(handler, aws, lambda_context, monkeypatch) -> None:
    service, _ = fixed_service(handler)
    monkeypatch.setattr(handler, "service", service)

    result = handler.lambda_handler({"date": "2026-11-21"}, lambda_context)

    keys = ["reports/2026-11-21/orders.json", "reports/2026-11-21/orders.csv"]
    # revenue: 150.00 + 44.99 + 10.01 + 0.50; the cancelled 500.00 earns nothing
    assert result == {
        "date": "2026-11-21",
        "orderCount": 5,
        "totalRevenue": 205.5,
        "totalRevenueExact": "205.50",
        "keys": keys,
    }

    body, content_type = read(aws, keys[0])
    assert content_type == "application/json"
    report = json.loads(body)
    assert report["date"] == "2026-11-21"
    assert report["orderCount"] == 5
    assert report["totalRevenue"] == 205.5
    assert report["revenueByCurrency"] == {"EUR": 195.49, "USD": 10.01}
    assert report["byStatus"] == {"PENDING": 1, "PAID": 1, "SHIPPED": 1, "DELIVERED": 1, "CANCELLED": 1}
    assert [o["orderId"] for o in report["orders"]] == ["o-1", "o-2", "o-3", "o-4", "o-5"]  # by createdAt
    assert report["orders"][2] == {
        "orderId": "o-3",
        "orderDate": "2026-11-21",
        "createdAt": "2026-11-21T18:00:00.000Z",
        "customerId": "cust-3",
        "status": "PAID",
        "currency": "EUR",
        "total": 150.0,
        "itemCount": 3,
        "highValue": True,
    }
    assert report["generatedAt"] == "2026-11-22T06:00:03Z"

    body, content_type = read(aws, keys[1])
    assert content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert [r["orderId"] for r in rows] == ["o-1", "o-2", "o-3", "o-4", "o-5"]
    assert rows[0]["total"] == "44.99" and rows[3]["total"] == "0.50"
    assert rows[2]["highValue"] == "true" and rows[0]["highValue"] == "false"
    assert rows[1]["customerId"] == '\'=HYPERLINK("http://x")'  # no spreadsheet formula injection


def test_query_follows_last_evaluated_key(handler, aws, lambda_context, monkeypatch) -> None:
    service, client = fixed_service(handler, page_size=2)
    monkeypatch.setattr(handler, "service", service)

    result = handler.lambda_handler({"date": "2026-11-21"}, lambda_context)

    assert result["orderCount"] == 5
    assert len(client.queries) >= 3  # 2 + 2 + 1 (+ a possibly empty last page)
    assert "ExclusiveStartKey" not in client.queries[0]
    assert all("ExclusiveStartKey" in q for q in client.queries[1:])
    assert {q["IndexName"] for q in client.queries} == {"byOrderDate"}
    report = json.loads(read(aws, "reports/2026-11-21/orders.json")[0])
    assert len({o["orderId"] for o in report["orders"]}) == 5


def test_scheduled_event_reports_the_day_before_its_time(
    handler, aws, load_event, lambda_context, monkeypatch
):
    service, _ = fixed_service(handler, now=NOW + timedelta(days=3))  # a late retry still reports that day
    monkeypatch.setattr(handler, "service", service)

    result = handler.lambda_handler(load_event("schedule_daily_report.json"), lambda_context)

    assert result["date"] == "2026-11-21"
    assert result["orderCount"] == 5


def test_empty_event_reports_yesterday_utc(handler, aws, lambda_context, monkeypatch) -> None:
    service, _ = fixed_service(handler, now=datetime(2026, 11, 22, 0, 30, tzinfo=UTC))
    monkeypatch.setattr(handler, "service", service)
    assert handler.lambda_handler({}, lambda_context)["date"] == "2026-11-21"


def test_default_clock_is_real_utc_time(handler, aws, lambda_context) -> None:
    # Bracket the call with the real clock: across midnight UTC either day is right, never another.
    before = datetime.now(UTC)
    result = handler.lambda_handler({}, lambda_context)
    after = datetime.now(UTC)
    assert result["date"] in {(t - timedelta(days=1)).date().isoformat() for t in (before, after)}
    day = result["date"]
    assert result["keys"] == [f"reports/{day}/orders.json", f"reports/{day}/orders.csv"]


def test_day_without_orders_still_writes_a_report(handler, aws, lambda_context, monkeypatch) -> None:
    service, _ = fixed_service(handler)
    monkeypatch.setattr(handler, "service", service)

    result = handler.lambda_handler({"date": "2026-01-01"}, lambda_context)

    assert result["orderCount"] == 0 and result["totalRevenue"] == 0
    report = json.loads(read(aws, "reports/2026-01-01/orders.json")[0])
    assert report["orders"] == [] and set(report["byStatus"].values()) == {0}
    assert read(aws, "reports/2026-01-01/orders.csv")[0].decode().splitlines() == [
        "orderId,orderDate,createdAt,customerId,status,currency,total,itemCount,highValue"
    ]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({"date": "2026-02-30"}, "not a valid calendar date"),
        ({"date": "21-11-2026"}, "YYYY-MM-DD"),
        ({"date": "2026-11-21T00:00:00Z"}, "YYYY-MM-DD"),
        ({"date": 20261121}, "YYYY-MM-DD"),
        ({"date": ""}, "YYYY-MM-DD"),
        ({"date": "2026-11-23"}, "in the future"),
        ({"time": "yesterday"}, "ISO-8601"),
        (["2026-11-21"], "JSON object"),
    ],
)
def test_bad_request_raises_a_value_error(handler, aws, lambda_context, monkeypatch, event, message) -> None:
    service, client = fixed_service(handler)
    monkeypatch.setattr(handler, "service", service)

    with pytest.raises(ValueError, match=message) as raised:
        handler.lambda_handler(event, lambda_context)

    assert type(raised.value).__name__ == "InvalidReportRequestError"
    assert client.queries == []
    assert aws["s3"].list_objects_v2(Bucket=REPORTS_BUCKET)["KeyCount"] == 0


def test_s3_failure_is_a_storage_error(handler, aws, lambda_context, monkeypatch) -> None:
    service, _ = fixed_service(handler)
    monkeypatch.setattr(handler, "service", service)
    aws["s3"].delete_bucket(Bucket=REPORTS_BUCKET)

    with pytest.raises(Exception, match="could not write") as raised:
        handler.lambda_handler({"date": "2026-11-21"}, lambda_context)
    assert type(raised.value).__name__ == "ReportStorageError"


def test_query_failure_is_a_query_error(handler, aws, lambda_context, monkeypatch) -> None:
    service, _ = fixed_service(handler)
    monkeypatch.setattr(handler, "service", service)
    aws["table"].delete()

    with pytest.raises(Exception, match="could not query") as raised:
        handler.lambda_handler({"date": "2026-11-21"}, lambda_context)
    assert type(raised.value).__name__ == "ReportQueryError"


@pytest.mark.parametrize("missing", ["ORDERS_TABLE", "ORDERS_DATE_INDEX", "REPORTS_BUCKET"])
def test_config_is_validated_at_init(aws_env, monkeypatch, missing) -> None:
    monkeypatch.delenv(missing)
    with pytest.raises(Exception, match=missing) as raised:
        load_function_module("daily_report")
    assert type(raised.value).__name__ == "ConfigurationError"
