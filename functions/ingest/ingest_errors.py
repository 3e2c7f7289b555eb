"""Errors raised by the ingest function.

Every error below makes the SQS record a batch-item failure: SQS redelivers it and, after
``maxReceiveCount`` receives, moves it to the dead-letter queue where it can be inspected.
"""

from __future__ import annotations


class IngestError(Exception):
    """Base class for ingest errors."""


class IngestConfigError(IngestError):
    """The function's environment configuration is missing or invalid (raised at init)."""


class MalformedEventError(IngestError):
    """The invocation is not an SQS batch, or a record has no ``messageId`` to report it by."""


class MalformedRecordError(IngestError):
    """An SQS body is not JSON or not an S3 event notification.

    Not retryable in itself, but reported as a batch-item failure on purpose so that the message
    ends in the DLQ (inspectable) instead of being silently dropped.
    """


class TransientStartError(IngestError):
    """StartExecution failed for a reason that a retry can fix (throttling, 5xx, network)."""


class StartExecutionError(IngestError):
    """StartExecution failed for a reason a retry is unlikely to fix (bad ARN, access denied)."""
