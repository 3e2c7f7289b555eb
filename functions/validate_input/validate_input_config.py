"""Configuration of the validate_input function, read and validated once at init."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pipeline_shared.config import positive_int
from pipeline_shared.keys import IMAGE_EXTENSIONS
from validate_input_errors import ValidateInputConfigError

DEFAULT_MAX_IMAGE_BYTES = 26_214_400
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
DEFAULT_IMAGE_SUFFIXES = tuple(f".{ext}" for ext in IMAGE_EXTENSIONS)
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")


def parse_suffixes(raw: str) -> tuple[str, ...]:
    """``IMAGE_SUFFIXES``: comma-separated extensions with their dot (``.jpg,.jpeg``), compared lower-case."""
    suffixes = tuple(s.strip().lower() for s in raw.split(",") if s.strip())
    bad = [s for s in suffixes if not _SUFFIX.match(s)]
    if not suffixes or bad:
        raise ValidateInputConfigError(f"IMAGE_SUFFIXES must list extensions like .jpg,.png; got {raw!r}")
    return suffixes


@dataclass(frozen=True)
class ValidateInputConfig:
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS
    # Extensions accepted (case-insensitively) for an upload: every object under uploads/ arrives.
    image_suffixes: tuple[str, ...] = DEFAULT_IMAGE_SUFFIXES

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ValidateInputConfig:
        env = os.environ if environ is None else environ
        error = ValidateInputConfigError
        return cls(
            max_image_bytes=positive_int(env, "MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES, error=error),
            max_image_pixels=positive_int(env, "MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS, error=error),
            image_suffixes=parse_suffixes(
                env.get("IMAGE_SUFFIXES", "").strip() or ",".join(DEFAULT_IMAGE_SUFFIXES)
            ),
        )
