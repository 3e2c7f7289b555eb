"""Orders REST API (API Gateway REST proxy events) on the Powertools APIGatewayRestResolver.

Thin on purpose: routing, request parsing and the mapping of domain errors to HTTP statuses live here;
the use cases are in orders_service / uploads_service, AWS calls in orders_repository / upload_presigner.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from decimal import Decimal
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError
from orders_api_config import OrdersApiConfig
from orders_exceptions import (
    ConcurrentModificationError,
    DuplicateRequestInProgressError,
    InvalidStatusTransitionError,
    OrderNotFoundError,
    PayloadTooLargeError,
    RequestValidationError,
)
from orders_model import NewOrder
from orders_repository import OrdersRepository
from orders_service import OrdersService
from orders_validation import (
    check_envelope,
    is_valid_order_id,
    parse_json_body,
    parse_list_query,
    parse_new_order,
    parse_status_update,
)
from pipeline_shared.aws_errors import error_code, is_retryable_client_error
from pipeline_shared.clients import TRACED_MODULES, client_config
from upload_presigner import S3Presigner
from uploads_service import UploadsService, parse_upload_request

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics()

# --- init: configuration and clients, once per execution environment -------------------------------------
config = OrdersApiConfig.from_env()
_boto_config = client_config()
dynamodb_client = boto3.client("dynamodb", config=_boto_config)

orders_service = OrdersService(
    OrdersRepository(dynamodb_client, config.orders_table, config.orders_date_index)
)
uploads_service = UploadsService(S3Presigner(None, config.uploads_bucket), config.upload_url_expires)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


app = APIGatewayRestResolver(
    serializer=lambda body: json.dumps(body, separators=(",", ":"), default=_json_default)
)

# Known paths and their methods, so an unmatched request is told apart: 405 (path known) or 404.
_ROUTE_METHODS: dict[str, tuple[re.Pattern[str], set[str]]] = {}


def _route(method: str, rule: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    pattern = re.compile("^" + re.sub(r"<\w+>", "[^/]+", rule) + "/*$")
    _ROUTE_METHODS.setdefault(rule, (pattern, set()))[1].add(method)
    return app.route(rule, method=method)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body={"message": message},
        headers=headers or {},
    )


def _json_response(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers
    )


def _request_json() -> Any:
    event = app.current_event
    return parse_json_body(event.body, base64_encoded=event.is_base64_encoded)


# --- routes ---------------------------------------------------------------------------------------------


@_route("GET", "/orders")
def list_orders() -> Response:
    query = parse_list_query(app.current_event.query_string_parameters)
    page = orders_service.list_orders(query)
    return _json_response(
        200, {"orders": page.orders, "count": len(page.orders), "nextToken": page.next_token}
    )


def create_order_once(payload: dict[str, Any]) -> dict[str, Any]:
    """Wrapped by ``_idempotent_create``. Its module and name are part of every idempotency key: keep them."""
    order = orders_service.create_order(NewOrder.from_payload(payload))
    metrics.add_metric(name="OrdersCreated", unit=MetricUnit.Count, value=1)
    return order


@functools.cache
def _idempotent_create() -> tuple[IdempotencyConfig, Callable[..., dict[str, Any]], type[Exception]]:
    """Powertools idempotency around ``create_order_once``, built on the first POST /orders (the only route
    that needs it: its import and setup stay out of the cold start of every other route).

    Returns (its IdempotencyConfig, the wrapped function, the error raised while an identical request
    is in progress). The wrapped function runs at most once per distinct canonical request body
    within the idempotency window.
    """
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    idempotency_config = IdempotencyConfig(expires_after_seconds=3600)
    persistence_layer = DynamoDBPersistenceLayer(
        table_name=config.idempotency_table, boto3_client=dynamodb_client
    )
    create_once = idempotent_function(
        data_keyword_argument="payload", persistence_store=persistence_layer, config=idempotency_config
    )(create_order_once)
    return idempotency_config, create_once, IdempotencyAlreadyInProgressError


@_route("POST", "/orders")
def create_order() -> Response:
    new_order = parse_new_order(_request_json())
    idempotency_config, create_once, in_progress_error = _idempotent_create()
    idempotency_config.register_lambda_context(app.lambda_context)
    try:
        order = create_once(payload=new_order.to_payload())
    except in_progress_error as e:
        raise DuplicateRequestInProgressError(
            "an identical request is still being processed; retry shortly"
        ) from e
    logger.info("order created", extra={"orderId": order["orderId"], "total": order["total"]})
    return _json_response(201, order, headers={"Location": f"/orders/{order['orderId']}"})


@_route("GET", "/orders/<order_id>")
def get_order(order_id: str) -> Response:
    if not is_valid_order_id(order_id):
        raise OrderNotFoundError(f"order {order_id} not found")
    return _json_response(200, orders_service.get_order(order_id))


@_route("PUT", "/orders/<order_id>")
def update_order_status(order_id: str) -> Response:
    status = parse_status_update(_request_json())
    if not is_valid_order_id(order_id):
        raise OrderNotFoundError(f"order {order_id} not found")
    order, changed = orders_service.change_status(order_id, status)
    if changed:
        metrics.add_metric(name="OrderStatusChanged", unit=MetricUnit.Count, value=1)
        logger.info("order status changed", extra={"orderId": order_id, "status": status})
    return _json_response(200, order)


@_route("POST", "/uploads")
def create_upload() -> Response:
    request = parse_upload_request(_request_json())
    upload = uploads_service.create_upload(request)
    metrics.add_metric(name="UploadUrlsIssued", unit=MetricUnit.Count, value=1)
    return _json_response(201, upload)


# --- error mapping (the only place that knows HTTP statuses) ------------------------------------------------

RETRY_AFTER_SECONDS = "1"  # on every retryable answer: 409 (identical request in progress), 503

_CLIENT_ERRORS: tuple[tuple[type[Exception], HTTPStatus], ...] = (
    (PayloadTooLargeError, HTTPStatus.REQUEST_ENTITY_TOO_LARGE),
    (RequestValidationError, HTTPStatus.BAD_REQUEST),
    (OrderNotFoundError, HTTPStatus.NOT_FOUND),
    (InvalidStatusTransitionError, HTTPStatus.CONFLICT),
    (ConcurrentModificationError, HTTPStatus.CONFLICT),
    (DuplicateRequestInProgressError, HTTPStatus.CONFLICT),
)


@app.exception_handler([cls for cls, _ in _CLIENT_ERRORS])
def handle_client_error(error: Exception) -> Response:
    status = next(code for cls, code in _CLIENT_ERRORS if isinstance(error, cls))
    message = str(error)
    headers: dict[str, str] = {}
    if isinstance(error, DuplicateRequestInProgressError):
        headers["Retry-After"] = RETRY_AFTER_SECONDS
    logger.info("request rejected", extra={"status": int(status), "reason": message})
    return _error(int(status), message, headers=headers)


@app.not_found
def handle_not_found(_: NotFoundError) -> Response:
    event = app.current_event
    method = event.http_method.upper()
    for pattern, methods in _ROUTE_METHODS.values():
        if pattern.match(event.path) and method not in methods:
            allow = ", ".join(sorted(methods))
            return _error(405, f"method {method} not allowed on {event.path}", headers={"Allow": allow})
    return _error(404, f"no route for {method} {event.path}")


def _throttled_dependency(error: BaseException | None) -> ClientError | None:
    """The throttled or unavailable AWS call behind ``error`` (itself, or a cause it wraps), if any."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, ClientError) and is_retryable_client_error(error):
            return error
        error = error.__cause__ or error.__context__
    return None


@app.exception_handler(Exception)
def handle_unexpected(error: Exception) -> Response:
    busy = _throttled_dependency(error)
    if busy is not None:
        # DynamoDB (or another dependency) still throttled after the SDK's retries: not a bug, and the
        # failed attempt released its idempotency record, so the same request may simply be retried.
        logger.warning("dependency busy", extra={"status": 503, "errorCode": error_code(busy)})
        metrics.add_metric(name="DependencyThrottled", unit=MetricUnit.Count, value=1)
        return _error(503, "the service is busy; retry shortly", headers={"Retry-After": RETRY_AFTER_SECONDS})
    logger.exception("unhandled error")
    metrics.add_metric(name="UnhandledErrors", unit=MetricUnit.Count, value=1)
    return _error(500, "internal server error")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        check_envelope(event)
    except RequestValidationError as e:
        logger.info("request rejected", extra={"status": 400, "reason": str(e)})
        return {
            "statusCode": 400,
            "headers": {"Content-Type": content_types.APPLICATION_JSON},
            "body": json.dumps({"message": str(e)}),
            "isBase64Encoded": False,
        }
    return app.resolve(event, context)
