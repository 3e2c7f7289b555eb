"""Errors of the order_stream function. Only handler.py turns them into batch-item failures."""

from __future__ import annotations


class OrderStreamError(Exception):
    """Base class of every error this function raises on purpose."""


class ConfigurationError(OrderStreamError):
    """The function's environment is missing or has an invalid setting (fails the cold start)."""


class MalformedStreamEventError(OrderStreamError):
    """The invocation is not a stream batch, or a record has no SequenceNumber to report it by."""


class MalformedStreamRecordError(OrderStreamError):
    """A stream record cannot be turned into an event (missing image, missing orderId, bad types).

    Retrying will not fix it: the event source mapping's bounded retries and on-failure destination
    (stream-dlq) take it out of the shard.
    """


class EventPublishError(OrderStreamError):
    """EventBridge rejected the event (per-entry ErrorCode) or the whole PutEvents call failed."""


class EarlierRecordFailedError(OrderStreamError):
    """Not attempted (or not counted) because an earlier record of the same shard batch failed.

    Lambda resumes a stream from the lowest reported sequence number, so this record will be
    delivered again; reporting it keeps per-order event ordering (PAID is never published before
    an unpublished PENDING->... change that precedes it).
    """
