"""Regression tests, one group per class of failure found by the outside test (issue 10).

Each class gets its own cases, across the handlers where the input enters: deep JSON, huge integer
strings, lone surrogates, out-of-range times and numbers, batch isolation, ParamValidationError
classification, silent ignore/overwrite of uploads, image fidelity, exact report money.
Real handlers on one moto backend (handler_sandbox), real Pillow on real images.
"""

from __future__ import annotations

import base64
import copy
import io
import json
from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError, ParamValidationError, ReadTimeoutError
from conftest import EVENTS_DIR, load_function_module
from handler_sandbox import METADATA, ORDER_ID, ORDERS, REPORTS, THUMBS, UPLOADS, aws, handlers, invoke
from PIL import Image, PngImagePlugin

__all__ = ["aws", "handlers"]  # module-scoped fixtures used by the tests below

DEEP = 50_000


def event(name: str) -> Any:
    return json.loads((EVENTS_DIR / name).read_text())


def deep_json(depth: int = DEEP) -> str:
    return "[" * depth + "]" * depth


# --- helpers per source ----------------------------------------------------------------------------

SQS_RECORD = event("sqs_s3_notifications.json")["Records"][0]


def s3_body(key: str = "uploads/ok.jpg", **object_fields: Any) -> dict[str, Any]:
    body = json.loads(SQS_RECORD["body"])
    body["Records"][0]["s3"]["object"].update({"key": key, **object_fields})
    return body


def sqs_batch(*bodies: Any) -> dict[str, Any]:
    records = []
    for index, body in enumerate(bodies):
        record = copy.deepcopy(SQS_RECORD)
        record["messageId"] = f"m{index}"
        record["body"] = body if isinstance(body, str) else json.dumps(body)
        records.append(record)
    return {"Records": records}


def failed_ids(result: Any) -> set[str]:
    assert isinstance(result, dict), result
    return {f["itemIdentifier"] for f in result["batchItemFailures"]}


def started_keys(aws: dict[str, Any]) -> set[str]:
    listed = aws["sfn"].list_executions(stateMachineArn=aws["state_machine_arn"], maxResults=1000)
    return {
        json.loads(aws["sfn"].describe_execution(executionArn=e["executionArn"])["input"])["key"]
        for e in listed["executions"]
    }


def api_call(handlers: Any, template: str, body: str | None = None, **changes: Any) -> tuple[int, Any]:
    request = event(template)
    if body is not None:
        request["body"] = body
    request.update(changes)
    response = invoke(handlers, "orders_api", request)
    return response["statusCode"], json.loads(response["body"])


def sns_event(*messages: str) -> dict[str, Any]:
    template = event("sns_image_processed.json")["Records"][0]
    records = []
    for index, message in enumerate(messages):
        record = copy.deepcopy(template)
        record["Sns"]["Message"] = message
        record["Sns"]["MessageId"] = f"sns-{index}"
        records.append(record)
    return {"Records": records}


GOOD_NOTE = json.dumps({"imageId": f"{UPLOADS}/uploads/cat.jpg"})


def reset_notified(aws: dict[str, Any]) -> None:
    aws["ddb"].update_item(
        TableName=METADATA,
        Key={"imageId": {"S": f"{UPLOADS}/uploads/cat.jpg"}},
        UpdateExpression="REMOVE notified",
    )


def notified(aws: dict[str, Any]) -> bool:
    item = aws["ddb"].get_item(
        TableName=METADATA, Key={"imageId": {"S": f"{UPLOADS}/uploads/cat.jpg"}}, ConsistentRead=True
    )["Item"]
    return item.get("notified") == {"BOOL": True}


STREAM = event("ddb_orders_stream_batch.json")


def stream_with(index: int, mutate: Any) -> tuple[dict[str, Any], list[str]]:
    batch = copy.deepcopy(STREAM)
    mutate(batch["Records"][index])
    return batch, [r["dynamodb"]["SequenceNumber"] for r in batch["Records"]]


def high_value(**detail: Any) -> dict[str, Any]:
    e = event("eventbridge_order_created.json")
    e["detail"].update(detail)
    return e


def state(**fields: Any) -> dict[str, Any]:
    return {**event("sfn_validate_input.json"), **fields}


def declared(result: Any, name: str) -> Exception:
    assert isinstance(result, Exception) and type(result).__name__ == name, result
    return result


# --- 1. deeply nested JSON ---------------------------------------------------------------------------


def test_deep_sqs_body_fails_only_its_record(handlers: Any, aws: dict[str, Any]) -> None:
    nested_record = s3_body("uploads/deep-ok.jpg")
    nested_record["Records"][0]["userIdentity"] = json.loads("[" * 500 + "]" * 500)
    result = invoke(
        handlers, "ingest", sqs_batch(deep_json(), nested_record, s3_body("uploads/deep-neighbour.jpg"))
    )
    assert failed_ids(result) == {"m0", "m1"}
    assert "uploads/deep-neighbour.jpg" in started_keys(aws)


def test_deep_sns_message_is_declared_and_the_neighbour_is_processed(
    handlers: Any, aws: dict[str, Any]
) -> None:
    reset_notified(aws)
    error = declared(invoke(handlers, "notify", sns_event(deep_json(), GOOD_NOTE)), "MalformedMessageError")
    assert "levels deep" in str(error)
    assert notified(aws)


def test_deep_pagination_token_and_body_are_400(handlers: Any) -> None:
    token = base64.urlsafe_b64encode(deep_json(1500).encode()).decode().rstrip("=")
    status, body = api_call(handlers, "apigw_get_orders.json", queryStringParameters={"nextToken": token})
    assert status == 400 and "nextToken" in body["message"]
    status, body = api_call(
        handlers, "apigw_post_orders.json", body='{"customerId":' + deep_json(20_000) + "}"
    )
    assert status == 400 and "levels deep" in body["message"]


def test_deep_dynamodb_map_fails_that_stream_record(handlers: Any) -> None:
    def deep_map(record: dict[str, Any]) -> None:
        value: dict[str, Any] = {"S": "leaf"}
        for _ in range(3000):
            value = {"M": {"a": value}}
        record["dynamodb"]["NewImage"]["items"] = value

    batch, sequence = stream_with(1, deep_map)
    failed = failed_ids(invoke(handlers, "order_stream", batch))
    assert sequence[0] not in failed and sequence[1] in failed


# --- 2. integer strings past 4300 digits (and past DynamoDB's 38) ------------------------------------

HUGE = "9" * 5000


def test_huge_integer_in_sqs_body_fails_only_its_record(handlers: Any, aws: dict[str, Any]) -> None:
    bad = json.dumps(s3_body("uploads/huge.jpg")).replace('"size": 48213', f'"size": {HUGE}')
    result = invoke(handlers, "ingest", sqs_batch(bad, s3_body("uploads/huge-neighbour.jpg")))
    assert failed_ids(result) == {"m0"}
    assert "uploads/huge-neighbour.jpg" in started_keys(aws)


@pytest.mark.parametrize(
    "line",
    [
        '{"sku": "A", "quantity": ' + HUGE + ', "unitPrice": 1}',
        '{"sku": "A", "quantity": 1, "unitPrice": ' + HUGE + "}",
        '{"sku": "A", "quantity": 1, "unitPrice": 1e400}',
        '{"sku": "A", "quantity": 1, "unitPrice": 0.' + HUGE + "}",
    ],
)
def test_huge_numbers_in_api_body_are_400(handlers: Any, line: str) -> None:
    status, body = api_call(
        handlers, "apigw_post_orders.json", body='{"customerId": "c", "items": [' + line + "]}"
    )
    assert status == 400 and body["message"]


@pytest.mark.parametrize("number", ["1" + "0" * 38, "1e400", "NaN", "Infinity", "-5"])
def test_out_of_range_dynamodb_number_fails_that_stream_record(handlers: Any, number: str) -> None:
    batch, sequence = stream_with(1, lambda r: r["dynamodb"]["NewImage"].update(total={"N": number}))
    failed = failed_ids(invoke(handlers, "order_stream", batch))
    assert sequence[0] not in failed and sequence[1] in failed


@pytest.mark.parametrize("total", [10**400, float("inf"), float("nan"), 1e300, -0.01, "250"])
def test_out_of_range_total_is_an_invalid_order_event(handlers: Any, total: Any) -> None:
    error = declared(invoke(handlers, "high_value_order", high_value(total=total)), "InvalidOrderEventError")
    assert "detail.total" in str(error)


# --- 3. lone surrogates / text that is not UTF-8 ------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "body"),
    [
        (
            "apigw_post_orders.json",
            '{"customerId": "\\ud800", "items": [{"sku": "A", "quantity": 1, "unitPrice": 1}]}',
        ),
        (
            "apigw_post_orders.json",
            '{"customerId": "c", "items": [{"sku": "\\udfff", "quantity": 1, "unitPrice": 1}]}',
        ),
        ("apigw_post_uploads.json", '{"filename": "\\udc80.jpg", "contentType": "image/jpeg"}'),
        ("apigw_put_order.json", '{"status": "PAID\\ud83d"}'),
    ],
)
def test_lone_surrogates_in_api_bodies_are_400_and_store_nothing(
    handlers: Any, aws: dict[str, Any], template: str, body: str
) -> None:
    before = aws["ddb"].scan(TableName=ORDERS)["Count"]
    status, response = api_call(handlers, template, body=body)
    assert status == 400 and "surrogate" in response["message"]
    assert aws["ddb"].scan(TableName=ORDERS)["Count"] == before


def test_lone_surrogate_in_headers_or_path_is_400(handlers: Any) -> None:
    request = event("apigw_get_orders.json")
    status, response = api_call(
        handlers, "apigw_get_orders.json", headers={**request["headers"], "X-A": "\ud800"}
    )
    assert status == 400 and "surrogate" in response["message"]
    status, _ = api_call(handlers, "apigw_get_order.json", path="/orders/\udc00")
    assert status == 400


def test_lone_surrogate_key_fails_only_its_sqs_record(handlers: Any, aws: dict[str, Any]) -> None:
    bad = json.dumps(s3_body("uploads/x.jpg")).replace("uploads/x.jpg", "uploads/\\ud800.jpg")
    result = invoke(handlers, "ingest", sqs_batch(bad, s3_body("uploads/surrogate-neighbour.jpg")))
    assert failed_ids(result) == {"m0"}
    assert "uploads/surrogate-neighbour.jpg" in started_keys(aws)


def test_lone_surrogates_in_sns_eventbridge_and_state_input(handlers: Any, aws: dict[str, Any]) -> None:
    reset_notified(aws)
    declared(
        invoke(handlers, "notify", sns_event('{"imageId": "b/\\udbff"}', GOOD_NOTE)), "MalformedMessageError"
    )
    assert notified(aws)
    declared(invoke(handlers, "high_value_order", high_value(orderId="\ud800")), "InvalidOrderEventError")
    error = declared(invoke(handlers, "validate_input", state(key="uploads/\udfff.jpg")), "ValidationError")
    assert error.reason == "bad_input"  # type: ignore[attr-defined]
    declared(invoke(handlers, "thumbnail", state(key="uploads/\udfff.jpg")), "ValidationError")


# --- 4. out-of-range dates and times -----------------------------------------------------------------


@pytest.mark.parametrize("when", [1795342531000, 10**20, -(10**12), float("nan"), "2026-11-22", True])
def test_bad_stream_timestamp_publishes_without_time(handlers: Any, when: Any) -> None:
    batch, _ = stream_with(0, lambda r: r["dynamodb"].update(ApproximateCreationDateTime=when))
    assert failed_ids(invoke(handlers, "order_stream", batch)) == set()


@pytest.mark.parametrize(
    "report_event",
    [
        {"time": "0001-01-01T00:00:00Z"},
        {"time": "9999-12-31T23:59:59+00:00"},
        {"time": "0001-01-01T00:00:00+23:59"},
        {"time": 1795342531000},
        {"time": {"nested": ["deep"]}},
        {"date": "1999-12-31"},
        {"date": "2999-01-01"},
        {"date": "0000-01-01"},
    ],
)
def test_out_of_range_report_times_are_declared(handlers: Any, report_event: dict[str, Any]) -> None:
    error = declared(invoke(handlers, "daily_report", report_event), "InvalidReportRequestError")
    assert str(error)


@pytest.mark.parametrize(
    "when", ["0001-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "2999-01-01T00:00:00Z", "yesterday"]
)
def test_out_of_range_event_time_fails_only_its_sqs_record(handlers: Any, when: str) -> None:
    bad = s3_body("uploads/time.jpg")
    bad["Records"][0]["eventTime"] = when
    assert failed_ids(invoke(handlers, "ingest", sqs_batch(bad, s3_body("uploads/time-ok.jpg")))) == {"m0"}


# --- 5. permanent errors are not transient (ParamValidationError) -------------------------------------


def test_param_validation_is_permanent_transport_errors_are_transient() -> None:
    aws_errors = load_function_module("validate_input", "validate_input_s3").__dict__[
        "is_transient_botocore_error"
    ]
    assert not aws_errors(ParamValidationError(report="Invalid bucket name"))
    assert aws_errors(EndpointConnectionError(endpoint_url="https://s3"))
    assert aws_errors(ReadTimeoutError(endpoint_url="https://s3"))


class _RaisingS3:
    def __getattr__(self, name: str) -> Any:
        def call(**_: Any) -> Any:
            raise ParamValidationError(report="Invalid bucket name 'Bad_Bucket'")

        return call


@pytest.mark.parametrize(
    ("function", "module", "adapter", "call"),
    [
        ("validate_input", "validate_input_s3", "S3ObjectReader", lambda a: a.head("Bad_Bucket", "k")),
        ("thumbnail", "thumbnail_s3", "ThumbnailStore", lambda a: a.download("Bad_Bucket", "k", 10)),
        ("ingest", "ingest_sfn", "StepFunctionsStarter", lambda a: a.start("n", "{}")),
        ("notify", "notify_store", "MetadataStore", lambda a: a.mark_notified("b/k", "t", "m")),
    ],
)
def test_param_validation_error_maps_to_a_permanent_error(
    function: str, module: str, adapter: str, call: Any
) -> None:
    mod = load_function_module(function, module)
    instance = (
        getattr(mod, adapter)("arn", client=_RaisingS3())
        if adapter in ("StepFunctionsStarter", "MetadataStore")
        else getattr(mod, adapter)(client=_RaisingS3())
    )
    with pytest.raises(Exception) as raised:
        call(instance)
    assert type(raised.value).__name__ in {"StorageError", "StartExecutionError"}, raised.value
    assert "Transient" not in type(raised.value).__name__


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"bucket": "Invalid_Bucket"}, "'bucket' has an invalid format"),
        ({"bucket": "ab"}, "'bucket' has an invalid format"),
        ({"key": "uploads/" + "é" * 520 + ".jpg"}, "above the limit of 1024"),
    ],
)
def test_invalid_location_in_state_input_is_a_validation_error(
    handlers: Any, fields: dict[str, Any], message: str
) -> None:
    for function in ("validate_input", "thumbnail"):
        error = declared(invoke(handlers, function, state(**fields)), "ValidationError")
        assert message in str(error) and error.reason == "bad_input"  # type: ignore[attr-defined]


# --- 6. silent ignore and overwrite ----------------------------------------------------------------


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (160, 120), mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, (10, 120, 200) if mode == "RGB" else 0).save(buf, fmt)
    return buf.getvalue()


@pytest.mark.parametrize(
    "key", ["uploads/IMG_0001.JPG", "uploads/a/Photo.Jpeg", "uploads/SCAN.PNG", "uploads/x.WebP"]
)
def test_upper_and_mixed_case_extensions_are_images(handlers: Any, aws: dict[str, Any], key: str) -> None:
    fmt = {"png": "PNG", "webp": "WEBP"}.get(key.rsplit(".", 1)[1].lower(), "JPEG")
    aws["s3"].put_object(Bucket=UPLOADS, Key=key, Body=image_bytes(fmt))
    info = invoke(handlers, "validate_input", state(key=key))
    assert isinstance(info, dict) and info["format"] == fmt
    result = invoke(handlers, "thumbnail", state(key=key))
    assert isinstance(result, dict) and len(result["items"]) == 1


@pytest.mark.parametrize(
    ("key", "named"),
    [
        ("uploads/readme.txt", "'.txt'"),
        ("uploads/noext", "no file extension"),
        ("uploads/a.JPG.exe", "'.exe'"),
    ],
)
def test_unsupported_extension_is_refused_by_name(
    handlers: Any, aws: dict[str, Any], key: str, named: str
) -> None:
    aws["s3"].put_object(Bucket=UPLOADS, Key=key, Body=image_bytes())
    error = declared(invoke(handlers, "validate_input", state(key=key)), "ValidationError")
    assert error.reason == "unsupported_extension" and named in str(error)  # type: ignore[attr-defined]
    assert ".jpg" in str(error)


def test_sources_differing_only_in_extension_get_distinct_thumbnails(
    handlers: Any, aws: dict[str, Any]
) -> None:
    keys = ["uploads/same.jpg", "uploads/same.jpeg", "uploads/same.png", "uploads/same.JPG"]
    written: list[str] = []
    for key in keys:  # JPEG bytes under every name: the output format is the same for all
        aws["s3"].put_object(Bucket=UPLOADS, Key=key, Body=image_bytes("JPEG"))
        written += [item["key"] for item in invoke(handlers, "thumbnail", state(key=key))["items"]]
    assert len(set(written)) == len(keys)
    for key in written:
        assert aws["s3"].head_object(Bucket=THUMBS, Key=key)["Metadata"]["source-key"] in keys


def test_long_keys_give_thumbnail_keys_within_limits(handlers: Any, aws: dict[str, Any]) -> None:
    # 1000+ bytes each, differing only at the end: truncated thumbnail names must stay distinct.
    keys = [f"uploads/{'ü' * 495}{suffix}.jpg" for suffix in ("-a", "-b")]
    thumbs = []
    for key in keys:
        assert 1000 < len(key.encode()) <= 1024
        aws["s3"].put_object(Bucket=UPLOADS, Key=key, Body=image_bytes())
        result = invoke(handlers, "thumbnail", state(key=key))
        assert isinstance(result, dict), result
        (item,) = result["items"]
        assert len(item["key"].encode()) <= 1024
        metadata = aws["s3"].head_object(Bucket=THUMBS, Key=item["key"])["Metadata"]
        assert sum(len(k) + len(v) for k, v in metadata.items()) <= 2048
        assert "source-key-sha256" in metadata  # the URL-encoded key would not fit
        thumbs.append(item["key"])
    assert thumbs[0] != thumbs[1]


def test_keys_outside_uploads_are_refused_by_thumbnail(handlers: Any, aws: dict[str, Any]) -> None:
    aws["s3"].put_object(Bucket=UPLOADS, Key="elsewhere/a.jpg", Body=image_bytes())
    error = declared(invoke(handlers, "thumbnail", state(key="elsewhere/a.jpg")), "ValidationError")
    assert "not under uploads/" in str(error)


def test_every_object_starts_an_execution_and_test_events_are_skipped(
    handlers: Any, aws: dict[str, Any]
) -> None:
    test_event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": UPLOADS}
    result = invoke(
        handlers, "ingest", sqs_batch(test_event, s3_body("uploads/DSC_1.JPG"), s3_body("uploads/n.txt"))
    )
    assert failed_ids(result) == set()
    assert {"uploads/DSC_1.JPG", "uploads/n.txt"} <= started_keys(aws)  # validate_input then says why


# --- 7. image fidelity --------------------------------------------------------------------------------


def render(data: bytes, boxes: list[tuple[int, int]]) -> list[Image.Image]:
    module = load_function_module("thumbnail", "thumbnail_render")
    return [Image.open(io.BytesIO(t.body)) for t in module.render_thumbnails(data, boxes, max_pixels=10**8)]


def test_16_bit_grey_with_trns_keeps_alpha_and_grey_levels() -> None:
    row = (5000).to_bytes(2, "little") * 100 + (60000).to_bytes(2, "little") * 100
    src = Image.frombytes("I;16", (200, 100), row * 100)
    buf = io.BytesIO()
    src.save(buf, "PNG", transparency=5000)
    (thumb,) = render(buf.getvalue(), [(100, 100)])
    assert "A" in thumb.getbands()
    transparent, opaque = thumb.getpixel((10, 25)), thumb.getpixel((90, 25))
    assert isinstance(transparent, tuple) and isinstance(opaque, tuple)
    assert transparent[3] == 0  # the tRNS grey value is transparent
    assert opaque[3] == 255 and opaque[0] == 60000 // 256  # scaled, not clipped to white


def test_16_bit_grey_without_trns_is_not_white() -> None:
    buf = io.BytesIO()
    Image.new("I;16", (64, 64), 12800).save(buf, "PNG")
    (thumb,) = render(buf.getvalue(), [(32, 32)])
    assert thumb.convert("L").getpixel((5, 5)) == 50


def xmp(orientation: int) -> bytes:
    return (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:tiff="http://ns.adobe.com/tiff/1.0/" tiff:Orientation="%d"/>'
        b"</rdf:RDF></x:xmpmeta>" % orientation
    )


def jpeg_with_xmp_orientation(size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 50, 50)).save(buf, "JPEG", xmp=xmp(6))
    return buf.getvalue()


def png_with_raw_profile_orientation(size: tuple[int, int]) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 8
    raw = exif.tobytes()
    info = PngImagePlugin.PngInfo()
    info.add_text("Raw profile type exif", f"\nexif\n{len(raw):8d}\n{raw.hex()}\n")
    buf = io.BytesIO()
    Image.new("RGB", size, (0, 90, 0)).save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def png_with_xmp_orientation(size: tuple[int, int]) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", xmp(5).decode())
    buf = io.BytesIO()
    Image.new("RGB", size, (0, 0, 90)).save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "factory"),
    [
        ("xmp.jpg", jpeg_with_xmp_orientation),
        ("raw-profile.png", png_with_raw_profile_orientation),
        ("xmp.png", png_with_xmp_orientation),
    ],
)
def test_orientation_outside_exif_is_honoured_by_both_functions(
    handlers: Any, aws: dict[str, Any], name: str, factory: Any
) -> None:
    key = f"uploads/orientation-{name}"
    aws["s3"].put_object(Bucket=UPLOADS, Key=key, Body=factory((400, 100)))
    info = invoke(handlers, "validate_input", state(key=key))
    assert (info["width"], info["height"]) == (100, 400)  # display size: rotated by 90 degrees
    (item,) = invoke(handlers, "thumbnail", state(key=key))["items"]
    assert (item["width"], item["height"]) == (16, 64)  # 64x64 box, portrait like validate_input said


def test_jpeg_draft_uses_the_xmp_orientation_for_non_square_boxes() -> None:
    # Stored 4000x1000, displayed 1000x4000. With the wrong orientation the draft would decode at
    # 1/4 (1000x250 -> 250x1000 displayed) and a 400x1600 box would come out 250x1000.
    (thumb,) = render(jpeg_with_xmp_orientation((4000, 1000)), [(400, 1600)])
    assert thumb.size == (400, 1600)


# --- 8. exact report money -----------------------------------------------------------------------------


def test_report_totals_are_exact_decimals(handlers: Any, aws: dict[str, Any]) -> None:
    day = "2026-11-20"
    totals = ["12345678901234567890123456.78", "0.10", "0.20", "99999999999999999999999999.99"]
    totals += ["0.01"] * 37
    for index, total in enumerate(totals):
        aws["ddb"].put_item(
            TableName=ORDERS,
            Item={
                "orderId": {"S": f"money-{index}"},
                "orderDate": {"S": day},
                "createdAt": {"S": f"{day}T00:00:{index:02d}.000Z"},
                "status": {"S": "PAID"},
                "currency": {"S": "EUR"},
                "total": {"N": total},
            },
        )
    expected = Decimal("112345678901234567890123457.44")  # 29 digits: beyond the default context
    assert sum((Decimal(t) for t in totals), Decimal(0)) != expected
    result = invoke(handlers, "daily_report", {"date": day})
    assert Decimal(result["totalRevenueExact"]) == expected
    report = json.loads(
        aws["s3"].get_object(Bucket=REPORTS, Key=f"reports/{day}/orders.json")["Body"].read(),
        parse_float=Decimal,
    )
    assert report["totalRevenue"] == expected and report["revenueByCurrency"]["EUR"] == expected
    assert [o["total"] for o in report["orders"]] == [Decimal(t) for t in totals]
    csv = aws["s3"].get_object(Bucket=REPORTS, Key=f"reports/{day}/orders.csv")["Body"].read().decode()
    assert ",12345678901234567890123456.78," in csv and ",0.10," in csv


def test_order_with_unknown_id_is_declared(handlers: Any) -> None:
    declared(invoke(handlers, "high_value_order", high_value(orderId="no-such-order")), "OrderNotFoundError")
    assert ORDER_ID


def test_image_suffixes_setting_is_case_insensitive_and_validated() -> None:
    config = load_function_module("validate_input", "validate_input_config")
    assert config.ValidateInputConfig.from_env({"IMAGE_SUFFIXES": ".JPG, .png"}).image_suffixes == (
        ".jpg",
        ".png",
    )
    assert ".heic" in config.ValidateInputConfig.from_env({}).image_suffixes
    for bad in ("jpg", ".j pg", ","):
        with pytest.raises(Exception, match="IMAGE_SUFFIXES"):
            config.ValidateInputConfig.from_env({"IMAGE_SUFFIXES": bad})
    service = load_function_module("validate_input", "validate_input_service")
    service.check_extension("s3://b/k", "uploads/A.PNG", (".jpg", ".png"))
    with pytest.raises(Exception, match="extension '.gif'; supported \\(any case\\): .jpg, .png"):
        service.check_extension("s3://b/k", "uploads/a.GIF", (".jpg", ".png"))
