"""S3 adapter for the thumbnail function: capped download and upload, AWS errors mapped to domain errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pipeline_shared.aws_errors import S3ErrorKind, classify_s3_error, error_code, is_transient_botocore_error
from pipeline_shared.clients import LazyClient, client_config
from thumbnail_errors import StorageError, TransientError

CLIENT_CONFIG = client_config(read_timeout=30)


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
        # A missing bucket here is a misconfiguration (or the thumbnail bucket), not a missing source.
        kind, code = classify_s3_error(e, missing_bucket_is_not_found=False), error_code(e)
        if kind is S3ErrorKind.NOT_FOUND:
            raise ObjectNotFoundError(f"{where} does not exist") from e
        if kind is S3ErrorKind.TRANSIENT:
            raise TransientError(f"{operation} {where} failed transiently: {code}") from e
        raise StorageError(f"{operation} {where} failed: {code}: {e}") from e
    except BotoCoreError as e:
        if is_transient_botocore_error(e):  # connection errors, timeouts, broken response streams
            raise TransientError(f"{operation} {where} failed: {e}") from e
        # ParamValidationError (invalid bucket name, key too long...): the same every time.
        raise StorageError(f"{operation} {where} refused before sending: {e}") from e


class ThumbnailStore:
    """S3 reads and writes; the boto3 client is created on first use, once per execution environment."""

    def __init__(self, client: Any | None = None) -> None:
        self._client = LazyClient("s3", CLIENT_CONFIG, client)

    @property
    def client(self) -> Any:
        return self._client.get()

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
