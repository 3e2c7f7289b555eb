"""S3 adapter for validate_input: HEAD and (ranged) GET, with AWS errors mapped to domain errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pipeline_shared.aws_errors import S3ErrorKind, classify_s3_error, error_code, is_transient_botocore_error
from pipeline_shared.clients import LazyClient, client_config
from validate_input_errors import ObjectChangedError, ObjectNotFoundError, StorageError, TransientError

CLIENT_CONFIG = client_config(read_timeout=20)


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
        kind, code = classify_s3_error(e, missing_bucket_is_not_found=True), error_code(e)
        if kind is S3ErrorKind.NOT_FOUND:
            raise ObjectNotFoundError(f"{where} does not exist") from e
        if kind is S3ErrorKind.PRECONDITION_FAILED:
            raise ObjectChangedError(f"{where} changed while it was being read") from e
        if kind is S3ErrorKind.TRANSIENT:
            raise TransientError(f"S3 error on {where}: {code}") from e
        raise StorageError(f"S3 error on {where}: {code}: {e}") from e
    except BotoCoreError as e:
        if is_transient_botocore_error(e):
            raise TransientError(f"S3 request for {where} failed: {e}") from e
        # ParamValidationError (invalid bucket name, key too long...): the same every time.
        raise StorageError(f"S3 request for {where} refused before sending: {e}") from e


class S3ObjectReader:
    """Reads objects; the boto3 client is created on first use, once per execution environment."""

    def __init__(self, client: Any | None = None) -> None:
        self._client = LazyClient("s3", CLIENT_CONFIG, client)

    @property
    def client(self) -> Any:
        return self._client.get()

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
