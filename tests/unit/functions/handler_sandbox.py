"""One moto backend and every handler, shared by a test module (property and hostile-input tests).

``aws`` (module scope) sets the environment every handler reads at init, starts ``mock_aws`` once and
creates the resources (tables, buckets, state machine, bus, topic); ``handlers(name)`` imports a
function's handler once per module; ``invoke`` calls it and turns any exception that is not one of
the handler's DECLARED errors into a test failure.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from conftest import FakeLambdaContext, load_function_module
from moto import mock_aws
from orders_table import create_orders_table
from PIL import Image

REGION = "us-east-1"
UPLOADS = "imgpipe-dev-uploads"
THUMBS = "imgpipe-dev-thumbnails"
REPORTS = "imgpipe-dev-reports"
ORDERS = "imgpipe-dev-orders"
IDEMPOTENCY = "imgpipe-dev-idempotency"
METADATA = "imgpipe-dev-image-metadata"
BUS = "imgpipe-dev-orders"
ORDER_ID = "9b2e7d10-4c3a-4f8e-8a1b-6c5d4e3f2a10"

ENV = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "POWERTOOLS_SERVICE_NAME": "properties",
    "POWERTOOLS_METRICS_NAMESPACE": "imgpipe",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "CRITICAL",
    "ORDERS_TABLE": ORDERS,
    "ORDERS_DATE_INDEX": "byOrderDate",
    "IDEMPOTENCY_TABLE": IDEMPOTENCY,
    "UPLOADS_BUCKET": UPLOADS,
    "REPORTS_BUCKET": REPORTS,
    "THUMBNAIL_BUCKET": THUMBS,
    "THUMBNAIL_SIZES": "64x64",
    "METADATA_TABLE": METADATA,
    "EVENT_BUS_NAME": BUS,
    "EVENT_SOURCE": "imgpipe.orders",
}

# Declared errors per handler, by class name (Step Functions and the tests match them by name).
DECLARED = {
    "ingest": {"MalformedEventError"},
    "notify": {"MalformedMessageError", "ImageNotFoundError", "TransientError", "StorageError"},
    "order_stream": {"MalformedStreamEventError"},
    "high_value_order": {
        "InvalidOrderEventError",
        "OrderNotFoundError",
        "RepositoryError",
        "AlertPublishError",
    },
    "daily_report": {"InvalidReportRequestError", "ReportQueryError", "ReportStorageError"},
    "validate_input": {"ValidationError", "TransientError", "StorageError"},
    "thumbnail": {"ValidationError", "TransientError", "StorageError"},
}


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (120, 90), (200, 30, 30)).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def aws() -> Iterator[dict[str, Any]]:
    saved = {name: os.environ.get(name) for name in [*ENV, "AWS_ENDPOINT_URL", "AWS_PROFILE"]}
    os.environ.pop("AWS_ENDPOINT_URL", None)
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(ENV)
    try:
        with mock_aws():
            ddb = boto3.client("dynamodb", region_name=REGION)
            create_orders_table(ddb, ORDERS)
            for table, key in ((IDEMPOTENCY, "id"), (METADATA, "imageId")):
                ddb.create_table(
                    TableName=table,
                    BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                )
            ddb.put_item(
                TableName=ORDERS,
                Item={
                    "orderId": {"S": ORDER_ID},
                    "orderDate": {"S": "2026-11-21"},
                    "createdAt": {"S": "2026-11-21T10:00:00.000Z"},
                    "status": {"S": "PENDING"},
                    "total": {"N": "250.5"},
                    "currency": {"S": "EUR"},
                },
            )
            ddb.put_item(
                TableName=METADATA,
                Item={"imageId": {"S": f"{UPLOADS}/uploads/cat.jpg"}, "status": {"S": "OK"}},
            )
            s3 = boto3.client("s3", region_name=REGION)
            for bucket in (UPLOADS, THUMBS, REPORTS):
                s3.create_bucket(Bucket=bucket)
            s3.put_object(Bucket=UPLOADS, Key="uploads/cat.jpg", Body=_jpeg())
            sfn = boto3.client("stepfunctions", region_name=REGION)
            arn = sfn.create_state_machine(
                name="imgpipe-dev-image-pipeline",
                definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
                roleArn="arn:aws:iam::123456789012:role/sfn",
            )["stateMachineArn"]
            os.environ["STATE_MACHINE_ARN"] = arn
            boto3.client("events", region_name=REGION).create_event_bus(Name=BUS)
            topic = boto3.client("sns", region_name=REGION).create_topic(Name="imgpipe-dev-alerts")
            os.environ["ALERTS_TOPIC_ARN"] = topic["TopicArn"]
            yield {"ddb": ddb, "s3": s3, "sfn": sfn, "state_machine_arn": arn}
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_handlers: dict[str, ModuleType] = {}


@pytest.fixture(scope="module")
def handlers(aws: dict[str, Any]) -> Iterator[Callable[[str], ModuleType]]:
    def get(name: str) -> ModuleType:
        if name not in _handlers:
            _handlers[name] = load_function_module(name)
        return _handlers[name]

    yield get
    _handlers.clear()


def invoke(handlers: Callable[[str], ModuleType], name: str, event: Any) -> Any:
    """The handler's result, or the declared error it raised; anything else fails the test."""
    try:
        return handlers(name).lambda_handler(event, FakeLambdaContext(function_name=name))
    except Exception as e:
        if type(e).__name__ in DECLARED[name]:
            return e
        raise AssertionError(f"{name} raised undeclared {type(e).__name__}: {e!r}"[:2000]) from e
