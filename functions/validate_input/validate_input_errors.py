"""Errors raised by the validate_input function.

Step Functions matches ``errorType`` by the exception's class name, so the names below are part of
the contract: ``ValidationError`` is caught by the ``ValidateInput`` state and routed to
``HandleError``; ``TransientError`` may be retried by the state machine.
"""

from __future__ import annotations


class ValidateInputConfigError(Exception):
    """The function's environment configuration is missing or invalid (raised at init)."""


class ValidationError(Exception):
    """The input object is not an acceptable image. Not retryable.

    ``reason`` is a short machine-readable code (``not_found``, ``empty``, ``too_large``,
    ``unsupported_type``, ``unsupported_extension``, ``too_many_pixels``, ``corrupt``, ``bad_input``).
    """

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class TransientError(Exception):
    """S3 throttling, a 5xx or a network problem: retrying may succeed."""


class ObjectNotFoundError(Exception):
    """The object (or its bucket) does not exist."""


class ObjectChangedError(Exception):
    """The object was overwritten between two reads (its ETag changed)."""


class StorageError(Exception):
    """S3 refused the request for a non-transient reason (for example AccessDenied)."""
