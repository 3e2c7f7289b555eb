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
import itertools
import json
import sys
from typing import Any

from conftest import EVENTS_DIR
from handler_sandbox import METADATA, UPLOADS, aws, handlers, invoke
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(EVENTS_DIR))
from event_strategies import json_values, load, mutated  # noqa: E402

__all__ = ["aws", "handlers"]  # module-scoped fixtures used by the tests below


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
