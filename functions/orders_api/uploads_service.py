"""POST /uploads: validate the requested file and hand out a presigned S3 PUT URL under uploads/."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from orders_exceptions import RequestValidationError

UPLOAD_PREFIX = "uploads/"
MAX_FILENAME_LENGTH = 255
MAX_STEM_LENGTH = 100

# Extension -> content types accepted for it (the formats validate_input accepts).
IMAGE_TYPES: dict[str, frozenset[str]] = {
    "jpg": frozenset({"image/jpeg"}),
    "jpeg": frozenset({"image/jpeg"}),
    "png": frozenset({"image/png"}),
    "gif": frozenset({"image/gif"}),
    "webp": frozenset({"image/webp"}),
    "heic": frozenset({"image/heic", "image/heif"}),
    "heif": frozenset({"image/heic", "image/heif"}),
    "avif": frozenset({"image/avif"}),
}

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class Presigner(Protocol):
    def presign_put(self, key: str, content_type: str, expires_in: int) -> str: ...


@dataclass(frozen=True)
class UploadRequest:
    filename: str
    content_type: str


def parse_upload_request(data: Any) -> UploadRequest:
    if not isinstance(data, dict):
        raise RequestValidationError("request body must be a JSON object")
    for field in ("filename", "contentType"):
        if data.get(field) is None:
            raise RequestValidationError(f"'{field}' is required")
        if not isinstance(data[field], str) or not data[field].strip():
            raise RequestValidationError(f"'{field}' must be a non-empty string")
    filename = data["filename"].strip()
    if len(filename) > MAX_FILENAME_LENGTH:
        raise RequestValidationError(f"'filename' must be at most {MAX_FILENAME_LENGTH} characters")
    content_type = data["contentType"].strip().lower().split(";")[0].strip()
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext not in IMAGE_TYPES:
        raise RequestValidationError(
            "'filename' must end with an image extension: " + ", ".join(f".{e}" for e in IMAGE_TYPES)
        )
    if content_type not in IMAGE_TYPES[ext]:
        raise RequestValidationError(
            f"'contentType' must be {' or '.join(sorted(IMAGE_TYPES[ext]))} for a .{ext} file"
        )
    return UploadRequest(filename=filename, content_type=content_type)


def sanitize_filename(filename: str) -> str:
    """Basename only, ASCII [A-Za-z0-9._-], no leading dots, bounded length, lower-case extension.

    The extension is lower-cased because S3 notification suffix filters are case-sensitive: an
    `IMG.JPG` upload would otherwise never reach the image pipeline.
    """
    base = re.split(r"[\\/]", filename)[-1]
    stem, _, ext = base.rpartition(".")
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    safe_stem = _UNSAFE.sub("-", ascii_stem).strip(".-_")[:MAX_STEM_LENGTH].strip(".-_") or "image"
    return f"{safe_stem}.{ext.lower()}"


class UploadsService:
    def __init__(
        self,
        presigner: Presigner,
        expires_in: int,
        *,
        id_factory: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._presigner = presigner
        self._expires_in = expires_in
        self._new_id = id_factory

    def create_upload(self, request: UploadRequest) -> dict[str, Any]:
        key = f"{UPLOAD_PREFIX}{self._new_id()}-{sanitize_filename(request.filename)}"
        url = self._presigner.presign_put(key, request.content_type, self._expires_in)
        return {"uploadUrl": url, "key": key, "expiresIn": self._expires_in}
