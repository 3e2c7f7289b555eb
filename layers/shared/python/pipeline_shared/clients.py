"""The pipeline's botocore client policy, in one place."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config

CONNECT_TIMEOUT = 3

# What the Powertools Tracer patches (``Tracer(patch_modules=TRACED_MODULES)``): botocore is the only
# I/O library the functions use. Powertools' default (X-Ray's patch_all) imports 13 aws_xray_sdk.ext
# patch modules at init, each probing for its library (sqlite3 is found and imported), for calls we
# never make.
TRACED_MODULES = ("botocore",)


def client_config(*, max_attempts: int = 3, read_timeout: int = 10) -> Config:
    """Standard retry mode (``max_attempts`` includes the first call), 3 s connect timeout."""
    return Config(
        retries={"mode": "standard", "max_attempts": max_attempts},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=read_timeout,
    )


class LazyClient:
    """A boto3 client created on first use, once per execution environment, unless one is injected.

    Adapters hold one (``LazyClient("s3", CLIENT_CONFIG, client)``) so that importing a handler
    creates no client and tests can pass a stub or a moto-backed client through the constructor.
    """

    def __init__(self, service: str, config: Config, client: Any | None = None) -> None:
        self._service = service
        self._config = config
        self._client = client

    def get(self) -> Any:
        if self._client is None:
            self._client = boto3.client(self._service, config=self._config)
        return self._client
