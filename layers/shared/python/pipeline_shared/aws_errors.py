"""Reading and classifying botocore ``ClientError`` responses.

The functions turn the classification into their own domain errors (``raise ... from e``).
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from botocore.exceptions import (
    BotoCoreError,
    ChecksumError,
    ConnectionError,
    CredentialRetrievalError,
    HTTPClientError,
    IncompleteReadError,
    MetadataRetrievalError,
)

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

S3_NOT_FOUND_CODES = frozenset({"NoSuchKey", "NotFound", "404"})
S3_TRANSIENT_CODES = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "RequestTimeout",
        "InternalError",
        "ServiceUnavailable",
        "503",
    }
)


# Codes that mean "slow down" or "try again": the service is throttling or briefly unavailable. After the
# SDK's own retries a caller may still retry later (an API answers 503 with Retry-After, not 500).
RETRYABLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TransactionInProgressException",
        "SlowDown",
        "RequestTimeout",
        "RequestTimeoutException",
        "InternalError",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


class S3ErrorKind(Enum):
    NOT_FOUND = "not_found"  # the object (or, when asked for, its bucket) does not exist
    PRECONDITION_FAILED = "precondition_failed"  # If-Match / If-None-Match did not hold
    TRANSIENT = "transient"  # throttling, timeouts, 5xx: retrying may succeed
    OTHER = "other"  # refused for a non-transient reason (AccessDenied, ...)


def error_code(e: ClientError) -> str:
    """The error code (``"NoSuchKey"``, ``"ThrottlingException"``...), or ``""``."""
    return str(e.response.get("Error", {}).get("Code", ""))


def http_status(e: ClientError) -> int:
    """The HTTP status of the failed response, or 0 when unknown."""
    return int(e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)


def is_retryable_client_error(e: ClientError) -> bool:
    """Throttled, timed out or a 5xx: the same request may succeed later."""
    return error_code(e) in RETRYABLE_CODES or http_status(e) >= 500 or http_status(e) == 429


def classify_s3_error(e: ClientError, *, missing_bucket_is_not_found: bool) -> S3ErrorKind:
    """Classify an S3 ``ClientError`` by code, then by HTTP status.

    ``missing_bucket_is_not_found``: whether ``NoSuchBucket`` means "the object is not there" (a
    reader of user-supplied locations) or a non-transient failure (a misconfigured bucket).
    """
    code, status = error_code(e), http_status(e)
    no_bucket = code == "NoSuchBucket"
    if (
        code in S3_NOT_FOUND_CODES
        or (no_bucket and missing_bucket_is_not_found)
        or (status == 404 and not no_bucket)
    ):
        return S3ErrorKind.NOT_FOUND
    if code == "PreconditionFailed" or status == 412:
        return S3ErrorKind.PRECONDITION_FAILED
    if code in S3_TRANSIENT_CODES or status >= 500:
        return S3ErrorKind.TRANSIENT
    return S3ErrorKind.OTHER


# botocore errors a retry can fix: the network, the response stream, credential/metadata fetches.
# Everything else it raises before sending (ParamValidationError for an invalid bucket name or an
# over-long key, unknown parameters, bad configuration) fails the same way every time.
_TRANSIENT_BOTOCORE = (
    HTTPClientError,  # ReadTimeoutError, ConnectionClosedError, ResponseStreamingError
    ConnectionError,  # EndpointConnectionError, ConnectTimeoutError, SSLError, ProxyConnectionError
    IncompleteReadError,
    ChecksumError,
    CredentialRetrievalError,
    MetadataRetrievalError,
)


def is_transient_botocore_error(e: BotoCoreError) -> bool:
    """True for network/stream failures; False for permanent ones such as ``ParamValidationError``."""
    return isinstance(e, _TRANSIENT_BOTOCORE)
