"""Object keys of the image pipeline: which uploads are images, and where their thumbnails go."""

from __future__ import annotations

import hashlib
import posixpath

UPLOAD_PREFIX = "uploads/"
THUMBNAIL_PREFIX = "thumbnails/"
MAX_KEY_BYTES = 1024  # S3's limit on an object key, in UTF-8 bytes
HASH_CHARS = 16

# Extensions accepted for an upload, compared case-insensitively (cameras write IMG_0001.JPG).
IMAGE_EXTENSIONS = {
    "jpg": "JPEG",
    "jpeg": "JPEG",
    "png": "PNG",
    "gif": "GIF",
    "webp": "WEBP",
    "heic": "HEIF",
    "heif": "HEIF",
    "avif": "AVIF",
}


def extension(key: str) -> str:
    """Lower-cased extension of the key's last path segment, without the dot ('' when none)."""
    return posixpath.splitext(posixpath.basename(key))[1][1:].lower()


def thumbnail_key(source_key: str, box: tuple[int, int], extension: str) -> str:
    """``uploads/a/IMG_1.JPG`` + (200, 200) + ``jpg`` -> ``thumbnails/a/IMG_1.JPG-200x200.jpg``.

    The whole source name (extension included) is kept, so ``a.jpg``, ``a.jpeg`` and ``a.png`` get
    distinct thumbnails. When the result would exceed S3's 1024-byte key limit, the name is cut
    (on a character boundary) and ``~`` + 16 hex characters of ``sha256(source_key)`` are appended
    before the suffix: still unique per source key, and always a valid key.
    """
    name = source_key.removeprefix(UPLOAD_PREFIX)
    suffix = f"-{box[0]}x{box[1]}.{extension}"
    key = f"{THUMBNAIL_PREFIX}{name}{suffix}"
    if len(key.encode("utf-8")) <= MAX_KEY_BYTES:
        return key
    digest = hashlib.sha256(source_key.encode("utf-8")).hexdigest()[:HASH_CHARS]
    room = MAX_KEY_BYTES - len(THUMBNAIL_PREFIX) - len(suffix.encode()) - 1 - HASH_CHARS
    head = name.encode("utf-8")[: max(room, 0)].decode("utf-8", "ignore")
    return f"{THUMBNAIL_PREFIX}{head}~{digest}{suffix}"
