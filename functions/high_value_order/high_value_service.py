"""Flag a high-value order once and alert once, whatever the number of deliveries of its event."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from high_value_exceptions import (
    AlertPublishError,
    InvalidOrderEventError,
    OrderAlreadyFlaggedError,
    RepositoryError,
)

ORDER_CREATED = "OrderCreated"


class FlagStore(Protocol):
    def flag_high_value(self, order_id: str, flagged_at: str) -> None: ...
    def unflag(self, order_id: str, flagged_at: str) -> None: ...


class Alerts(Protocol):
    def publish_high_value(self, order_id: str, total: int | float) -> str: ...


@dataclass(frozen=True)
class HighValueOrder:
    order_id: str
    total: int | float


@dataclass(frozen=True)
class FlagResult:
    order_id: str
    flagged: bool  # False: it was already flagged by an earlier delivery (nothing published)
    message_id: str | None = None


def parse_order_event(event: Mapping[str, Any]) -> HighValueOrder:
    """Validate an EventBridge OrderCreated event (CONTRACTS.md) and return what this function needs."""
    detail_type = event.get("detail-type")
    if detail_type != ORDER_CREATED:
        raise InvalidOrderEventError(f"expected detail-type {ORDER_CREATED!r}, got {detail_type!r}")
    detail = event.get("detail")
    if not isinstance(detail, Mapping):
        raise InvalidOrderEventError("event has no detail object")
    order_id = detail.get("orderId")
    if not isinstance(order_id, str) or not order_id.strip():
        raise InvalidOrderEventError("detail.orderId must be a non-empty string")
    total = detail.get("total")
    if not isinstance(total, int | float) or isinstance(total, bool) or not math.isfinite(total) or total < 0:
        raise InvalidOrderEventError(f"detail.total must be a non-negative number, got {total!r}")
    return HighValueOrder(order_id=order_id.strip(), total=total)


def _utcnow_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class HighValueOrderService:
    def __init__(self, store: FlagStore, alerts: Alerts, *, clock: Callable[[], str] = _utcnow_iso) -> None:
        self._store = store
        self._alerts = alerts
        self._clock = clock

    def handle(self, order: HighValueOrder) -> FlagResult:
        flagged_at = self._clock()
        try:
            self._store.flag_high_value(order.order_id, flagged_at)
        except OrderAlreadyFlaggedError:
            return FlagResult(order.order_id, flagged=False)
        try:
            message_id = self._alerts.publish_high_value(order.order_id, order.total)
        except AlertPublishError as publish_error:
            # Without this, the retry would find the flag set and never alert.
            try:
                self._store.unflag(order.order_id, flagged_at)
            except RepositoryError as rollback_error:
                raise publish_error from rollback_error
            raise
        return FlagResult(order.order_id, flagged=True, message_id=message_id)
