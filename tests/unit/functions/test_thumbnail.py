"""Unit tests for the thumbnail function: real Pillow on generated images, moto S3."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from conftest import load_function_module
from moto import mock_aws
from PIL import Image, JpegImagePlugin

REGION = "us-east-1"
UPLOADS = "imgpipe-dev-uploads"
THUMBS = "imgpipe-dev-thumbnails"


# --- image factories -----------------------------------------------------------------------------


def photo(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """A cheap, photo-like image (gradients), any size."""
    r = Image.linear_gradient("L").resize(size)
    g = Image.radial_gradient("L").resize(size)
    b = Image.linear_gradient("L").rotate(90).resize(size)
    im = Image.merge("RGB", (r, g, b))
    return im if mode == "RGB" else im.convert(mode)


def encode(im: Image.Image, fmt: str, **params: Any) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def halves(
    size: tuple[int, int], left: tuple[int, ...], right: tuple[int, ...], mode: str = "RGB"
) -> Image.Image:
    im = Image.new(mode, size, right)
    im.paste(left, (0, 0, size[0] // 2, size[1]))
    return im


def png_claiming(width: int, height: int) -> bytes:
    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
        + chunk(b"IEND", b"")
    )


def px(image: Image.Image, xy: tuple[int, int]) -> Any:
    return image.getpixel(xy)


def opened(body: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(body))
    im.load()
    return im


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_SERVICE_NAME": "thumbnail",
        "POWERTOOLS_METRICS_NAMESPACE": "imgpipe",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "THUMBNAIL_BUCKET": THUMBS,
        "THUMBNAIL_SIZES": "200x200,400x400",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MAX_IMAGE_BYTES", raising=False)
    monkeypatch.delenv("MAX_IMAGE_PIXELS", raising=False)


@pytest.fixture
def s3(aws_env: None) -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=UPLOADS)
        client.create_bucket(Bucket=THUMBS)
        yield client


@pytest.fixture
def load_handler(s3: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., ModuleType]:
    def _load(**env: str) -> ModuleType:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return load_function_module("thumbnail")

    return _load


@pytest.fixture
def handler(load_handler: Callable[..., ModuleType]) -> ModuleType:
    return load_handler()


@pytest.fixture
def render() -> ModuleType:
    return load_function_module("thumbnail", "thumbnail_render")


def put(s3: Any, key: str, body: bytes) -> dict[str, Any]:
    s3.put_object(Bucket=UPLOADS, Key=key, Body=body)
    return {
        "bucket": UPLOADS,
        "key": key,
        "etag": "e",
        "size": len(body),
        "eventTime": "2026-11-22T10:15:30Z",
    }


def fetch(s3: Any, key: str) -> tuple[Image.Image, dict[str, Any]]:
    obj = s3.get_object(Bucket=THUMBS, Key=key)
    return opened(obj["Body"].read()), obj


def rejected(handler: ModuleType, event: dict[str, Any], context: Any) -> Any:
    with pytest.raises(Exception) as info:
        handler.lambda_handler(event, context)
    assert type(info.value).__name__ == "ValidationError"
    return info.value


# --- happy paths ---------------------------------------------------------------------------------


def test_jpeg_produces_every_size_with_metadata(
    handler: ModuleType, s3: Any, lambda_context: Any, load_event: Callable[[str], dict]
) -> None:
    event = load_event("sfn_generate_thumbnail.json")
    body = encode(photo((1200, 900)), "JPEG", quality=92)
    put(s3, event["key"], body)

    result = handler.lambda_handler(event, lambda_context)

    assert result["bucket"] == THUMBS
    assert [(i["key"], i["width"], i["height"], i["contentType"]) for i in result["items"]] == [
        ("thumbnails/cat.jpg-200x200.jpg", 200, 150, "image/jpeg"),
        ("thumbnails/cat.jpg-400x400.jpg", 400, 300, "image/jpeg"),
    ]
    for item in result["items"]:
        image, obj = fetch(s3, item["key"])
        assert (image.format, image.size, image.mode) == ("JPEG", (item["width"], item["height"]), "RGB")
        assert image.info.get("progressive") and "exif" not in image.info
        assert obj["ContentType"] == "image/jpeg"
        assert obj["ContentLength"] == item["size"]
        assert obj["Metadata"] == {
            "source-bucket": UPLOADS,
            "source-key": "uploads/cat.jpg",
            "source-size": str(len(body)),
            "thumbnail-width": str(item["width"]),
            "thumbnail-height": str(item["height"]),
        }


def test_exif_orientation_6_is_applied(handler: ModuleType, s3: Any, lambda_context: Any) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90 degrees clockwise to display
    raw = halves((640, 480), (255, 0, 0), (0, 0, 255))  # raw left half red
    body = encode(raw, "JPEG", quality=95, exif=exif.tobytes())

    result = handler.lambda_handler(put(s3, "uploads/phone.jpg", body), lambda_context)

    image, _ = fetch(s3, result["items"][0]["key"])
    assert image.size == (150, 200)  # portrait after rotation
    top, bottom = px(image, (75, 10)), px(image, (75, 190))
    assert top[0] > 200 and top[2] < 60  # raw left (red) is now on top
    assert bottom[2] > 200 and bottom[0] < 60
    assert image.getexif().get(0x0112) is None


def test_png_with_alpha_keeps_alpha(handler: ModuleType, s3: Any, lambda_context: Any) -> None:
    src = Image.new("RGBA", (800, 600), (0, 0, 0, 0))
    src.paste((0, 200, 0, 255), (200, 150, 600, 450))

    result = handler.lambda_handler(put(s3, "uploads/logo.png", encode(src, "PNG")), lambda_context)

    assert [i["key"] for i in result["items"]] == [
        "thumbnails/logo.png-200x200.png",
        "thumbnails/logo.png-400x400.png",
    ]
    image, obj = fetch(s3, "thumbnails/logo.png-400x400.png")
    assert (image.format, image.mode, image.size, obj["ContentType"]) == (
        "PNG",
        "RGBA",
        (400, 300),
        "image/png",
    )
    assert px(image, (5, 5))[3] == 0
    assert px(image, (200, 150)) == (0, 200, 0, 255)


def test_animated_gif_becomes_first_frame_gif_with_transparency(
    handler: ModuleType, s3: Any, lambda_context: Any
) -> None:
    frames = [
        halves((500, 250), (255, 0, 0, 255), (0, 0, 0, 0), "RGBA"),
        Image.new("RGBA", (500, 250), "blue"),
    ]
    body = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert getattr(Image.open(io.BytesIO(body)), "n_frames", 1) == 2

    result = handler.lambda_handler(put(s3, "uploads/anim.gif", body), lambda_context)

    image, obj = fetch(s3, "thumbnails/anim.gif-200x200.gif")
    assert (image.format, image.size, getattr(image, "n_frames", 1)) == ("GIF", (200, 100), 1)
    assert obj["ContentType"] == "image/gif"
    rgba = image.convert("RGBA")
    assert px(rgba, (20, 50))[:3] == (255, 0, 0)  # first frame, not the blue second one
    assert px(rgba, (180, 50))[3] == 0
    assert result["items"][0]["width"] == 200


@pytest.mark.parametrize(("mode", "lossless"), [("RGBA", True), ("RGB", False)])
def test_webp_stays_webp(
    handler: ModuleType, s3: Any, lambda_context: Any, mode: str, lossless: bool
) -> None:
    src = photo((900, 600), mode)
    if mode == "RGBA":
        src.putalpha(Image.linear_gradient("L").resize((900, 600)))

    handler.lambda_handler(put(s3, "uploads/pic.webp", encode(src, "WEBP", quality=90)), lambda_context)

    image, obj = fetch(s3, "thumbnails/pic.webp-400x400.webp")
    assert (image.format, image.mode, image.size, obj["ContentType"]) == (
        "WEBP",
        mode,
        (400, 267),
        "image/webp",
    )
    body = s3.get_object(Bucket=THUMBS, Key="thumbnails/pic.webp-400x400.webp")["Body"].read()
    assert (b"VP8L" in body[:64]) is lossless  # VP8L = lossless bitstream, VP8 = lossy


def test_webp_with_alpha_is_encoded_lossless(render: ModuleType) -> None:
    src = Image.new("RGBA", (300, 300), (10, 20, 30, 40))
    [thumb] = render.render_thumbnails(encode(src, "WEBP", lossless=True), [(100, 100)], max_pixels=10**7)
    assert b"VP8L" in thumb.body[:64]
    pixel = px(opened(thumb.body), (50, 50))
    assert pixel[3] == 40 and all(abs(a - b) <= 3 for a, b in zip(pixel, (10, 20, 30, 40), strict=True))


def test_small_image_is_never_upscaled(handler: ModuleType, s3: Any, lambda_context: Any) -> None:
    result = handler.lambda_handler(
        put(s3, "uploads/tiny.jpg", encode(photo((120, 90)), "JPEG")), lambda_context
    )

    assert [(i["width"], i["height"]) for i in result["items"]] == [(120, 90), (120, 90)]


def test_url_decoded_unicode_key(handler: ModuleType, s3: Any, lambda_context: Any) -> None:
    key = "uploads/summer holiday/Café photo (1).jpeg"

    result = handler.lambda_handler(put(s3, key, encode(photo((300, 300)), "JPEG")), lambda_context)

    out = result["items"][0]["key"]
    assert out == "thumbnails/summer holiday/Café photo (1).jpeg-200x200.jpg"
    _, obj = fetch(s3, out)
    assert obj["Metadata"]["source-key"] == "uploads/summer%20holiday/Caf%C3%A9%20photo%20%281%29.jpeg"


@pytest.mark.parametrize(
    ("key", "box", "ext", "expected"),
    [
        ("uploads/cat.jpg", (200, 200), "jpg", "thumbnails/cat.jpg-200x200.jpg"),
        ("uploads/a/b/Cat.JPEG", (400, 300), "jpg", "thumbnails/a/b/Cat.JPEG-400x300.jpg"),
        ("uploads/archive.tar.png", (200, 200), "png", "thumbnails/archive.tar.png-200x200.png"),
        ("uploads/noext", (200, 200), "gif", "thumbnails/noext-200x200.gif"),
    ],
)
def test_thumbnail_key(key: str, box: tuple[int, int], ext: str, expected: str) -> None:
    service = load_function_module("thumbnail", "thumbnail_service")
    assert service.thumbnail_key(key, box, ext) == expected


# --- the render function itself -----------------------------------------------------------------


def test_render_decodes_once_for_all_sizes_and_uses_draft(
    render: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    opens: list[int] = []
    drafts: list[tuple[int, int] | None] = []
    real_open, real_draft = Image.open, JpegImagePlugin.JpegImageFile.draft

    def counting_open(*args: Any, **kwargs: Any) -> Any:
        opens.append(1)
        return real_open(*args, **kwargs)

    def recording_draft(self: Any, mode: Any, size: Any) -> Any:
        drafts.append(size)
        return real_draft(self, mode, size)

    monkeypatch.setattr(Image, "open", counting_open)
    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", recording_draft)
    body = encode(photo((2400, 1800)), "JPEG")

    thumbs = render.render_thumbnails(body, [(200, 200), (800, 800), (400, 400)], max_pixels=10**8)

    assert len(opens) == 1
    assert drafts == [(1600, 1200)]  # 2x the largest thumbnail -> libjpeg decodes at 1/2 scale
    assert [(t.box, t.width, t.height) for t in thumbs] == [
        ((200, 200), 200, 150),
        ((800, 800), 800, 600),
        ((400, 400), 400, 300),
    ]


def test_render_draft_respects_exif_rotation(render: ModuleType) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    raw = halves((2400, 1800), (255, 0, 0), (0, 0, 255))
    body = encode(raw, "JPEG", quality=90, exif=exif.tobytes())

    [thumb] = render.render_thumbnails(body, [(200, 200)], max_pixels=10**8)

    image = opened(thumb.body)
    assert image.size == (150, 200)
    assert px(image, (75, 5))[0] > 200 and px(image, (75, 195))[2] > 200


def test_render_handles_cmyk_jpeg_and_16_bit_grey_png(render: ModuleType) -> None:
    [cmyk] = render.render_thumbnails(
        encode(photo((300, 200), "CMYK"), "JPEG"), [(100, 100)], max_pixels=10**7
    )
    assert opened(cmyk.body).mode == "RGB"

    grey = Image.new("I;16", (300, 200), 40000)
    [png] = render.render_thumbnails(encode(grey, "PNG"), [(100, 100)], max_pixels=10**7)
    thumb = opened(png.body)
    assert thumb.mode == "L" and abs(px(thumb, (50, 30)) - 40000 // 256) <= 1


def test_fit_keeps_aspect_and_never_upscales(render: ModuleType) -> None:
    assert render.fit((4000, 3000), (200, 200)) == (200, 150)
    assert render.fit((3000, 4000), (200, 200)) == (150, 200)
    assert render.fit((100, 50), (200, 200)) == (100, 50)
    assert render.fit((10000, 1), (200, 200)) == (200, 1)


# --- rejected input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"hello, I am a text file named .jpg\n", "unsupported_type"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 300, "corrupt"),
        (encode(photo((400, 300)), "JPEG")[:900], "corrupt"),  # truncated body, valid header
        (encode(photo((400, 300)), "PNG")[:2000], "corrupt"),
        (png_claiming(100_000, 100_000), "too_many_pixels"),
    ],
    ids=["zero-bytes", "text", "corrupt-jpeg", "truncated-jpeg", "truncated-png", "png-bomb"],
)
def test_bad_sources_raise_validation_error(
    handler: ModuleType, s3: Any, lambda_context: Any, body: bytes, reason: str
) -> None:
    assert rejected(handler, put(s3, "uploads/bad.jpg", body), lambda_context).reason == reason
    assert s3.list_objects_v2(Bucket=THUMBS).get("KeyCount") == 0


def test_large_but_cheap_image_above_pixel_limit_is_refused(
    load_handler: Callable[..., ModuleType], s3: Any, lambda_context: Any
) -> None:
    handler = load_handler(MAX_IMAGE_PIXELS="1000000")
    assert Image.MAX_IMAGE_PIXELS == 1_000_000
    event = put(s3, "uploads/wide.png", encode(Image.new("L", (2000, 1500)), "PNG"))
    assert rejected(handler, event, lambda_context).reason == "too_many_pixels"


def test_oversize_source_is_refused(
    load_handler: Callable[..., ModuleType], s3: Any, lambda_context: Any
) -> None:
    handler = load_handler(MAX_IMAGE_BYTES="1024")
    event = put(s3, "uploads/big.png", encode(photo((300, 300)), "PNG"))
    assert rejected(handler, event, lambda_context).reason == "too_large"


def test_missing_source_is_refused(handler: ModuleType, s3: Any, lambda_context: Any) -> None:
    assert (
        rejected(handler, {"bucket": UPLOADS, "key": "uploads/gone.jpg"}, lambda_context).reason
        == "not_found"
    )


def test_event_without_key_is_refused(handler: ModuleType, lambda_context: Any) -> None:
    assert rejected(handler, {"bucket": UPLOADS}, lambda_context).reason == "bad_input"


# --- S3 failures ---------------------------------------------------------------------------------


class FlakyS3:
    """Fails GetObject or PutObject with the given error; delegates the rest to a real (moto) client."""

    def __init__(self, inner: Any, operation: str, error: Exception) -> None:
        self.inner, self.operation, self.error = inner, operation, error

    def get_object(self, **kwargs: Any) -> Any:
        if self.operation == "get":
            raise self.error
        return self.inner.get_object(**kwargs)

    def put_object(self, **kwargs: Any) -> Any:
        if self.operation == "put":
            raise self.error
        return self.inner.put_object(**kwargs)


def client_error(code: str, status: int) -> ClientError:
    return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


@pytest.mark.parametrize(
    ("operation", "error", "expected"),
    [
        ("get", client_error("SlowDown", 503), "TransientError"),
        ("get", client_error("InternalError", 500), "TransientError"),
        ("get", ReadTimeoutError(endpoint_url="https://s3"), "TransientError"),
        ("put", client_error("ServiceUnavailable", 503), "TransientError"),
        ("put", client_error("AccessDenied", 403), "StorageError"),
        ("get", client_error("NoSuchBucket", 404), "StorageError"),
    ],
)
def test_s3_failures_are_classified(
    handler: ModuleType,
    s3: Any,
    lambda_context: Any,
    monkeypatch: pytest.MonkeyPatch,
    operation: str,
    error: Exception,
    expected: str,
) -> None:
    event = put(s3, "uploads/cat.jpg", encode(photo((300, 200)), "JPEG"))
    store = handler.ThumbnailStore(client=FlakyS3(s3, operation, error))
    monkeypatch.setattr(handler, "service", handler.ThumbnailService(store, handler.config))

    with pytest.raises(Exception) as info:
        handler.lambda_handler(event, lambda_context)

    assert type(info.value).__name__ == expected


# --- configuration -------------------------------------------------------------------------------


def test_missing_thumbnail_bucket_fails_at_init(
    load_handler: Callable[..., ModuleType], monkeypatch: Any
) -> None:
    monkeypatch.delenv("THUMBNAIL_BUCKET")
    with pytest.raises(Exception, match="THUMBNAIL_BUCKET is required") as info:
        load_handler()
    assert type(info.value).__name__ == "ThumbnailConfigError"


@pytest.mark.parametrize("sizes", ["200", "200x0", "axb", "200x200,,", "5000x5000"])
def test_invalid_sizes_fail_at_init(load_handler: Callable[..., ModuleType], sizes: str) -> None:
    with pytest.raises(Exception, match="THUMBNAIL_SIZES"):
        load_handler(THUMBNAIL_SIZES=sizes)


def test_sizes_default_and_parse(load_handler: Callable[..., ModuleType], monkeypatch: Any) -> None:
    monkeypatch.delenv("THUMBNAIL_SIZES")
    assert load_handler().config.sizes == ((200, 200),)
    config = load_function_module("thumbnail", "thumbnail_config")
    assert config.parse_sizes(" 200x200, 400X300 ,200x200") == ((200, 200), (400, 300))
