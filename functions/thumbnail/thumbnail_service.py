"""Generate every configured thumbnail of one source object and store them."""

from __future__ import annotations

import posixpath
from typing import Any, Protocol
from urllib.parse import quote

from thumbnail_config import ThumbnailConfig
from thumbnail_errors import ValidationError
from thumbnail_render import render_thumbnails
from thumbnail_s3 import ObjectNotFoundError, ObjectTooLargeError

SOURCE_PREFIX = "uploads/"
THUMBNAIL_PREFIX = "thumbnails/"


class Store(Protocol):
    def download(self, bucket: str, key: str, max_bytes: int) -> bytes: ...

    def upload(
        self, bucket: str, key: str, body: bytes, content_type: str, metadata: dict[str, str]
    ) -> None: ...


def thumbnail_key(source_key: str, box: tuple[int, int], extension: str) -> str:
    """``uploads/a/cat.JPEG`` + (200, 200) + ``jpg`` -> ``thumbnails/a/cat-200x200.jpg``."""
    stem = source_key.removeprefix(SOURCE_PREFIX)
    stem = posixpath.splitext(stem)[0] or stem
    return f"{THUMBNAIL_PREFIX}{stem}-{box[0]}x{box[1]}.{extension}"


class ThumbnailService:
    def __init__(self, store: Store, config: ThumbnailConfig) -> None:
        self._store = store
        self._config = config

    def generate(self, bucket: str, key: str) -> dict[str, Any]:
        where = f"s3://{bucket}/{key}"
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
            metadata = {
                "source-bucket": bucket,
                # S3 user metadata must be ASCII: the key is URL-encoded (RFC 3986, '/' kept).
                "source-key": quote(key, safe="/"),
                "source-size": str(len(data)),
                "thumbnail-width": str(thumb.width),
                "thumbnail-height": str(thumb.height),
            }
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
