"""Orders use cases: create, read, list (paginated), change status. No HTTP and no boto3 here."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from orders_exceptions import InvalidNextTokenError, InvalidStatusTransitionError, OrderNotFoundError
from orders_model import STATUS_PENDING, ListQuery, NewOrder, can_transition, to_jsonable
from pipeline_shared import boundary


class OrdersStore(Protocol):
    def create(self, order: dict[str, Any]) -> None: ...
    def get(self, order_id: str) -> dict[str, Any] | None: ...
    def scan_page(
        self, limit: int, start_key: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]: ...
    def query_date_page(
        self, order_date: str, limit: int, start_key: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]: ...
    def update_status(self, order_id: str, expected: str, new: str, updated_at: str) -> dict[str, Any]: ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


MAX_TOKEN_JSON_CHARS = 3072
# Pagination keys of each listing: the token must carry exactly these string attributes.
_SCAN_KEYS = frozenset({"orderId"})
_DATE_KEYS = frozenset({"orderId", "orderDate", "createdAt"})


def encode_next_token(last_key: dict[str, Any] | None) -> str | None:
    """Opaque token = URL-safe base64 of the DynamoDB LastEvaluatedKey (attribute-value JSON)."""
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_next_token(token: str, expected_keys: frozenset[str], order_date: str | None) -> dict[str, Any]:
    """Decode and strictly check a token, so that a forged or foreign token is a 400, never a 500."""
    try:
        padded = token + "=" * (-len(token) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
        # Size and depth before parsing; no lone surrogates or giant numbers after.
        key = boundary.loads(raw, what="'nextToken'", max_bytes=MAX_TOKEN_JSON_CHARS, max_depth=2)
    except (binascii.Error, ValueError, UnicodeError) as e:  # boundary.InvalidInput is a ValueError
        raise InvalidNextTokenError("'nextToken' is not a valid pagination token") from e
    if not isinstance(key, dict) or set(key) != expected_keys:
        raise InvalidNextTokenError("'nextToken' is not a valid pagination token for this query")
    for value in key.values():
        if not (
            isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str) and value["S"]
        ):
            raise InvalidNextTokenError("'nextToken' is not a valid pagination token")
    if order_date is not None and key["orderDate"]["S"] != order_date:
        raise InvalidNextTokenError("'nextToken' was issued for another date")
    return key


@dataclass(frozen=True)
class OrdersPage:
    orders: list[dict[str, Any]]
    next_token: str | None


class OrdersService:
    def __init__(
        self,
        store: OrdersStore,
        *,
        clock: Callable[[], datetime] = _utcnow,
        id_factory: Callable[[], str] = lambda: str(uuid.uuid4()),
    ) -> None:
        self._store = store
        self._clock = clock
        self._new_id = id_factory

    def create_order(self, new_order: NewOrder) -> dict[str, Any]:
        """Store a PENDING order and return it as JSON-ready data."""
        now = self._clock()
        created_at = _iso(now)
        order: dict[str, Any] = {
            "orderId": self._new_id(),
            "orderDate": now.astimezone(UTC).date().isoformat(),
            "createdAt": created_at,
            "updatedAt": created_at,
            "customerId": new_order.customer_id,
            "items": [
                {"sku": line.sku, "quantity": line.quantity, "unitPrice": line.unit_price}
                for line in new_order.items
            ],
            "total": new_order.total,
            "currency": new_order.currency,
            "status": STATUS_PENDING,
        }
        self._store.create(order)
        return to_jsonable(order)

    def get_order(self, order_id: str) -> dict[str, Any]:
        order = self._store.get(order_id)
        if order is None:
            raise OrderNotFoundError(f"order {order_id} not found")
        return to_jsonable(order)

    def list_orders(self, query: ListQuery) -> OrdersPage:
        if query.date is not None:
            start = decode_next_token(query.next_token, _DATE_KEYS, query.date) if query.next_token else None
            items, last = self._store.query_date_page(query.date, query.limit, start)
        else:
            start = decode_next_token(query.next_token, _SCAN_KEYS, None) if query.next_token else None
            items, last = self._store.scan_page(query.limit, start)
        return OrdersPage(orders=to_jsonable(items), next_token=encode_next_token(last))

    def change_status(self, order_id: str, new_status: str) -> tuple[dict[str, Any], bool]:
        """Apply a legal transition; returns (order, changed). Repeating the current status is a no-op."""
        current = self._store.get(order_id)
        if current is None:
            raise OrderNotFoundError(f"order {order_id} not found")
        current_status = str(current.get("status"))
        if current_status == new_status:
            return to_jsonable(current), False
        if not can_transition(current_status, new_status):
            raise InvalidStatusTransitionError(
                f"cannot change order status from {current_status} to {new_status}"
            )
        updated = self._store.update_status(order_id, current_status, new_status, _iso(self._clock()))
        return to_jsonable(updated), True
