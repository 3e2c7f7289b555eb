"""Errors of high_value_order. They propagate out of the handler on purpose: EventBridge invokes the
function asynchronously, so a raised error triggers Lambda's retries and then the DLQ/on-failure
destination. The one expected outcome that is not an error (already flagged) is a return value."""

from __future__ import annotations


class HighValueOrderError(Exception):
    """Base class of every error this function raises on purpose."""


class ConfigurationError(HighValueOrderError):
    """The function's environment is missing or has an invalid setting (fails the cold start)."""


class InvalidOrderEventError(HighValueOrderError, ValueError):
    """The event is not an OrderCreated event with a detail.orderId and a numeric detail.total."""


class OrderNotFoundError(HighValueOrderError):
    """The order in the event does not exist in the orders table."""


class OrderAlreadyFlaggedError(HighValueOrderError):
    """The order already carries highValue (a redelivered event): the caller treats it as done."""


class RepositoryError(HighValueOrderError):
    """DynamoDB failed (throttling, access, ...): retryable."""


class AlertPublishError(HighValueOrderError):
    """SNS publish failed: retryable (the flag is rolled back so the retry alerts again)."""
