"""Configuration of the validate_input function, read and validated once at init."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from validate_input_errors import ValidateInputConfigError

DEFAULT_MAX_IMAGE_BYTES = 26_214_400
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000


def positive_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidateInputConfigError(f"{name} must be a positive integer, got {raw!r}") from None
    if value <= 0:
        raise ValidateInputConfigError(f"{name} must be a positive integer, got {raw!r}")
    return value


@dataclass(frozen=True)
class ValidateInputConfig:
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ValidateInputConfig:
        env = os.environ if environ is None else environ
        return cls(
            max_image_bytes=positive_int(env, "MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES),
            max_image_pixels=positive_int(env, "MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS),
        )
