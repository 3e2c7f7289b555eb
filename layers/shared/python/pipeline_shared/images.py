"""Image helpers shared by validate_input and thumbnail (import only with the ``pillow`` layer)."""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping
from typing import Any

from PIL import Image, UnidentifiedImageError

ORIENTATION_TAG = 0x0112
_XMP_ORIENTATION = re.compile(rb'tiff:Orientation(="|>)([0-9])')
# EXIF orientations 5..8 rotate by 90 or 270 degrees: display width and height are swapped.
SWAPS_AXES = frozenset({5, 6, 7, 8})
# What Pillow raises for corrupt, truncated or unparsable input (as opposed to decompression bombs).
DECODE_ERRORS: tuple[type[BaseException], ...] = (
    UnidentifiedImageError,
    OSError,
    SyntaxError,
    EOFError,
    ValueError,
    struct.error,
)


# ISO BMFF brands (the ftyp box: major brand, then compatible brands). AVIF is decoded by Pillow
# itself (libavif is in its wheels); HEIC/HEIF by pillow-heif (libheif + libde265), in the pillow layer.
AVIF_BRANDS = frozenset({b"avif", b"avis"})
HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})
SUPPORTED_FORMATS = "JPEG, PNG, GIF, WebP, HEIC or AVIF"
CONTENT_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "HEIF": "image/heic",
    "AVIF": "image/avif",
}


def _bmff_brands(data: bytes) -> list[bytes]:
    """Major and compatible brands of an ISO BMFF file's leading ftyp box ([] when there is none)."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return []
    size = min(struct.unpack(">I", data[:4])[0], len(data), 4096)
    if size < 16:
        return []
    return [data[8:12]] + [data[i : i + 4] for i in range(16, size - 3, 4)]


_heif_registered = False


def _register_heif() -> None:
    """Teach Pillow HEIC/HEIF on first use (pillow-heif's import costs nothing to other formats)."""
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def sniff_format(data: bytes) -> str | None:
    """The image format by magic bytes (never by file name), or None when unsupported.

    Returns the Pillow format name to pass to ``Image.open(formats=[...])``: JPEG, PNG, GIF, WEBP,
    AVIF or HEIF (HEIC). For HEIF the pillow-heif opener is registered before returning.
    """
    brands = _bmff_brands(data)
    if brands:
        if AVIF_BRANDS.intersection(brands):
            return "AVIF"
        if HEIF_BRANDS.intersection(brands):
            _register_heif()
            return "HEIF"
        return None
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def exif_orientation(im: Image.Image) -> int:
    """Orientation (1..8) from the already parsed header (never forces a pixel decode); 1 if none.

    Read the way Pillow's ``getexif`` reads it, from the same three places, so that validate_input
    (recorded dimensions) and thumbnail (rotation, JPEG draft box) always agree: the EXIF block,
    else an ImageMagick "Raw profile type exif" text chunk, else ``tiff:Orientation`` in XMP.
    Parsed into a fresh ``Exif`` (nothing cached on ``im``).
    """
    value = _exif_block_orientation(im.info)
    if value is None:
        value = _xmp_orientation(im.info)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _exif_block_orientation(info: Mapping[Any, Any]) -> int | None:
    raw = info.get("exif")
    try:
        if raw is None and isinstance(info.get("Raw profile type exif"), str):
            raw = bytes.fromhex("".join(info["Raw profile type exif"].split("\n")[3:]))
        if not raw:
            return None
        parsed = Image.Exif()
        parsed.load(raw)
        value = parsed.get(ORIENTATION_TAG)
    except Exception:  # a broken EXIF block is not a reason to refuse the image
        return None
    return value if isinstance(value, int) else None


def _xmp_orientation(info: Mapping[Any, Any]) -> int | None:
    xmp = info.get("XML:com.adobe.xmp") or info.get("xmp")
    if isinstance(xmp, str):
        xmp = xmp.encode("utf-8", "replace")
    if not isinstance(xmp, bytes):
        return None
    match = _XMP_ORIENTATION.search(xmp)
    return int(match[2]) if match else None
