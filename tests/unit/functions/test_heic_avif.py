"""HEIC and AVIF through validate_input and thumbnail: real encoders (pillow-heif, Pillow's libavif)."""

from __future__ import annotations

import io
from types import ModuleType
from typing import cast

import pytest
from conftest import load_function_module
from PIL import Image, ImageCms, ImageDraw

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
RED, BLUE = (250, 40, 40), (30, 120, 220)
Pixel = tuple[int, int, int]


def marked(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    """Blue with a red top-left quarter, so a wrong orientation shows."""
    fill = BLUE if mode == "RGB" else (*BLUE, 160)
    im = Image.new(mode, size, fill)
    ImageDraw.Draw(im).rectangle(
        [0, 0, size[0] // 4, size[1] // 4], fill=RED if mode == "RGB" else (*RED, 255)
    )
    return im


def encoded(fmt: str, size: tuple[int, int] = (400, 300), orientation: int = 6, mode: str = "RGB") -> bytes:
    """``fmt`` (HEIF or AVIF) bytes of ``marked(size)`` stored with an EXIF orientation and an ICC profile.

    pillow-heif turns the EXIF orientation into HEIF's irot/imir transforms; AVIF keeps the EXIF tag.
    """
    import pillow_heif

    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    marked(size, mode).save(buf, fmt, quality=90, exif=exif.tobytes(), icc_profile=SRGB)
    return buf.getvalue()


@pytest.fixture(scope="module")
def render() -> ModuleType:
    return load_function_module("thumbnail", "thumbnail_render")


@pytest.fixture(scope="module")
def validate() -> ModuleType:
    return load_function_module("validate_input", "validate_input_service")


@pytest.mark.parametrize(("fmt", "brand"), [("HEIF", b"heic"), ("AVIF", b"avif")])
def test_sniffed_by_their_ftyp_brand(validate: ModuleType, fmt: str, brand: bytes) -> None:
    from pipeline_shared.images import sniff_format

    data = encoded(fmt)
    assert data[8:12] == brand
    assert sniff_format(data) == fmt
    # other ISO BMFF files (an MP4) and a bare ftyp are not images
    assert sniff_format(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\0" * 32) is None
    assert sniff_format(b"\x00\x00\x00\x08ftyp") is None


@pytest.mark.parametrize("fmt", ["HEIF", "AVIF"])
def test_validate_reports_display_size_content_type_and_reads_once(validate: ModuleType, fmt: str) -> None:
    data = encoded(fmt, (400, 300), orientation=6)

    class Reader:
        reads: list[int] = []

        def head(self, bucket: str, key: str) -> object:
            return validate.ObjectHead(size=len(data), etag='"e"', content_type="binary/octet-stream")

        def read(self, bucket: str, key: str, length: int, etag: str | None = None) -> bytes:
            self.reads.append(length)
            return data[:length]

    info = validate.ValidateInputService(Reader(), 26_214_400, 40_000_000).validate(
        "b", f"uploads/x.{fmt.lower()}"
    )
    assert (info.format, info.width, info.height) == (fmt, 300, 400)  # orientation 6: rotated upright
    assert info.content_type == {"HEIF": "image/heic", "AVIF": "image/avif"}[fmt]
    assert Reader.reads == [len(data)]  # small file: one ranged read covers it


@pytest.mark.parametrize("fmt", ["HEIF", "AVIF"])
def test_truncated_header_needs_the_whole_file(validate: ModuleType, fmt: str) -> None:
    data = encoded(fmt)
    with pytest.raises(validate._NeedMoreBytes):
        validate.probe(data[:120], fmt, 40_000_000, complete=False)
    with pytest.raises(validate.ValidationError) as exc:
        validate.probe(data[:120], fmt, 40_000_000, complete=True)
    assert exc.value.reason == "corrupt"


@pytest.mark.parametrize("fmt", ["HEIF", "AVIF"])
def test_pixel_limit_applies(validate: ModuleType, fmt: str) -> None:
    with pytest.raises(validate.ValidationError) as exc:
        validate.probe(encoded(fmt, (400, 300)), fmt, 100_000, complete=True)
    assert exc.value.reason == "too_many_pixels"


@pytest.mark.parametrize("fmt", ["HEIF", "AVIF"])
def test_thumbnail_is_upright_jpeg_with_the_icc_profile(render: ModuleType, fmt: str) -> None:
    [thumb] = render.render_thumbnails(
        encoded(fmt, (400, 300), orientation=6), [(120, 120)], max_pixels=10**7
    )
    assert (thumb.format, thumb.extension, thumb.content_type) == ("JPEG", "jpg", "image/jpeg")
    with Image.open(io.BytesIO(thumb.body)) as im:
        assert im.format == "JPEG" and im.size == (90, 120) == (thumb.width, thumb.height)
        assert im.info.get("icc_profile") == SRGB
        assert im.getexif().get(0x0112, 1) == 1
        # orientation 6 (rotate 90 clockwise to display): the red top-left corner ends top-right
        upright = marked((400, 300)).rotate(-90, expand=True)
        upright.thumbnail(im.size)
        rgb = im.convert("RGB")
        for x, y in [(5, 5), (im.width - 5, 5), (5, im.height - 5)]:
            got, want = cast(Pixel, rgb.getpixel((x, y))), cast(Pixel, upright.getpixel((x, y)))
            assert sum(abs(a - b) for a, b in zip(got, want, strict=True)) < 90, ((x, y), got, want)


@pytest.mark.parametrize("fmt", ["HEIF", "AVIF"])
def test_thumbnail_of_a_source_with_alpha_is_webp_with_alpha(render: ModuleType, fmt: str) -> None:
    [thumb] = render.render_thumbnails(encoded(fmt, (200, 100), 1, "RGBA"), [(50, 50)], max_pixels=10**7)
    assert (thumb.format, thumb.extension, thumb.content_type) == ("WEBP", "webp", "image/webp")
    with Image.open(io.BytesIO(thumb.body)) as im:
        assert im.format == "WEBP" and im.mode == "RGBA" and im.size == (50, 25)
        assert 100 < im.getpixel((40, 20))[3] < 220  # type: ignore[index]
