"""Pure thumbnail rendering: image bytes + boxes -> encoded thumbnails.

No AWS and no Powertools here, so the benchmark (scripts/bench_thumbnail.py) measures exactly what
the function runs. The source is decoded ONCE:

1. ``Image.open`` parses the header; the pixel count is checked before any decode.
2. JPEG only: ``Image.draft`` asks libjpeg for a DCT-domain downscale (1/2, 1/4 or 1/8) that is still
   at least ``DRAFT_GAP`` times the largest thumbnail, which makes the one decode much cheaper.
3. ``load()`` decodes; the orientation read from the header (EXIF, raw profile or XMP, exactly as
   validate_input reads it) is applied.
4. Every box is rendered from the largest rendered image that is still at least 2x the target (else
   from the decoded image) with Lanczos; aspect ratio kept, never upscaled.

Format policy: JPEG -> JPEG (quality 85, optimized, progressive, EXIF stripped after orientation
was applied, ICC profile kept); PNG -> PNG (alpha kept); GIF -> GIF (first frame only: an animated
GIF becomes a still thumbnail; transparency kept); WebP -> WebP (lossless when the source has
alpha, else quality 85; animated WebP: first frame). HEIC and AVIF -> JPEG (quality 85, ICC profile
kept, orientation applied: HEIC's irot/imir by libheif at decode, AVIF's EXIF by exif_transpose),
because browsers cannot show HEIC and encoding AVIF costs seconds per image; a HEIC/AVIF source with
alpha -> WebP (quality 85, alpha kept), which every current browser shows.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageMath
from pipeline_shared.images import (
    DECODE_ERRORS,
    SUPPORTED_FORMATS,
    SWAPS_AXES,
    exif_orientation,
    sniff_format,
)
from thumbnail_errors import ValidationError

DRAFT_GAP = 2.0
CHAIN_GAP = 2.0
JPEG_QUALITY = 85
WEBP_QUALITY = 85
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})
# EXIF orientation -> the transposition that displays the image upright (as ImageOps.exif_transpose).
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class OutputFormat:
    pillow: str
    extension: str
    content_type: str


OUTPUT_FORMATS = {
    "JPEG": OutputFormat("JPEG", "jpg", "image/jpeg"),
    "PNG": OutputFormat("PNG", "png", "image/png"),
    "GIF": OutputFormat("GIF", "gif", "image/gif"),
    "WEBP": OutputFormat("WEBP", "webp", "image/webp"),
}
# Sources browsers do not show (HEIC) or that are too slow to encode (AVIF): (opaque, with alpha).
CONVERTED_FORMATS = {"HEIF": ("JPEG", "WEBP"), "AVIF": ("JPEG", "WEBP")}


def output_format(fmt: str, has_alpha: bool) -> OutputFormat:
    """The thumbnail format for a source format (see the module docstring's format policy)."""
    if fmt in CONVERTED_FORMATS:
        return OUTPUT_FORMATS[CONVERTED_FORMATS[fmt][1 if has_alpha else 0]]
    return OUTPUT_FORMATS[fmt]


@dataclass(frozen=True)
class RenderedThumbnail:
    box: tuple[int, int]
    width: int
    height: int
    format: str
    extension: str
    content_type: str
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body)


def fit(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """Largest size with the aspect ratio of ``size`` that fits in ``box``; never larger than ``size``."""
    width, height = size
    if width <= box[0] and height <= box[1]:
        return size
    scale = min(box[0] / width, box[1] / height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def render_thumbnails(
    data: bytes, boxes: Sequence[tuple[int, int]], *, max_pixels: int, use_draft: bool = True
) -> list[RenderedThumbnail]:
    """Render one thumbnail per box (in the order given) from one decode of ``data``.

    Raises ValidationError for unsupported, corrupt or truncated images and decompression bombs.
    """
    if not boxes:
        return []
    fmt = sniff_format(data)
    if fmt is None:
        raise ValidationError(f"source is not a {SUPPORTED_FORMATS} image", "unsupported_type")
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[fmt]) as im:
                width, height = im.size
                if width * height > max_pixels:
                    raise ValidationError(
                        f"{width}x{height} = {width * height} pixels exceeds MAX_IMAGE_PIXELS {max_pixels}",
                        "too_many_pixels",
                    )
                icc = im.info.get("icc_profile") if im.mode != "CMYK" and fmt != "GIF" else None
                # From the header, as validate_input reads it (EXIF, raw profile or XMP).
                orientation = exif_orientation(im)
                if fmt == "JPEG" and use_draft:
                    _draft(im, boxes, orientation)
                im.load()
                base, has_alpha = _working_image(im, fmt)
                if orientation in _TRANSPOSE:
                    base = base.transpose(_TRANSPOSE[orientation])
                return _render(base, fmt, boxes, has_alpha, icc if isinstance(icc, bytes) else None)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise ValidationError(f"image refused as a decompression bomb: {e}", "too_many_pixels") from e
        except DECODE_ERRORS as e:
            raise ValidationError(f"corrupt or truncated {fmt} image: {e}", "corrupt") from e


def _draft(im: Image.Image, boxes: Sequence[tuple[int, int]], orientation: int) -> None:
    """Let libjpeg decode at 1/2, 1/4 or 1/8 scale when every target is much smaller.

    Boxes are in display orientation; the stored image is rotated by 90 degrees for 5..8.
    """
    width, height = im.size
    display = (height, width) if orientation in SWAPS_AXES else (width, height)
    scale = max(min(box[0] / display[0], box[1] / display[1]) for box in boxes)
    if scale * DRAFT_GAP >= 1:
        return
    requested = (max(1, math.ceil(width * scale * DRAFT_GAP)), max(1, math.ceil(height * scale * DRAFT_GAP)))
    im.draft(None, requested)


def _working_image(im: Image.Image, fmt: str) -> tuple[Image.Image, bool]:
    """Convert to a mode that resizes well with Lanczos and encodes to ``fmt``."""
    has_alpha = fmt != "JPEG" and (im.mode in _ALPHA_MODES or "transparency" in im.info)
    if im.mode.startswith("I"):  # 16-bit greyscale PNG: scale to 8 bits instead of clipping
        return _grey16_to_8(im, fmt)
    if has_alpha:
        target = "RGBA"
    elif im.mode in ("L", "1"):
        target = "L"
    else:
        target = "RGB"
    return (im if im.mode == target else im.convert(target)), has_alpha


def _grey16_to_8(im: Image.Image, fmt: str) -> tuple[Image.Image, bool]:
    """16-bit greyscale -> 8-bit ``L``; with a tRNS grey value (``transparency``), RGBA with exactly
    that value transparent. (Pillow's own ``convert("RGBA")`` clips to white and drops the tRNS alpha.)"""
    wide = im.convert("I")
    grey = wide.point(lambda v: v * (1 / 256)).convert("L")
    transparent = im.info.get("transparency")
    if fmt == "JPEG" or isinstance(transparent, bool) or not isinstance(transparent, int):
        return grey, False
    matches = ImageMath.lambda_eval(lambda a: a["convert"](a["im"] == transparent, "L"), im=wide)
    alpha = matches.point(lambda v: 0 if v else 255)
    grey.putalpha(alpha)
    return grey.convert("RGBA"), True


def _render(
    base: Image.Image, fmt: str, boxes: Sequence[tuple[int, int]], has_alpha: bool, icc: bytes | None
) -> list[RenderedThumbnail]:
    out = output_format(fmt, has_alpha)
    lossless = has_alpha and fmt == "WEBP"
    targets = {box: fit(base.size, box) for box in boxes}
    # Largest first, so each smaller thumbnail can be resized from an already reduced image.
    pool: list[Image.Image] = [base]
    resized: dict[tuple[int, int], Image.Image] = {}
    for box in sorted(targets, key=lambda b: targets[b][0] * targets[b][1], reverse=True):
        target = targets[box]
        if target == base.size:
            resized[box] = base
            continue
        source = next(
            (
                c
                for c in reversed(pool)
                if c.width >= CHAIN_GAP * target[0] and c.height >= CHAIN_GAP * target[1]
            ),
            base,
        )
        image = source.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
        pool.append(image)
        resized[box] = image
    return [
        RenderedThumbnail(
            box=box,
            width=resized[box].width,
            height=resized[box].height,
            format=out.pillow,
            extension=out.extension,
            content_type=out.content_type,
            body=_encode(resized[box], out.pillow, lossless, icc),
        )
        for box in boxes
    ]


def _encode(image: Image.Image, fmt: str, lossless: bool, icc: bytes | None) -> bytes:
    buf = io.BytesIO()
    extra: dict[str, object] = {"icc_profile": icc} if icc else {}
    if fmt == "JPEG":
        image.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **extra)
    elif fmt == "PNG":
        image.save(buf, "PNG", optimize=True, **extra)
    elif fmt == "GIF":
        image.save(buf, "GIF", optimize=True)
    elif lossless:
        image.save(buf, "WEBP", lossless=True, quality=80, method=4, **extra)
    else:
        image.save(buf, "WEBP", quality=WEBP_QUALITY, method=4, **extra)
    return buf.getvalue()
