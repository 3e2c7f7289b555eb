"""validate_input reads the object it inspected: every GET is pinned to the HEAD's ETag (If-Match).

An upload overwritten between HEAD and GET must be rejected as ``changed``, never validated with the
size of one version and the bytes of another. moto S3 implements If-Match (412 PreconditionFailed).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from conftest import load_function_module
from moto import mock_aws
from PIL import Image

REGION = "us-east-1"
BUCKET = "imgpipe-dev-uploads"


def png(size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (10, 200, 30)).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_SERVICE_NAME": "validate_input",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture
def handler(s3: Any) -> ModuleType:
    return load_function_module("validate_input")


class OverwriteAfterHead:
    """The real reader, with the object replaced right after the HEAD (a concurrent re-upload)."""

    def __init__(self, inner: Any, s3: Any, key: str, new_body: bytes) -> None:
        self.inner, self.s3, self.key, self.new_body = inner, s3, key, new_body
        self.etags: list[str | None] = []

    def head(self, bucket: str, key: str) -> Any:
        head = self.inner.head(bucket, key)
        self.s3.put_object(Bucket=bucket, Key=self.key, Body=self.new_body)
        return head

    def read(self, bucket: str, key: str, length: int, etag: str | None = None) -> bytes:
        self.etags.append(etag)
        return bytes(self.inner.read(bucket, key, length, etag))


def test_object_overwritten_between_head_and_get_is_rejected_as_changed(handler: ModuleType, s3: Any) -> None:
    key = "uploads/raced.png"
    first = s3.put_object(Bucket=BUCKET, Key=key, Body=png((40, 30)))
    reader = OverwriteAfterHead(handler.S3ObjectReader(), s3, key, png((80, 60)))
    service = handler.ValidateInputService(reader, 26_214_400, 40_000_000)

    with pytest.raises(Exception) as info:
        service.validate(BUCKET, key)

    assert type(info.value).__name__ == "ValidationError"
    assert "overwritten" in str(info.value)
    assert reader.etags == [first["ETag"]]


def test_unchanged_object_is_read_with_its_etag(handler: ModuleType, s3: Any) -> None:
    key = "uploads/stable.png"
    first = s3.put_object(Bucket=BUCKET, Key=key, Body=png((40, 30)))
    reader = OverwriteAfterHead(handler.S3ObjectReader(), s3, key, png((40, 30)))  # same bytes, same ETag

    info = handler.ValidateInputService(reader, 26_214_400, 40_000_000).validate(BUCKET, key)

    assert (info.width, info.height) == (40, 30)
    assert reader.etags == [first["ETag"]]
