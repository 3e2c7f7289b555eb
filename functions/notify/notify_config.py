"""Configuration of the notify function, read and validated once at init."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from notify_errors import NotifyConfigError
from pipeline_shared.config import required

_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")


@dataclass(frozen=True)
class NotifyConfig:
    metadata_table: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> NotifyConfig:
        env = os.environ if environ is None else environ
        return cls(
            metadata_table=required(
                env,
                "METADATA_TABLE",
                error=NotifyConfigError,
                pattern=_TABLE_NAME,
                expected="a valid DynamoDB table name",
            )
        )
