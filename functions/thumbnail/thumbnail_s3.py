"""S3 adapter for the thumbnail function: capped download and upload, AWS errors mapped to domain errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from thumbnail_errors import StorageError, TransientError

CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3, read_timeout=30)

_NOT_FOUND = frozenset({"NoSuchKey", "NotFound", "404"})
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


class ObjectNotFoundError(Exception):
    """The source object no longer exists."""


class ObjectTooLargeError(Exception):
    """The source object is above the configured byte limit."""


@contextmanager
def _mapped(operation: str, bucket: str, key: str) -> Iterator[None]:
    where = f"s3://{bucket}/{key}"
    try:
        yield
    except ClientError as e:
        code = str(e.response.get("Error", {}).get("Code", ""))
        status = int(e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        if code in _NOT_FOUND or (status == 404 and code != "NoSuchBucket"):
            raise ObjectNotFoundError(f"{where} does not exist") from e
        if code in _TRANSIENT or status >= 500:
            raise TransientError(f"{operation} {where} failed transiently: {code}") from e
        raise StorageError(f"{operation} {where} failed: {code}: {e}") from e
    except BotoCoreError as e:  # connection errors, timeouts, broken response streams
        raise TransientError(f"{operation} {where} failed: {e}") from e


class ThumbnailStore:
    """S3 reads and writes; the boto3 client is created on first use, once per execution environment."""

    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = boto3.client("s3", config=CLIENT_CONFIG)
        return self._client

    def download(self, bucket: str, key: str, max_bytes: int) -> bytes:
        """The object's bytes; never reads more than ``max_bytes + 1`` bytes into memory."""
        with _mapped("GetObject", bucket, key):
            response = self.client.get_object(Bucket=bucket, Key=key)
            body = response["Body"]
            length = int(response.get("ContentLength", 0) or 0)
            if length > max_bytes:
                body.close()
                raise ObjectTooLargeError(f"s3://{bucket}/{key} is {length} bytes, above {max_bytes}")
            data = bytes(body.read(max_bytes + 1))
        if len(data) > max_bytes:
            raise ObjectTooLargeError(f"s3://{bucket}/{key} is above {max_bytes} bytes")
        return data

    def upload(self, bucket: str, key: str, body: bytes, content_type: str, metadata: dict[str, str]) -> None:
        with _mapped("PutObject", bucket, key):
            self.client.put_object(
                Bucket=bucket, Key=key, Body=body, ContentType=content_type, Metadata=metadata
            )
