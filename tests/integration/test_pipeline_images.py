"""End to end: images through S3 -> SQS -> ingest -> Step Functions -> S3, DynamoDB, SNS (deployed root)."""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import Callable
from typing import cast

import pillow_heif
import pytest
from PIL import Image, ImageOps

pytest.register_assert_rewrite("pipeline_helpers")  # before its import: it is also loaded as a plugin

from pipeline_helpers import (  # noqa: E402
    QueueCollector,
    Stack,
    avif_with_orientation,
    corrupt_jpeg,
    decompression_bomb,
    execution_name,
    fit_within,
    gif,
    heic_with_orientation,
    jpeg_with_orientation,
    png_with_alpha,
    s3_event,
    thumbnail_key,
    webp,
)

pytest_plugins = ["pipeline_helpers"]


pytestmark = [pytest.mark.integration, pytest.mark.e2e]

pillow_heif.register_heif_opener()  # the tests open HEIC sources to compare with their thumbnails

RUN = uuid.uuid4().hex[:8]


def _thumbnail_objects(stack: Stack, source_key: str) -> list[str]:
    name = source_key.removeprefix("uploads/")
    resp = stack.client("s3").list_objects_v2(
        Bucket=stack["thumbnails_bucket_name"], Prefix=f"thumbnails/{name}-"
    )
    return [o["Key"] for o in resp.get("Contents", [])]


GOOD_IMAGES: dict[str, tuple[Callable[[], bytes], str, str, tuple[int, int]]] = {
    # name: (bytes factory, extension, format, displayed size after EXIF orientation)
    "jpeg-exif-rotated": (jpeg_with_orientation, "jpg", "JPEG", (1200, 1600)),
    "png-alpha": (png_with_alpha, "png", "PNG", (640, 480)),
    "gif-animated": (gif, "gif", "GIF", (300, 500)),
    "webp-alpha": (webp, "webp", "WEBP", (800, 800)),
    "heic-rotated-icc": (heic_with_orientation, "heic", "HEIF", (600, 800)),
    "avif-rotated-icc": (avif_with_orientation, "avif", "AVIF", (600, 800)),
}
# Thumbnail format when it differs from the source's (thumbnail_render's format policy: browsers show no
# HEIC, and AVIF is slow to encode).
THUMBNAIL_FORMATS = {"HEIF": "JPEG", "AVIF": "JPEG"}
ROTATED_CASES = frozenset({"jpeg-exif-rotated", "heic-rotated-icc", "avif-rotated-icc"})


@pytest.mark.parametrize("case", sorted(GOOD_IMAGES))
def test_image_gets_thumbnails_metadata_and_notification(
    stack: Stack, audit_messages: QueueCollector, case: str
) -> None:
    factory, ext, fmt, (width, height) = GOOD_IMAGES[case]
    thumb_fmt = THUMBNAIL_FORMATS.get(fmt, fmt)
    body = factory()
    key = f"uploads/e2e-{RUN}/{case}.{ext}"
    name = stack.upload(key, body)

    desc = stack.wait_execution(name)
    assert desc["status"] == "SUCCEEDED", desc
    assert "HandleError" not in stack.visited_states(name)
    output = json.loads(desc["output"])
    assert output["image"]["format"] == fmt
    assert (output["image"]["width"], output["image"]["height"]) == (width, height)

    s3 = stack.client("s3")
    thumbs_bucket = stack["thumbnails_bucket_name"]
    items = {i["key"]: i for i in output["thumbnails"]["items"]}
    sizes = stack.thumbnail_sizes
    assert sorted(items) == sorted(thumbnail_key(key, size, thumb_fmt) for size in sizes)
    for size in sizes:
        tkey = thumbnail_key(key, size, thumb_fmt)
        obj = s3.get_object(Bucket=thumbs_bucket, Key=tkey)
        data = obj["Body"].read()
        with Image.open(io.BytesIO(data)) as thumb:
            assert thumb.format == thumb_fmt
            expected = fit_within(width, height, size)
            assert abs(thumb.width - expected[0]) <= 1 and abs(thumb.height - expected[1]) <= 1, (
                tkey,
                thumb.size,
                expected,
            )
            assert (items[tkey]["width"], items[tkey]["height"]) == thumb.size
            if fmt in ("PNG", "WEBP"):
                assert "A" in thumb.getbands(), f"{tkey} lost its alpha channel"
            if case in ROTATED_CASES:
                _assert_orientation_applied(body, thumb)
            if case.endswith("-icc"):
                with Image.open(io.BytesIO(body)) as src:
                    assert thumb.info.get("icc_profile") == src.info["icc_profile"], (
                        f"{tkey} lost the ICC profile"
                    )
        assert obj["ContentType"] == items[tkey]["contentType"] == f"image/{thumb_fmt.lower()}"
        assert obj["Metadata"]["source-bucket"] == stack["uploads_bucket_name"]
        assert obj["Metadata"]["source-key"] == key

    image_id = f"{stack['uploads_bucket_name']}/{key}"
    item = stack.client("dynamodb").get_item(
        TableName=stack["metadata_table_name"], Key={"imageId": {"S": image_id}}, ConsistentRead=True
    )["Item"]
    assert item["status"]["S"] == "PROCESSED"
    assert item["format"]["S"] == fmt
    assert (int(item["width"]["N"]), int(item["height"]["N"])) == (width, height)
    assert int(item["size"]["N"]) == len(body)
    assert sorted(t["key"] for t in json.loads(item["thumbnails"]["S"])) == sorted(items)

    note = audit_messages.wait_for(image_id)[0]
    assert note["key"] == key and note["bucket"] == stack["uploads_bucket_name"]
    assert sorted(t["key"] for t in note["thumbnails"]) == sorted(items)

    # notify (the other subscriber of image-processed) marks the item.
    deadline = time.monotonic() + 30
    while True:
        item = stack.client("dynamodb").get_item(
            TableName=stack["metadata_table_name"], Key={"imageId": {"S": image_id}}, ConsistentRead=True
        )["Item"]
        if item.get("notified", {}).get("BOOL"):
            break
        assert time.monotonic() < deadline, f"notify did not mark {image_id}: {item}"
        time.sleep(0.5)


def _assert_orientation_applied(original: bytes, thumb: Image.Image) -> None:
    """The thumbnail looks like the original displayed upright (EXIF orientation applied, then dropped)."""
    with Image.open(io.BytesIO(original)) as src:
        upright = ImageOps.exif_transpose(src).convert("RGB")
    upright.thumbnail(thumb.size)
    got = thumb.convert("RGB")
    for fx, fy in [(0.1, 0.1), (0.9, 0.1), (0.1, 0.9), (0.9, 0.9)]:
        p_exp = cast(
            tuple[int, int, int],
            upright.getpixel((int(fx * (upright.width - 1)), int(fy * (upright.height - 1)))),
        )
        p_got = cast(
            tuple[int, int, int], got.getpixel((int(fx * (got.width - 1)), int(fy * (got.height - 1))))
        )
        diff = sum(abs(a - b) for a, b in zip(p_exp, p_got, strict=True))
        assert diff < 90, ((fx, fy), p_exp, p_got)
    assert thumb.getexif().get(0x0112, 1) == 1, "the thumbnail still carries a rotating EXIF orientation"


BAD_INPUTS: dict[str, tuple[Callable[[], bytes], str]] = {
    "corrupt": (corrupt_jpeg, "jpg"),
    "not-an-image": (lambda: b"hello, I am plain text pretending to be a PNG\n" * 20, "png"),
    "decompression-bomb": (decompression_bomb, "png"),
    "zero-bytes": (lambda: b"", "jpg"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_fails_through_handle_error(
    stack: Stack, errors_topic_queue: QueueCollector, case: str
) -> None:
    factory, ext = BAD_INPUTS[case]
    key = f"uploads/e2e-{RUN}/bad-{case}.{ext}"
    name = stack.upload(key, factory())

    desc = stack.wait_execution(name)
    assert desc["status"] == "FAILED", desc
    states = stack.visited_states(name)
    assert "HandleError" in states, states
    assert "StoreMetadata" not in states

    message = errors_topic_queue.wait_for(key)[0]
    assert message["bucket"] == stack["uploads_bucket_name"]
    assert message["error"]["Error"] == "ValidationError", message
    assert message["error"]["Cause"]

    assert _thumbnail_objects(stack, key) == []
    image_id = f"{stack['uploads_bucket_name']}/{key}"
    item = stack.client("dynamodb").get_item(
        TableName=stack["metadata_table_name"], Key={"imageId": {"S": image_id}}
    )
    assert "Item" not in item


def test_duplicate_event_starts_one_execution(stack: Stack) -> None:
    bucket = stack["uploads_bucket_name"]
    key = f"uploads/e2e-{RUN}/duplicate.png"
    body = png_with_alpha(320, 200)
    name = stack.upload(key, body)
    assert stack.wait_execution(name)["status"] == "SUCCEEDED"

    # The same object event delivered again (twice): S3 and SQS are at-least-once.
    etag = stack.client("s3").head_object(Bucket=bucket, Key=key)["ETag"].strip('"')
    event = json.dumps(s3_event(bucket, key, etag, len(body)))
    sqs = stack.client("sqs")
    for _ in range(2):
        sqs.send_message(QueueUrl=stack["image_ingest_queue_url"], MessageBody=event)
    _wait_queue_drained(stack, stack["image_ingest_queue_url"])

    sfn = stack.client("stepfunctions")
    names = []
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=stack["state_machine_arn"]):
        names += [e["name"] for e in page["executions"] if e["name"] == name]
    assert names == [name]
    assert execution_name(bucket, key, etag) == name

    versions = stack.client("s3").list_object_versions(
        Bucket=stack["thumbnails_bucket_name"], Prefix=f"thumbnails/e2e-{RUN}/duplicate.png-"
    )
    written = [v["Key"] for v in versions.get("Versions", [])]
    assert sorted(written) == sorted(thumbnail_key(key, s, "PNG") for s in stack.thumbnail_sizes), written


def _wait_queue_drained(stack: Stack, queue_url: str, timeout: float = 60) -> None:
    sqs = stack.client("sqs")
    deadline = time.monotonic() + timeout
    while True:
        attrs = sqs.get_queue_attributes(
            QueueUrl=queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        if attrs == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}:
            return
        assert time.monotonic() < deadline, f"{queue_url} not drained: {attrs}"
        time.sleep(0.5)
