"""Unit tests for validate_input: moto S3 and real images generated with Pillow."""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from conftest import load_function_module
from moto import mock_aws
from PIL import Image

REGION = "us-east-1"
BUCKET = "imgpipe-dev-uploads"


# --- image factories -----------------------------------------------------------------------------


def noise(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    bands = len(Image.new(mode, (1, 1)).getbands())
    return Image.frombytes(mode, size, os.urandom(size[0] * size[1] * bands))


def encode(im: Image.Image, fmt: str, **params: Any) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def jpeg_with_orientation(size: tuple[int, int], orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(Image.new("RGB", size, (200, 30, 30)), "JPEG", exif=exif.tobytes())


def png_chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG header that claims huge dimensions (classic decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\0" * 4096))
        + png_chunk(b"IEND", b"")
    )


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_SERVICE_NAME": "validate_input",
        "POWERTOOLS_METRICS_NAMESPACE": "imgpipe",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MAX_IMAGE_BYTES", raising=False)
    monkeypatch.delenv("MAX_IMAGE_PIXELS", raising=False)


@pytest.fixture
def s3(aws_env: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET)
        yield client


@pytest.fixture
def load_handler(s3: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., ModuleType]:
    def _load(**env: str) -> ModuleType:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return load_function_module("validate_input")

    return _load


@pytest.fixture
def handler(load_handler: Callable[..., ModuleType]) -> ModuleType:
    return load_handler()


def put(s3: Any, key: str, body: bytes) -> dict[str, Any]:
    s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    return {
        "bucket": BUCKET,
        "key": key,
        "etag": "ignored",
        "size": len(body),
        "eventTime": "2026-11-22T10:15:30Z",
    }


def rejected(handler: ModuleType, event: dict[str, Any], context: Any) -> Any:
    with pytest.raises(Exception) as info:
        handler.lambda_handler(event, context)
    assert type(info.value).__name__ == "ValidationError"  # Step Functions matches this name
    return info.value


# --- accepted images -----------------------------------------------------------------------------


def test_jpeg_is_accepted_with_contract_shape(
    handler: ModuleType, s3: Any, lambda_context: Any, load_event: Callable[[str], dict]
) -> None:
    body = encode(noise((640, 480)), "JPEG", quality=90)
    event = load_event("sfn_validate_input.json")
    put(s3, event["key"], body)

    result = handler.lambda_handler(event, lambda_context)

    assert result == {
        "format": "JPEG",
        "width": 640,
        "height": 480,
        "size": len(body),
        "contentType": "image/jpeg",
        "mode": "RGB",
    }


def test_exif_orientation_6_reports_display_dimensions(
    handler: ModuleType, s3: Any, lambda_context: Any
) -> None:
    event = put(s3, "uploads/rotated.jpg", jpeg_with_orientation((640, 480), 6))

    result = handler.lambda_handler(event, lambda_context)

    assert (result["width"], result["height"]) == (480, 640)


@pytest.mark.parametrize(
    ("name", "body", "fmt", "mode", "content_type"),
    [
        (
            "alpha.png",
            encode(Image.new("RGBA", (300, 200), (0, 0, 255, 128)), "PNG"),
            "PNG",
            "RGBA",
            "image/png",
        ),
        ("anim.gif", encode(Image.new("P", (120, 80)), "GIF"), "GIF", "P", "image/gif"),
        ("photo.webp", encode(noise((200, 150)), "WEBP", quality=80), "WEBP", "RGB", "image/webp"),
        ("big.webp", encode(noise((600, 400)), "WEBP", lossless=True), "WEBP", "RGB", "image/webp"),
        (
            "alpha.webp",
            encode(Image.new("RGBA", (64, 32), (1, 2, 3, 4)), "WEBP", lossless=True),
            "WEBP",
            "RGBA",
            "image/webp",
        ),
    ],
)
def test_other_formats_are_accepted(
    handler: ModuleType,
    s3: Any,
    lambda_context: Any,
    name: str,
    body: bytes,
    fmt: str,
    mode: str,
    content_type: str,
) -> None:
    result = handler.lambda_handler(put(s3, f"uploads/{name}", body), lambda_context)

    assert (result["format"], result["mode"], result["contentType"], result["size"]) == (
        fmt,
        mode,
        content_type,
        len(body),
    )


def test_type_comes_from_magic_bytes_not_extension(handler: ModuleType, s3: Any, lambda_context: Any) -> None:
    result = handler.lambda_handler(
        put(s3, "uploads/really-a-png.jpg", encode(noise((10, 10)), "PNG")), lambda_context
    )

    assert result["format"] == "PNG"


class CountingReader:
    def __init__(self, inner: Any) -> None:
        self.inner, self.reads = inner, []  # type: ignore[var-annotated]

    def head(self, bucket: str, key: str) -> Any:
        return self.inner.head(bucket, key)

    def read(self, bucket: str, key: str, length: int, etag: str | None = None) -> bytes:
        self.reads.append(length)
        return bytes(self.inner.read(bucket, key, length, etag))


def test_large_jpeg_is_probed_from_a_64k_ranged_read(handler: ModuleType, s3: Any) -> None:
    body = encode(noise((1600, 1200)), "JPEG", quality=95)
    assert len(body) > 1_000_000
    put(s3, "uploads/large.jpg", body)
    reader = CountingReader(handler.S3ObjectReader())
    service = handler.ValidateInputService(reader, 26_214_400, 40_000_000)

    info = service.validate(BUCKET, "uploads/large.jpg")

    assert (info.width, info.height) == (1600, 1200)
    assert reader.reads == [64 * 1024]


def test_header_beyond_64k_falls_back_to_one_full_read(handler: ModuleType, s3: Any) -> None:
    body = encode(noise((100, 100)), "JPEG", icc_profile=os.urandom(200_000))
    put(s3, "uploads/big-icc.jpg", body)
    reader = CountingReader(handler.S3ObjectReader())
    service = handler.ValidateInputService(reader, 26_214_400, 40_000_000)

    info = service.validate(BUCKET, "uploads/big-icc.jpg")

    assert (info.format, info.width, info.height) == ("JPEG", 100, 100)
    assert reader.reads == [64 * 1024, len(body)]


# --- rejected input ------------------------------------------------------------------------------


def test_missing_object_is_a_validation_error(handler: ModuleType, s3: Any, lambda_context: Any) -> None:
    error = rejected(handler, {"bucket": BUCKET, "key": "uploads/nope.jpg"}, lambda_context)
    assert error.reason == "not_found"


def test_missing_bucket_is_a_validation_error(handler: ModuleType, lambda_context: Any) -> None:
    error = rejected(handler, {"bucket": "no-such-bucket", "key": "uploads/nope.jpg"}, lambda_context)
    assert error.reason == "not_found"


def test_zero_bytes_is_rejected(handler: ModuleType, s3: Any, lambda_context: Any) -> None:
    assert rejected(handler, put(s3, "uploads/empty.jpg", b""), lambda_context).reason == "empty"


def test_text_file_named_jpg_is_rejected(handler: ModuleType, s3: Any, lambda_context: Any) -> None:
    event = put(s3, "uploads/notes.jpg", b"just some text, definitely not a JPEG\n" * 10)
    assert rejected(handler, event, lambda_context).reason == "unsupported_type"


def test_unsupported_image_format_is_rejected(handler: ModuleType, s3: Any, lambda_context: Any) -> None:
    event = put(s3, "uploads/old.jpg", encode(noise((10, 10)), "BMP"))
    assert rejected(handler, event, lambda_context).reason == "unsupported_type"


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xd8\xff" + b"\x00" * 500,
        b"\x89PNG\r\n\x1a\n" + b"garbage" * 20,
        b"GIF89a\x01",
        b"RIFF\x10\x00\x00\x00WEBPVP8 garbage",
    ],
    ids=["jpeg", "png", "gif", "webp"],
)
def test_corrupt_header_is_rejected(handler: ModuleType, s3: Any, lambda_context: Any, body: bytes) -> None:
    assert rejected(handler, put(s3, "uploads/corrupt.JPG", body), lambda_context).reason == "corrupt"


def test_oversize_object_is_rejected_before_download(
    load_handler: Callable[..., ModuleType], s3: Any, lambda_context: Any
) -> None:
    handler = load_handler(MAX_IMAGE_BYTES="1000")
    event = put(s3, "uploads/big.png", encode(noise((100, 100)), "PNG"))
    assert rejected(handler, event, lambda_context).reason == "too_large"


def test_png_header_claiming_huge_dimensions_is_a_bomb(
    handler: ModuleType, s3: Any, lambda_context: Any
) -> None:
    event = put(s3, "uploads/bomb.png", png_claiming(100_000, 100_000))
    error = rejected(handler, event, lambda_context)
    assert error.reason == "too_many_pixels"


@pytest.mark.parametrize("size", [(1100, 1000), (3000, 3000)], ids=["pillow-warning", "pillow-error"])
def test_image_above_max_pixels_is_rejected(
    load_handler: Callable[..., ModuleType], s3: Any, lambda_context: Any, size: tuple[int, int]
) -> None:
    handler = load_handler(MAX_IMAGE_PIXELS="1000000")
    event = put(s3, "uploads/large.png", encode(Image.new("L", size), "PNG"))
    assert rejected(handler, event, lambda_context).reason == "too_many_pixels"


def test_probe_enforces_limit_even_when_pillow_limit_is_higher(handler: ModuleType) -> None:
    service_mod = load_function_module("validate_input", "validate_input_service")
    Image.MAX_IMAGE_PIXELS = None
    try:
        with pytest.raises(Exception, match="exceeds MAX_IMAGE_PIXELS"):
            service_mod.probe(encode(Image.new("L", (200, 100)), "PNG"), "PNG", 10_000, True)
    finally:
        Image.MAX_IMAGE_PIXELS = 40_000_000


@pytest.mark.parametrize(
    "event", [{}, {"bucket": BUCKET}, {"bucket": "", "key": "k"}, {"bucket": 1, "key": "k"}]
)
def test_event_without_bucket_or_key_is_rejected(
    handler: ModuleType, lambda_context: Any, event: dict
) -> None:
    assert rejected(handler, event, lambda_context).reason == "bad_input"


# --- S3 errors -----------------------------------------------------------------------------------


class FailingS3:
    def __init__(self, code: str, status: int) -> None:
        self.code, self.status = code, status

    def head_object(self, **kwargs: Any) -> dict[str, Any]:
        raise ClientError(
            {
                "Error": {"Code": self.code, "Message": "x"},
                "ResponseMetadata": {"HTTPStatusCode": self.status},
            },
            "HeadObject",
        )


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("SlowDown", 503, "TransientError"),
        ("InternalError", 500, "TransientError"),
        ("403", 403, "StorageError"),
    ],
)
def test_s3_errors_are_mapped(
    handler: ModuleType,
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
    code: str,
    status: int,
    expected: str,
) -> None:
    reader = handler.S3ObjectReader(client=FailingS3(code, status))
    monkeypatch.setattr(handler, "service", handler.ValidateInputService(reader, 1000, 1000))
    with pytest.raises(Exception) as info:
        handler.lambda_handler({"bucket": BUCKET, "key": "k.jpg"}, lambda_context)
    assert type(info.value).__name__ == expected


# --- configuration -------------------------------------------------------------------------------


def test_defaults_apply_when_limits_are_unset(handler: ModuleType) -> None:
    assert (handler.config.max_image_bytes, handler.config.max_image_pixels) == (26_214_400, 40_000_000)
    assert Image.MAX_IMAGE_PIXELS == 40_000_000


@pytest.mark.parametrize(("name", "value"), [("MAX_IMAGE_BYTES", "abc"), ("MAX_IMAGE_PIXELS", "0")])
def test_invalid_limits_fail_at_init(load_handler: Callable[..., ModuleType], name: str, value: str) -> None:
    with pytest.raises(Exception, match=f"{name} must be a positive integer") as info:
        load_handler(**{name: value})
    assert type(info.value).__name__ == "ValidateInputConfigError"
