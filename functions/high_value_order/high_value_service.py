"""Flag a high-value order once and alert once, whatever the number of deliveries of its event."""

from __future__ import annotations

import re
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
from pipeline_shared import boundary

ORDER_CREATED = "OrderCreated"
_ORDER_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_TOTAL = 10**18


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


def parse_order_event(event: Any) -> HighValueOrder:
    """Validate an EventBridge OrderCreated event (CONTRACTS.md) and return what this function needs.

    Every input error is an InvalidOrderEventError naming the field: ids are the API's own
    (``[A-Za-z0-9_-]{1,64}``, so never a lone surrogate or an over-long key), totals finite and in range.
    """
    if not isinstance(event, Mapping):
        raise InvalidOrderEventError("event must be a JSON object")
    detail_type = event.get("detail-type")
    if detail_type != ORDER_CREATED:
        shown = detail_type[:64] if isinstance(detail_type, str) else type(detail_type).__name__
        raise InvalidOrderEventError(f"expected detail-type {ORDER_CREATED!r}, got {shown!r}")
    detail = event.get("detail")
    if not isinstance(detail, Mapping):
        raise InvalidOrderEventError("event has no detail object")
    order_id = detail.get("orderId")
    if not isinstance(order_id, str) or not _ORDER_ID.match(order_id.strip()):
        raise InvalidOrderEventError("detail.orderId must be an order id ([A-Za-z0-9_-], 1-64 characters)")
    total = detail.get("total")
    try:
        exact = boundary.number(total, "detail.total", minimum=0, maximum=MAX_TOTAL)
    except boundary.InvalidInput as e:
        raise InvalidOrderEventError(f"detail.total must be a non-negative number: {e}") from e
    return HighValueOrder(
        order_id=order_id.strip(), total=total if isinstance(total, int | float) else float(exact)
    )


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
