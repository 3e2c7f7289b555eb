"""Generate every configured thumbnail of one source object and store them."""

from __future__ import annotations

import hashlib
from typing import Any, Protocol
from urllib.parse import quote

from pipeline_shared.keys import UPLOAD_PREFIX, thumbnail_key
from thumbnail_config import ThumbnailConfig
from thumbnail_errors import ValidationError
from thumbnail_render import render_thumbnails
from thumbnail_s3 import ObjectNotFoundError, ObjectTooLargeError

__all__ = ["ThumbnailService", "object_metadata", "thumbnail_key"]

# S3 limits user metadata to 2 KB: the UTF-8 bytes of every name and value together.
MAX_METADATA_BYTES = 2048


class Store(Protocol):
    def download(self, bucket: str, key: str, max_bytes: int) -> bytes: ...

    def upload(
        self, bucket: str, key: str, body: bytes, content_type: str, metadata: dict[str, str]
    ) -> None: ...


def object_metadata(bucket: str, key: str, source_size: int, width: int, height: int) -> dict[str, str]:
    """User metadata of a thumbnail, always within S3's 2 KB limit.

    S3 user metadata must be ASCII, so the source key is URL-encoded (RFC 3986, '/' kept); a long
    non-ASCII key can triple in length that way, so when it does not fit, ``source-key-sha256``
    (of the UTF-8 key) replaces it.
    """
    metadata = {
        "source-bucket": bucket,
        "source-size": str(source_size),
        "thumbnail-width": str(width),
        "thumbnail-height": str(height),
    }
    encoded = quote(key, safe="/")
    used = sum(len(k) + len(v) for k, v in metadata.items())
    if used + len("source-key") + len(encoded) <= MAX_METADATA_BYTES:
        metadata["source-key"] = encoded
    else:
        metadata["source-key-sha256"] = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return metadata


class ThumbnailService:
    def __init__(self, store: Store, config: ThumbnailConfig) -> None:
        self._store = store
        self._config = config

    def generate(self, bucket: str, key: str) -> dict[str, Any]:
        where = f"s3://{bucket}/{key}"
        if not key.startswith(UPLOAD_PREFIX):
            # Thumbnail keys are derived from the name under uploads/ (unique per source object).
            raise ValidationError(f"{where} is not under {UPLOAD_PREFIX}", "bad_input")
        try:
            data = self._store.download(bucket, key, self._config.max_image_bytes)
        except ObjectNotFoundError as e:
            raise ValidationError(f"{where} does not exist", "not_found") from e
        except ObjectTooLargeError as e:
            raise ValidationError(f"{e} (MAX_IMAGE_BYTES)", "too_large") from e
        if not data:
            raise ValidationError(f"{where} is empty", "empty")
        rendered = render_thumbnails(data, self._config.sizes, max_pixels=self._config.max_image_pixels)
        items: list[dict[str, Any]] = []
        for thumb in rendered:
            out_key = thumbnail_key(key, thumb.box, thumb.extension)
            metadata = object_metadata(bucket, key, len(data), thumb.width, thumb.height)
            self._store.upload(
                self._config.thumbnail_bucket, out_key, thumb.body, thumb.content_type, metadata
            )
            items.append(
                {
                    "key": out_key,
                    "width": thumb.width,
                    "height": thumb.height,
                    "size": thumb.size,
                    "contentType": thumb.content_type,
                }
            )
        return {"bucket": self._config.thumbnail_bucket, "items": items}
