"""Decide whether an uploaded object is an acceptable image, reading as little of it as possible.

Steps: HEAD (exists, size limits) -> ranged GET of the first 64 KiB -> real type by magic bytes ->
Pillow ``Image.open`` (parses the header only, decodes no pixels) for width/height/mode -> pixel
limit (decompression-bomb guard). When the header does not fit in 64 KiB (large EXIF/ICC segments
before a JPEG's SOF marker) or the format needs the whole file (Pillow's WebP plugin), the whole
object is read once more; it is at most ``MAX_IMAGE_BYTES`` by then.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any, Protocol

from PIL import Image
from pipeline_shared.images import (
    CONTENT_TYPES,
    DECODE_ERRORS,
    SUPPORTED_FORMATS,
    SWAPS_AXES,
    exif_orientation,
    sniff_format,
)
from pipeline_shared.keys import IMAGE_EXTENSIONS, extension
from validate_input_errors import ObjectChangedError, ObjectNotFoundError, ValidationError
from validate_input_s3 import ObjectHead

HEADER_BYTES = 64 * 1024
DEFAULT_SUFFIXES = tuple(f".{ext}" for ext in IMAGE_EXTENSIONS)


class ObjectReader(Protocol):
    def head(self, bucket: str, key: str) -> ObjectHead: ...

    def read(self, bucket: str, key: str, length: int, etag: str | None = None) -> bytes: ...


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int
    size: int
    content_type: str
    mode: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "width": self.width,
            "height": self.height,
            "size": self.size,
            "contentType": self.content_type,
            "mode": self.mode,
        }


class _NeedMoreBytes(Exception):
    """Pillow could not parse the header from the bytes given (truncated read)."""


def probe(data: bytes, fmt: str, max_pixels: int, complete: bool) -> tuple[int, int, str]:
    """(display width, display height, mode) of an image from its leading bytes.

    Raises ValidationError (bomb, corrupt) or _NeedMoreBytes when ``data`` is not the whole object
    and Pillow could not parse the header from it.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[fmt]) as im:
                width, height = im.size
                mode = im.mode
                orientation = exif_orientation(im)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            raise ValidationError(f"image refused as a decompression bomb: {e}", "too_many_pixels") from e
        except DECODE_ERRORS as e:
            if not complete:
                raise _NeedMoreBytes(str(e)) from e
            raise ValidationError(f"corrupt or truncated {fmt} header: {e}", "corrupt") from e
    if width <= 0 or height <= 0:
        raise ValidationError(f"{fmt} header has invalid dimensions {width}x{height}", "corrupt")
    if width * height > max_pixels:
        raise ValidationError(
            f"{width}x{height} = {width * height} pixels exceeds MAX_IMAGE_PIXELS {max_pixels}",
            "too_many_pixels",
        )
    if orientation in SWAPS_AXES:
        width, height = height, width
    return width, height, mode


def check_extension(where: str, key: str, suffixes: tuple[str, ...] = DEFAULT_SUFFIXES) -> None:
    """Every object under uploads/ reaches the pipeline (the S3 notification has no suffix filter,
    those are case-sensitive): anything but an accepted extension (``IMAGE_SUFFIXES``), in any case,
    is refused by name."""
    ext = extension(key)
    if f".{ext}" not in suffixes:
        found = f"extension '.{ext}'" if ext else "no file extension"
        supported = ", ".join(suffixes)
        raise ValidationError(
            f"{where} has {found}; supported (any case): {supported}", "unsupported_extension"
        )


class ValidateInputService:
    def __init__(
        self,
        reader: ObjectReader,
        max_image_bytes: int,
        max_image_pixels: int,
        image_suffixes: tuple[str, ...] = DEFAULT_SUFFIXES,
    ) -> None:
        self._reader = reader
        self._suffixes = image_suffixes
        self._max_bytes = max_image_bytes
        self._max_pixels = max_image_pixels

    def validate(self, bucket: str, key: str) -> ImageInfo:
        where = f"s3://{bucket}/{key}"
        check_extension(where, key, self._suffixes)
        try:
            head = self._reader.head(bucket, key)
            if head.size == 0:
                raise ValidationError(f"{where} is empty", "empty")
            if head.size > self._max_bytes:
                raise ValidationError(
                    f"{where} is {head.size} bytes, above MAX_IMAGE_BYTES {self._max_bytes}", "too_large"
                )
            data = self._reader.read(bucket, key, min(head.size, HEADER_BYTES), head.etag or None)
            fmt = sniff_format(data)
            if fmt is None:
                raise ValidationError(f"{where} is not a {SUPPORTED_FORMATS} image", "unsupported_type")
            complete = len(data) >= head.size
            try:
                width, height, mode = probe(data, fmt, self._max_pixels, complete)
            except _NeedMoreBytes:
                data = self._reader.read(bucket, key, head.size, head.etag or None)
                width, height, mode = probe(data, fmt, self._max_pixels, True)
        except ObjectNotFoundError as e:
            raise ValidationError(f"{where} does not exist", "not_found") from e
        except ObjectChangedError as e:
            raise ValidationError(f"{where} was overwritten during validation", "changed") from e
        return ImageInfo(fmt, width, height, head.size, CONTENT_TYPES[fmt], mode)
