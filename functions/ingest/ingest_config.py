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

DEFAULT_MAX_PARALLEL = 8
MAX_PARALLEL_LIMIT = 32


@dataclass(frozen=True)
class IngestConfig:
    state_machine_arn: str
    # How many StartExecution calls of one SQS batch run at the same time.
    max_parallel: int = DEFAULT_MAX_PARALLEL

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> IngestConfig:
        env = os.environ if environ is None else environ
        arn = env.get("STATE_MACHINE_ARN", "").strip()
        if not arn:
            raise IngestConfigError("environment variable STATE_MACHINE_ARN is required")
        if not _STATE_MACHINE_ARN.match(arn):
            raise IngestConfigError(f"STATE_MACHINE_ARN is not a Step Functions state machine ARN: {arn!r}")
        return cls(state_machine_arn=arn, max_parallel=_max_parallel(env.get("INGEST_MAX_PARALLEL", "")))


def _max_parallel(raw: str) -> int:
    """``INGEST_MAX_PARALLEL``: unset or blank -> default; otherwise an integer in 1..32."""
    text = raw.strip()
    if not text:
        return DEFAULT_MAX_PARALLEL
    value = int(text) if text.isascii() and text.isdigit() else 0
    if not 1 <= value <= MAX_PARALLEL_LIMIT:
        raise IngestConfigError(
            f"INGEST_MAX_PARALLEL must be an integer from 1 to {MAX_PARALLEL_LIMIT}, got {raw!r}"
        )
    return value
