"""Step Functions adapter: StartExecution with AWS errors mapped to domain errors."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from ingest_errors import StartExecutionError, TransientStartError
from pipeline_shared.aws_errors import error_code, http_status, is_transient_botocore_error
from pipeline_shared.clients import client_config

_TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ExecutionLimitExceeded",
        "ServiceUnavailable",
        "InternalFailure",
        "InternalServerError",
        "RequestTimeout",
    }
)

CLIENT_CONFIG = client_config()


class StepFunctionsStarter:
    """Starts executions of one state machine; ``start`` may be called from several threads.

    The boto3 client is created on first use, exactly once (under a lock: boto3 clients are
    thread-safe, but creating one through the shared default session is not). Its connection pool
    is sized for ``max_connections`` concurrent calls.
    """

    def __init__(self, state_machine_arn: str, client: Any | None = None, max_connections: int = 10) -> None:
        self._arn = state_machine_arn
        self._client = client
        self._config = CLIENT_CONFIG.merge(Config(max_pool_connections=max(10, max_connections)))
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = boto3.client("stepfunctions", config=self._config)
        return self._client

    def start(self, name: str, execution_input: str) -> bool:
        try:
            self.client.start_execution(stateMachineArn=self._arn, name=name, input=execution_input)
        except ClientError as e:
            code = error_code(e)
            if code == "ExecutionAlreadyExists":
                return False
            if code in _TRANSIENT_CODES or http_status(e) >= 500:
                raise TransientStartError(f"StartExecution {name} failed transiently: {code}") from e
            raise StartExecutionError(f"StartExecution {name} failed: {code}: {e}") from e
        except BotoCoreError as e:
            if is_transient_botocore_error(e):
                raise TransientStartError(f"StartExecution {name} failed: {e}") from e
            raise StartExecutionError(f"StartExecution {name} refused before sending: {e}") from e
        return True
