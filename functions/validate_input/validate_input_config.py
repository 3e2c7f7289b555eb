"""Configuration of the validate_input function, read and validated once at init."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from pipeline_shared.config import positive_int
from validate_input_errors import ValidateInputConfigError

DEFAULT_MAX_IMAGE_BYTES = 26_214_400
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000


@dataclass(frozen=True)
class ValidateInputConfig:
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES
    max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ValidateInputConfig:
        env = os.environ if environ is None else environ
        error = ValidateInputConfigError
        return cls(
            max_image_bytes=positive_int(env, "MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES, error=error),
            max_image_pixels=positive_int(env, "MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS, error=error),
        )
