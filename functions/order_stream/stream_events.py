"""Pure mapping of DynamoDB stream records of the orders table to `orders` bus events (CONTRACTS.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from stream_exceptions import MalformedStreamRecordError

ORDER_CREATED = "OrderCreated"
ORDER_STATUS_CHANGED = "OrderStatusChanged"

_deserializer = TypeDeserializer()


@dataclass(frozen=True)
class OrderEvent:
    detail_type: str
    detail: dict[str, Any]
    time: datetime | None = None

    def to_entry(self, source: str, event_bus_name: str) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "Source": source,
            "DetailType": self.detail_type,
            "Detail": json.dumps(self.detail, separators=(",", ":"), default=_json_default),
            "EventBusName": event_bus_name,
        }
        if self.time is not None:
            entry["Time"] = self.time
        return entry


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _number(value: Any) -> int | float | None:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _image(record: Mapping[str, Any], name: str) -> dict[str, Any]:
    raw = record.get("dynamodb", {}).get(name)
    if not isinstance(raw, dict) or not raw:
        raise MalformedStreamRecordError(
            f"{record.get('eventName')} record has no {name} (stream view type must be NEW_AND_OLD_IMAGES)"
        )
    try:
        image = {k: _deserializer.deserialize(v) for k, v in raw.items()}
    except (TypeError, ValueError, KeyError, AttributeError) as e:
        raise MalformedStreamRecordError(f"{name} is not a valid DynamoDB attribute map: {e}") from e
    order_id = image.get("orderId")
    if not isinstance(order_id, str) or not order_id:
        raise MalformedStreamRecordError(f"{name} has no orderId")
    return image


def _detail(image: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "orderId": image["orderId"],
        "status": image.get("status"),
        "total": _number(image.get("total")),
        "currency": image.get("currency"),
        "customerId": image.get("customerId"),
        "orderDate": image.get("orderDate"),
    }


def _change_time(record: Mapping[str, Any]) -> datetime | None:
    raw = record.get("dynamodb", {}).get("ApproximateCreationDateTime")
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        return datetime.fromtimestamp(float(raw), tz=UTC)
    return None


def order_event_for(record: Mapping[str, Any]) -> OrderEvent | None:
    """INSERT -> OrderCreated; MODIFY with a status change -> OrderStatusChanged; anything else -> None."""
    name = record.get("eventName")
    if name == "INSERT":
        return OrderEvent(ORDER_CREATED, _detail(_image(record, "NewImage")), _change_time(record))
    if name == "MODIFY":
        new, old = _image(record, "NewImage"), _image(record, "OldImage")
        if new.get("status") == old.get("status"):
            return None  # e.g. highValue flagged, updatedAt touched: not an order event
        detail = _detail(new)
        detail["previousStatus"] = old.get("status")
        return OrderEvent(ORDER_STATUS_CHANGED, detail, _change_time(record))
    if name == "REMOVE":
        return None
    raise MalformedStreamRecordError(f"unexpected eventName {name!r}")
