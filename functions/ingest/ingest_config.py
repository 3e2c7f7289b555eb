"""Configuration of the ingest function, read and validated once at init."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ingest_errors import IngestConfigError

_STATE_MACHINE_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$"
)


@dataclass(frozen=True)
class IngestConfig:
    state_machine_arn: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> IngestConfig:
        env = os.environ if environ is None else environ
        arn = env.get("STATE_MACHINE_ARN", "").strip()
        if not arn:
            raise IngestConfigError("environment variable STATE_MACHINE_ARN is required")
        if not _STATE_MACHINE_ARN.match(arn):
            raise IngestConfigError(f"STATE_MACHINE_ARN is not a Step Functions state machine ARN: {arn!r}")
        return cls(state_machine_arn=arn)
