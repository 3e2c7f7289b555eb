"""Parsing the Step Functions state the image pipeline's tasks receive."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

BAD_INPUT = "bad_input"


def object_location(event: dict[str, Any], *, error: Callable[[str, str], Exception]) -> tuple[str, str]:
    """``(bucket, key)`` of the state; ``error(message, "bad_input")`` unless both are non-empty strings.

    ``error`` is the function's own non-retryable error class (``ValidationError(message, reason)``).
    """
    bucket, key = event.get("bucket"), event.get("key")
    if not isinstance(bucket, str) or not bucket or not isinstance(key, str) or not key:
        raise error("input must contain non-empty string fields 'bucket' and 'key'", BAD_INPUT)
    return bucket, key
