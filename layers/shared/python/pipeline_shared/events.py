"""Parsing the Step Functions state the image pipeline's tasks receive."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from pipeline_shared import boundary
from pipeline_shared.keys import MAX_KEY_BYTES

BAD_INPUT = "bad_input"
# S3 bucket naming rules (3-63 characters, lower-case letters, digits, dots and hyphens).
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def object_location(event: Any, *, error: Callable[[str, str], Exception]) -> tuple[str, str]:
    """``(bucket, key)`` of the state; ``error(message, "bad_input")`` unless both are valid.

    ``bucket`` must be a valid S3 bucket name and ``key`` 1..1024 bytes of UTF-8 (S3's limits), so a
    bad location is refused here instead of reaching botocore (``ParamValidationError``) or S3.
    ``error`` is the function's own non-retryable error class (``ValidationError(message, reason)``).
    """
    if not isinstance(event, Mapping):
        raise error("input must be a JSON object with string fields 'bucket' and 'key'", BAD_INPUT)
    try:
        bucket = boundary.text(event.get("bucket"), "bucket", max_bytes=63, pattern=BUCKET_NAME)
        key = boundary.text(event.get("key"), "key", max_bytes=MAX_KEY_BYTES)
    except boundary.InvalidInput as e:
        raise error(f"invalid input: {e}", BAD_INPUT) from e
    return bucket, key
