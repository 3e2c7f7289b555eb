"""Property-based tests of every handler's event entry point (hypothesis; issue 10).

The property is each handler's contract: for arbitrary JSON and for real events (tests/events/)
mutated at random (dropped, retyped, deeply nested, enlarged fields, lone surrogates, huge numbers,
NaN, out-of-range times, hostile JSON inside SQS bodies and SNS messages), the handler returns a
result or raises one of its DECLARED errors, never anything else; a batch reports failures only for
the bad records and every good record of it is processed; the API never answers 5xx.

Profiles (tests/conftest.py): ``fast`` in ``make unit``, ``fuzz`` (many more cases) in ``make fuzz``.
All AWS calls go to one moto backend shared by the whole module (one ``mock_aws`` per module, not
per example, so that each example costs a few milliseconds).
"""

from __future__ import annotations

import copy
import io
import itertools
import json
import os
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from conftest import EVENTS_DIR, FakeLambdaContext, load_function_module
from hypothesis import given
from hypothesis import strategies as st
from moto import mock_aws
from PIL import Image

sys.path.insert(0, str(EVENTS_DIR))
from event_strategies import json_values, load, mutated  # noqa: E402

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


def _orders_table(ddb: Any) -> None:
    ddb.create_table(
        TableName=ORDERS,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "orderId", "AttributeType": "S"},
            {"AttributeName": "orderDate", "AttributeType": "S"},
            {"AttributeName": "createdAt", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byOrderDate",
                "KeySchema": [
                    {"AttributeName": "orderDate", "KeyType": "HASH"},
                    {"AttributeName": "createdAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


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
            _orders_table(ddb)
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
def handlers(aws: dict[str, Any]) -> Callable[[str], ModuleType]:
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


def arbitrary(template: Any) -> st.SearchStrategy[Any]:
    return st.one_of(json_values(), mutated(template))


# --- SQS -> ingest -------------------------------------------------------------------------------

_ids = itertools.count()
SQS = load("sqs_s3_notifications.json")
SQS_RECORD = SQS["Records"][0]


def sqs_record(body: Any, message_id: str) -> dict[str, Any]:
    record = copy.deepcopy(SQS_RECORD)
    record["messageId"], record["body"] = message_id, body
    return record


def good_body(n: int) -> str:
    body = json.loads(SQS_RECORD["body"])
    body["Records"][0]["s3"]["object"]["key"] = f"uploads/good-{n}.JPG"
    body["Records"][0]["s3"]["object"]["eTag"] = f"etag{n}"
    return json.dumps(body)


@given(data=st.data())
def test_ingest_batch_fails_only_the_bad_records(handlers: Any, aws: dict[str, Any], data: Any) -> None:
    good = {f"good-{n}": good_body(n) for n in (next(_ids) for _ in range(data.draw(st.integers(1, 3))))}
    bad = {
        f"bad-{next(_ids)}": data.draw(mutated(SQS_RECORD, rounds=2)).get("body")
        for _ in range(data.draw(st.integers(0, 3)))
    }
    records = [sqs_record(body, mid) for mid, body in {**good, **bad}.items()]
    records = data.draw(st.permutations(records))

    result = invoke(handlers, "ingest", {"Records": records})

    assert isinstance(result, dict), result
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    assert failed <= set(bad), f"good records failed: {failed - set(bad)}"
    listed = aws["sfn"].list_executions(stateMachineArn=aws["state_machine_arn"], maxResults=1000)
    started = {e["name"] for e in listed["executions"]}
    execution_name = handlers("ingest").IngestService.process_batch.__globals__["execution_name"]
    for body in good.values():
        obj = json.loads(body)["Records"][0]["s3"]["object"]
        assert execution_name(UPLOADS, obj["key"], obj["eTag"]) in started, f"no execution for {obj['key']}"


@given(event=arbitrary(SQS))
def test_ingest_any_event(handlers: Any, event: Any) -> None:
    result = invoke(handlers, "ingest", event)
    assert isinstance(result, dict | Exception)


# --- SNS -> notify -------------------------------------------------------------------------------

SNS = load("sns_image_processed.json")
GOOD_IMAGE_ID = f"{UPLOADS}/uploads/cat.jpg"


@given(bad=st.lists(mutated(SNS["Records"][0], rounds=2), max_size=2), data=st.data())
def test_notify_handles_every_good_record(
    handlers: Any, aws: dict[str, Any], bad: list[Any], data: Any
) -> None:
    ddb = aws["ddb"]
    ddb.update_item(
        TableName=METADATA, Key={"imageId": {"S": GOOD_IMAGE_ID}}, UpdateExpression="REMOVE notified"
    )
    records = data.draw(st.permutations([copy.deepcopy(SNS["Records"][0]), *bad]))

    invoke(handlers, "notify", {"Records": records})

    item = ddb.get_item(TableName=METADATA, Key={"imageId": {"S": GOOD_IMAGE_ID}}, ConsistentRead=True)[
        "Item"
    ]
    assert item.get("notified") == {"BOOL": True}, "the good record was not processed"


@given(event=arbitrary(SNS))
def test_notify_any_event(handlers: Any, event: Any) -> None:
    invoke(handlers, "notify", event)


# --- DynamoDB stream -> order_stream ---------------------------------------------------------------

STREAM = load("ddb_orders_stream_batch.json")


@given(index=st.integers(0, len(STREAM["Records"]) - 1), data=st.data())
def test_order_stream_fails_only_from_the_bad_record_on(handlers: Any, index: int, data: Any) -> None:
    records = copy.deepcopy(STREAM["Records"])
    records[index] = data.draw(mutated(records[index], keep=frozenset({("dynamodb", "SequenceNumber")})))

    result = invoke(handlers, "order_stream", {"Records": records})

    assert isinstance(result, dict), result
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    # Stream ordering contract: from the first failed record on, everything is retried.
    earlier = {r["dynamodb"]["SequenceNumber"] for r in records[:index]}
    assert not failed & earlier, f"records before the bad one failed: {failed & earlier}"


@given(event=arbitrary(STREAM))
def test_order_stream_any_event(handlers: Any, event: Any) -> None:
    invoke(handlers, "order_stream", event)


# --- EventBridge -> high_value_order, schedule -> daily_report ---------------------------------------


@given(event=arbitrary(load("eventbridge_order_created.json")))
def test_high_value_order_any_event(handlers: Any, event: Any) -> None:
    invoke(handlers, "high_value_order", event)


@given(event=st.one_of(arbitrary(load("schedule_daily_report.json")), mutated({"date": "2026-11-21"})))
def test_daily_report_any_event(handlers: Any, event: Any) -> None:
    invoke(handlers, "daily_report", event)


# --- API Gateway -> orders_api ---------------------------------------------------------------------

API_EVENTS = [
    load(name)
    for name in (
        "apigw_get_order.json",
        "apigw_get_orders.json",
        "apigw_post_orders.json",
        "apigw_post_uploads.json",
        "apigw_put_order.json",
    )
]


@given(event=st.one_of(json_values(), st.sampled_from(API_EVENTS).flatmap(lambda e: mutated(e))))
def test_orders_api_never_answers_5xx(handlers: Any, event: Any) -> None:
    response = invoke(handlers, "orders_api", event)
    assert isinstance(response, dict) and isinstance(response.get("statusCode"), int), response
    assert response["statusCode"] < 500, response
    if response["statusCode"] >= 400:
        assert json.loads(response["body"])["message"]


# --- Step Functions state -> validate_input, thumbnail ------------------------------------------


@given(event=arbitrary(load("sfn_validate_input.json")))
def test_validate_input_any_state(handlers: Any, event: Any) -> None:
    invoke(handlers, "validate_input", event)


@given(event=arbitrary(load("sfn_generate_thumbnail.json")))
def test_thumbnail_any_state(handlers: Any, event: Any) -> None:
    invoke(handlers, "thumbnail", event)
