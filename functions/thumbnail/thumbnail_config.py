"""Configuration of the thumbnail function, read and validated once at init."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pipeline_shared.config import positive_int, required
from thumbnail_errors import ThumbnailConfigError

DEFAULT_SIZES = "200x200"
DEFAULT_MAX_IMAGE_BYTES = 26_214_400
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
MAX_BOX_SIDE = 4096
MAX_SIZES = 10
_BOX = re.compile(r"^(\d{1,5})[xX](\d{1,5})$")


def parse_sizes(raw: str) -> tuple[tuple[int, int], ...]:
    """``"200x200,400x300"`` -> ``((200, 200), (400, 300))``; order kept, duplicates dropped."""
    boxes: list[tuple[int, int]] = []
    for part in raw.split(","):
        match = _BOX.match(part.strip())
        if not match:
            raise ThumbnailConfigError(f"THUMBNAIL_SIZES entry {part.strip()!r} is not <width>x<height>")
        box = (int(match[1]), int(match[2]))
        if not all(1 <= side <= MAX_BOX_SIDE for side in box):
            raise ThumbnailConfigError(
                f"THUMBNAIL_SIZES entry {part.strip()!r}: sides must be 1..{MAX_BOX_SIDE}"
            )
        if box not in boxes:
            boxes.append(box)
    if len(boxes) > MAX_SIZES:
        raise ThumbnailConfigError(f"THUMBNAIL_SIZES has {len(boxes)} sizes, at most {MAX_SIZES} are allowed")
    return tuple(boxes)


@dataclass(frozen=True)
class ThumbnailConfig:
    thumbnail_bucket: str
    sizes: tuple[tuple[int, int], ...]
    max_image_bytes: int
    max_image_pixels: int

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ThumbnailConfig:
        env = os.environ if environ is None else environ
        error = ThumbnailConfigError
        return cls(
            thumbnail_bucket=required(env, "THUMBNAIL_BUCKET", error=error),
            sizes=parse_sizes(env.get("THUMBNAIL_SIZES", "").strip() or DEFAULT_SIZES),
            max_image_bytes=positive_int(env, "MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES, error=error),
            max_image_pixels=positive_int(env, "MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS, error=error),
        )
