"""S3 adapter: write report objects into the reports bucket (bucket default encryption applies)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from report_exceptions import ReportStorageError


class S3ReportStorage:
    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def put(self, key: str, body: bytes, content_type: str) -> None:
        try:
            self._client.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType=content_type)
        except (ClientError, BotoCoreError) as e:
            raise ReportStorageError(f"could not write s3://{self._bucket}/{key}: {e}") from e
