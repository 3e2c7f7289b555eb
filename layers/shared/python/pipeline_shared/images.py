"""Image helpers shared by validate_input and thumbnail (import only with the ``pillow`` layer)."""

from __future__ import annotations

import struct

from PIL import Image, UnidentifiedImageError

ORIENTATION_TAG = 0x0112
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


def sniff_format(data: bytes) -> str | None:
    """The image format by magic bytes (never by file name), or None when unsupported."""
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
    """EXIF orientation (1..8) from the already parsed header (never forces a pixel decode); 1 if none."""
    exif = im.info.get("exif")
    if not exif:
        return 1
    try:
        parsed = Image.Exif()
        parsed.load(exif)
        value = parsed.get(ORIENTATION_TAG, 1)
    except Exception:  # a broken EXIF block is not a reason to refuse the image
        return 1
    return value if isinstance(value, int) else 1
