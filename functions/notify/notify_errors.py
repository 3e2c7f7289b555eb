"""Errors raised by the notify function.

``notify`` is invoked asynchronously by SNS: any exception makes Lambda retry (2 retries) and then
send the event to the on-failure destination, where it can be inspected.
"""

from __future__ import annotations


class NotifyConfigError(Exception):
    """The function's environment configuration is missing or invalid (raised at init)."""


class MalformedMessageError(Exception):
    """The event is not an SNS event, or its message is not the ``image-processed`` JSON."""


class ImageNotFoundError(Exception):
    """The metadata item for the image does not exist (StoreMetadata must run before NotifyComplete)."""


class TransientError(Exception):
    """DynamoDB throttling, a 5xx or a network problem: the async retry may succeed."""


class StorageError(Exception):
    """DynamoDB refused the request for a non-transient reason (for example AccessDenied)."""
