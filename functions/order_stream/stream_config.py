"""Configuration of order_stream, read and validated once per execution environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from pipeline_shared.config import required_all
from stream_exceptions import ConfigurationError

# EventBridge: source is 1-256 chars and must not start with "aws." (reserved for AWS services).
_SOURCE_RE = re.compile(r"^(?!aws\.)[\w.\-/]{1,256}$")


@dataclass(frozen=True)
class StreamConfig:
    event_bus_name: str
    event_source: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StreamConfig:
        env = os.environ if env is None else env
        values = required_all(env, ("EVENT_BUS_NAME", "EVENT_SOURCE"), error=ConfigurationError)
        source = values["EVENT_SOURCE"]
        if not _SOURCE_RE.match(source):
            raise ConfigurationError(
                "EVENT_SOURCE must be 1-256 characters [A-Za-z0-9_.-/] not starting with 'aws.', "
                f"got {source!r}"
            )
        return cls(event_bus_name=values["EVENT_BUS_NAME"], event_source=source)
