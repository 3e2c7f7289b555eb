"""S3 adapter: presigned PUT URLs for browser uploads into the uploads bucket."""

from __future__ import annotations

from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from orders_exceptions import UploadUrlError
from pipeline_shared.clients import LazyClient, client_config

CLIENT_CONFIG = client_config().merge(Config(signature_version="s3v4"))


class S3Presigner:
    """``client=None``: the S3 client is created on the first presign (only the uploads route needs it)."""

    def __init__(self, client: Any | None, bucket: str) -> None:
        self._client = LazyClient("s3", CLIENT_CONFIG, client)
        self._bucket = bucket

    def presign_put(self, key: str, content_type: str, expires_in: int) -> str:
        """The Content-Type is signed: the browser must send exactly that header with its PUT."""
        try:
            url: str = self._client.get().generate_presigned_url(
                "put_object",
                Params={"Bucket": self._bucket, "Key": key, "ContentType": content_type},
                ExpiresIn=expires_in,
                HttpMethod="PUT",
            )
        except (ClientError, BotoCoreError) as e:
            raise UploadUrlError(f"could not presign an upload URL for {key}") from e
        return url
