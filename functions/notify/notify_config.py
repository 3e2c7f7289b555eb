"""Configuration of the notify function, read and validated once at init."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from notify_errors import NotifyConfigError

_TABLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")


@dataclass(frozen=True)
class NotifyConfig:
    metadata_table: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> NotifyConfig:
        env = os.environ if environ is None else environ
        table = env.get("METADATA_TABLE", "").strip()
        if not table:
            raise NotifyConfigError("environment variable METADATA_TABLE is required")
        if not _TABLE_NAME.match(table):
            raise NotifyConfigError(f"METADATA_TABLE is not a valid DynamoDB table name: {table!r}")
        return cls(metadata_table=table)
