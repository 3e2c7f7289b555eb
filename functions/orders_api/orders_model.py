"""Order vocabulary shared by the orders API modules: statuses, transitions, JSON conversion."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

DEFAULT_CURRENCY = "EUR"
CENT = Decimal("0.01")

STATUS_PENDING = "PENDING"
STATUS_PAID = "PAID"
STATUS_SHIPPED = "SHIPPED"
STATUS_DELIVERED = "DELIVERED"
STATUS_CANCELLED = "CANCELLED"
STATUSES = (STATUS_PENDING, STATUS_PAID, STATUS_SHIPPED, STATUS_DELIVERED, STATUS_CANCELLED)

# Allowed status changes (CONTRACTS.md): PENDING -> PAID -> SHIPPED -> DELIVERED; CANCELLED from PENDING/PAID.
TRANSITIONS: Mapping[str, frozenset[str]] = {
    STATUS_PENDING: frozenset({STATUS_PAID, STATUS_CANCELLED}),
    STATUS_PAID: frozenset({STATUS_SHIPPED, STATUS_CANCELLED}),
    STATUS_SHIPPED: frozenset({STATUS_DELIVERED}),
    STATUS_DELIVERED: frozenset(),
    STATUS_CANCELLED: frozenset(),
}


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


@dataclass(frozen=True)
class OrderLine:
    sku: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class NewOrder:
    """A validated POST /orders request."""

    customer_id: str
    items: tuple[OrderLine, ...]
    currency: str = DEFAULT_CURRENCY

    @property
    def total(self) -> Decimal:
        """Server-side total: sum of quantity x unitPrice, rounded half-up to cents."""
        raw = sum((line.unit_price * line.quantity for line in self.items), Decimal(0))
        return raw.quantize(CENT, rounding=ROUND_HALF_UP)

    def to_payload(self) -> dict[str, Any]:
        """Canonical JSON-safe form: the idempotency key is the hash of this (so 10 and 10.0 are equal)."""
        return {
            "customerId": self.customer_id,
            "items": [
                {"sku": line.sku, "quantity": line.quantity, "unitPrice": str(line.unit_price.normalize())}
                for line in self.items
            ],
            "currency": self.currency,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> NewOrder:
        return cls(
            customer_id=payload["customerId"],
            items=tuple(
                OrderLine(sku=i["sku"], quantity=int(i["quantity"]), unit_price=Decimal(i["unitPrice"]))
                for i in payload["items"]
            ),
            currency=payload["currency"],
        )


@dataclass(frozen=True)
class ListQuery:
    """A validated GET /orders query."""

    limit: int
    date: str | None = None
    next_token: str | None = None


def to_jsonable(value: Any) -> Any:
    """Deep-convert DynamoDB values (Decimal, set) into plain JSON types; integral Decimals become int."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    return value
