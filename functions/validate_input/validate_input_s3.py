"""S3 adapter for validate_input: HEAD and (ranged) GET, with AWS errors mapped to domain errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from validate_input_errors import ObjectChangedError, ObjectNotFoundError, StorageError, TransientError

CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=20)

_NOT_FOUND = frozenset({"NoSuchKey", "NotFound", "404", "NoSuchBucket"})
_TRANSIENT = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestTimeout",
        "InternalError",
        "ServiceUnavailable",
        "503",
    }
)


@dataclass(frozen=True)
class ObjectHead:
    size: int
    etag: str  # as S3 returns it (quoted), usable in If-Match
    content_type: str


@contextmanager
def _mapped(bucket: str, key: str) -> Iterator[None]:
    where = f"s3://{bucket}/{key}"
    try:
        yield
    except ClientError as e:
        code = str(e.response.get("Error", {}).get("Code", ""))
        status = int(e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        if code in _NOT_FOUND or status == 404:
            raise ObjectNotFoundError(f"{where} does not exist") from e
        if code == "PreconditionFailed" or status == 412:
            raise ObjectChangedError(f"{where} changed while it was being read") from e
        if code in _TRANSIENT or status >= 500:
            raise TransientError(f"S3 error on {where}: {code}") from e
        raise StorageError(f"S3 error on {where}: {code}: {e}") from e
    except BotoCoreError as e:
        raise TransientError(f"S3 request for {where} failed: {e}") from e


class S3ObjectReader:
    """Reads objects; the boto3 client is created on first use, once per execution environment."""

    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("s3", config=CLIENT_CONFIG)
        return self._client

    def head(self, bucket: str, key: str) -> ObjectHead:
        with _mapped(bucket, key):
            response = self.client.head_object(Bucket=bucket, Key=key)
        return ObjectHead(
            size=int(response["ContentLength"]),
            etag=str(response.get("ETag", "")),
            content_type=str(response.get("ContentType", "")),
        )

    def read(self, bucket: str, key: str, length: int, etag: str | None = None) -> bytes:
        """Read the first ``length`` bytes (a ranged GET), pinned to ``etag`` when given."""
        params: dict[str, Any] = {"Bucket": bucket, "Key": key, "Range": f"bytes=0-{length - 1}"}
        if etag:
            params["IfMatch"] = etag
        with _mapped(bucket, key):
            response = self.client.get_object(**params)
            return bytes(response["Body"].read(length))
