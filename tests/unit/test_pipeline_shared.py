"""Unit tests of the shared-code layer (layers/shared/python/pipeline_shared)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError
from PIL import Image
from pipeline_shared import aws_errors, clients, config, events, images
from pipeline_shared.aws_errors import S3ErrorKind


class SettingError(Exception):
    pass


class RejectedError(Exception):
    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


# --- config ----------------------------------------------------------------------------------------


def test_required_strips_and_names_the_variable() -> None:
    assert config.required({"A": " x "}, "A", error=SettingError) == "x"
    for env in ({}, {"A": "  "}):
        with pytest.raises(SettingError, match="^environment variable A is required$"):
            config.required(env, "A", error=SettingError)


def test_required_with_pattern() -> None:
    pattern = re.compile(r"^[a-z]+$")
    assert config.required({"A": "abc"}, "A", error=SettingError, pattern=pattern, expected="lower") == "abc"
    with pytest.raises(SettingError, match=r"^A is not lowercase letters: 'ABC'$"):
        config.required({"A": "ABC"}, "A", error=SettingError, pattern=pattern, expected="lowercase letters")


def test_required_all_lists_every_missing_variable_in_order() -> None:
    env = {"A": " 1 ", "B": "", "D": "4"}
    assert config.required_all(env, ("A", "D"), error=SettingError) == {"A": "1", "D": "4"}
    with pytest.raises(SettingError, match=r"^missing required environment variable\(s\): B, C$"):
        config.required_all(env, ("A", "B", "C", "D"), error=SettingError)


@pytest.mark.parametrize(("raw", "expected"), [(None, 7), ("", 7), ("  ", 7), ("1", 1), (" 42 ", 42)])
def test_positive_int_default_and_values(raw: str | None, expected: int) -> None:
    env = {} if raw is None else {"N": raw}
    assert config.positive_int(env, "N", 7, error=SettingError) == expected


@pytest.mark.parametrize("raw", ["0", "-1", "+5", "1_000", "2.5", "abc", "８", "²"])
def test_positive_int_refuses_anything_but_ascii_digits_above_zero(raw: str) -> None:
    with pytest.raises(SettingError, match=f"^N must be a positive integer, got {re.escape(repr(raw))}$"):
        config.positive_int({"N": raw}, "N", 7, error=SettingError)


@pytest.mark.parametrize(("raw", "ok"), [("1", True), ("32", True), ("0", False), ("33", False)])
def test_positive_int_with_maximum(raw: str, ok: bool) -> None:
    if ok:
        assert config.positive_int({"N": raw}, "N", 8, error=SettingError, maximum=32) == int(raw)
    else:
        with pytest.raises(SettingError, match="^N must be an integer from 1 to 32, got"):
            config.positive_int({"N": raw}, "N", 8, error=SettingError, maximum=32)


# --- clients ---------------------------------------------------------------------------------------


def test_client_config_policy() -> None:
    cfg = clients.client_config(max_attempts=5, read_timeout=20)
    assert cfg.retries == {"mode": "standard", "max_attempts": 5}
    assert (cfg.connect_timeout, cfg.read_timeout) == (3, 20)
    default = clients.client_config()
    assert (default.retries["max_attempts"], default.read_timeout) == (3, 10)


def test_lazy_client_uses_the_injected_client_or_creates_one_once(monkeypatch: pytest.MonkeyPatch) -> None:
    injected = object()
    assert clients.LazyClient("s3", clients.client_config(), injected).get() is injected
    created: list[tuple[str, Any]] = []

    def fake_client(service: str, config: Any) -> object:
        created.append((service, config))
        return object()

    monkeypatch.setattr(clients.boto3, "client", fake_client)
    cfg = clients.client_config()
    lazy = clients.LazyClient("dynamodb", cfg)
    assert created == []
    assert lazy.get() is lazy.get()
    assert created == [("dynamodb", cfg)]


# --- events ----------------------------------------------------------------------------------------


def test_object_location() -> None:
    event = {"bucket": "my-bucket.1", "key": "k", "x": 1}
    assert events.object_location(event, error=RejectedError) == ("my-bucket.1", "k")
    assert events.object_location({"bucket": "bkt", "key": "é" * 512}, error=RejectedError)[1] == "é" * 512


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({}, "'bucket' must be a string"),
        ({"bucket": "bkt"}, "'key' must be a string"),
        ({"bucket": "", "key": "k"}, "'bucket' must not be empty"),
        ({"bucket": "bkt", "key": 3}, "'key' must be a string"),
        ({"bucket": "Invalid_Bucket", "key": "k"}, "'bucket' has an invalid format"),
        ({"bucket": "b" * 64, "key": "k"}, "above the limit of 63"),
        ({"bucket": "bkt", "key": "é" * 513}, "1026 bytes in UTF-8, above the limit of 1024"),
        ({"bucket": "bkt", "key": "uploads/\ud800.jpg"}, "lone surrogate"),
        (["bkt", "k"], "must be a JSON object"),
    ],
)
def test_object_location_rejects_bad_input(event: Any, message: str) -> None:
    with pytest.raises(RejectedError, match=re.escape(message)) as info:
        events.object_location(event, error=RejectedError)
    assert info.value.reason == "bad_input"


# --- aws_errors ------------------------------------------------------------------------------------


def client_error(code: str, status: int | None) -> ClientError:
    response: dict[str, Any] = {"Error": {"Code": code, "Message": "m"}}
    if status is not None:
        response["ResponseMetadata"] = {"HTTPStatusCode": status}
    return ClientError(response, "GetObject")


def test_error_code_and_http_status() -> None:
    e = client_error("SlowDown", 503)
    assert (aws_errors.error_code(e), aws_errors.http_status(e)) == ("SlowDown", 503)
    bare = ClientError({}, "GetObject")
    assert (aws_errors.error_code(bare), aws_errors.http_status(bare)) == ("", 0)


@pytest.mark.parametrize(
    ("code", "status", "bucket_is_object", "kind"),
    [
        ("NoSuchKey", 404, False, S3ErrorKind.NOT_FOUND),
        ("NotFound", None, False, S3ErrorKind.NOT_FOUND),
        ("404", 404, True, S3ErrorKind.NOT_FOUND),
        ("Whatever", 404, False, S3ErrorKind.NOT_FOUND),
        ("NoSuchBucket", 404, True, S3ErrorKind.NOT_FOUND),
        ("NoSuchBucket", 404, False, S3ErrorKind.OTHER),
        ("PreconditionFailed", 412, True, S3ErrorKind.PRECONDITION_FAILED),
        ("", 412, False, S3ErrorKind.PRECONDITION_FAILED),
        ("SlowDown", 503, False, S3ErrorKind.TRANSIENT),
        ("RequestTimeout", 400, True, S3ErrorKind.TRANSIENT),
        ("Anything", 500, False, S3ErrorKind.TRANSIENT),
        ("AccessDenied", 403, True, S3ErrorKind.OTHER),
    ],
)
def test_classify_s3_error(code: str, status: int | None, bucket_is_object: bool, kind: S3ErrorKind) -> None:
    e = client_error(code, status)
    assert aws_errors.classify_s3_error(e, missing_bucket_is_not_found=bucket_is_object) is kind


# --- images ----------------------------------------------------------------------------------------


def encoded(fmt: str, exif: bytes | None = None) -> bytes:
    buf = io.BytesIO()
    kwargs = {"exif": exif} if exif else {}
    Image.new("RGB", (8, 4), "red").save(buf, fmt, **kwargs)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_sniff_format_by_magic_bytes(fmt: str) -> None:
    assert images.sniff_format(encoded(fmt)) == fmt


@pytest.mark.parametrize("data", [b"", b"BM\x00\x00", b"RIFF\x00\x00\x00\x00WAVE", b"GIF90a", b"\xff\xd8"])
def test_sniff_format_unsupported(data: bytes) -> None:
    assert images.sniff_format(data) is None


def test_exif_orientation() -> None:
    exif = Image.Exif()
    exif[images.ORIENTATION_TAG] = 6
    with Image.open(io.BytesIO(encoded("JPEG", exif.tobytes()))) as im:
        assert images.exif_orientation(im) == 6
    with Image.open(io.BytesIO(encoded("JPEG"))) as im:
        assert images.exif_orientation(im) == 1
    with Image.open(io.BytesIO(encoded("PNG"))) as im:
        im.info["exif"] = b"Exif\x00\x00garbage"
        assert images.exif_orientation(im) == 1
    assert 6 in images.SWAPS_AXES and 1 not in images.SWAPS_AXES


def test_decode_errors_cover_truncated_images() -> None:
    with pytest.raises(images.DECODE_ERRORS), Image.open(io.BytesIO(encoded("PNG")[:40])) as im:
        im.load()
