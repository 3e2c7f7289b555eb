"""Errors raised by the thumbnail function.

Step Functions matches ``errorType`` by class name: ``ValidationError`` is non-retryable bad input
(caught and routed to ``HandleError``), ``TransientError`` is retried by ``GenerateThumbnail``.
"""

from __future__ import annotations


class ThumbnailConfigError(Exception):
    """The function's environment configuration is missing or invalid (raised at init)."""


class ValidationError(Exception):
    """The source is not an image we can render (bomb, oversize, corrupt, unsupported). Not retryable."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class TransientError(Exception):
    """S3 throttling, a 5xx or a network problem: retrying may succeed."""


class StorageError(Exception):
    """S3 refused the request for a non-transient reason (for example AccessDenied). Not retried."""
