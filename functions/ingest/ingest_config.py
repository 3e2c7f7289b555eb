"""Configuration of the ingest function, read and validated once at init."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from ingest_errors import IngestConfigError
from pipeline_shared.config import positive_int, required

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
        arn = required(
            env,
            "STATE_MACHINE_ARN",
            error=IngestConfigError,
            pattern=_STATE_MACHINE_ARN,
            expected="a Step Functions state machine ARN",
        )
        # INGEST_MAX_PARALLEL: unset or blank -> default; otherwise an integer in 1..32.
        max_parallel = positive_int(
            env,
            "INGEST_MAX_PARALLEL",
            DEFAULT_MAX_PARALLEL,
            error=IngestConfigError,
            maximum=MAX_PARALLEL_LIMIT,
        )
        return cls(state_machine_arn=arn, max_parallel=max_parallel)
