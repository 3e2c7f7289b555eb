"""Domain errors of the orders API. Only handler.py maps them to HTTP status codes."""

from __future__ import annotations


class OrdersApiError(Exception):
    """Base class of every error this function raises on purpose."""


class ConfigurationError(OrdersApiError):
    """The function's environment is missing or has an invalid setting (fails the cold start)."""


class RequestValidationError(OrdersApiError):
    """The request is malformed or a field is missing or invalid (client error, 400)."""


class PayloadTooLargeError(RequestValidationError):
    """The request body is larger than the API accepts (413)."""


class InvalidNextTokenError(RequestValidationError):
    """A pagination token that this API did not issue, or issued for another query (400)."""


class OrderNotFoundError(OrdersApiError):
    """No order with that id (404)."""


class InvalidStatusTransitionError(OrdersApiError):
    """The requested status change is not allowed from the current status (409)."""


class ConcurrentModificationError(OrdersApiError):
    """The order changed between read and conditional write (409; the client may retry)."""


class DuplicateRequestInProgressError(OrdersApiError):
    """An identical create request is still being processed (409; the client may retry)."""


class RepositoryError(OrdersApiError):
    """DynamoDB failed for a reason that is not the caller's fault (500)."""


class UploadUrlError(OrdersApiError):
    """The presigned upload URL could not be created (500)."""
