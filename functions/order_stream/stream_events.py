"""Pure mapping of DynamoDB stream records of the orders table to `orders` bus events (CONTRACTS.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from pipeline_shared import boundary
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


MAX_TOTAL = Decimal(10) ** 18  # far above any order the API accepts (100 lines x 1e6 x 1e9)
MAX_TEXT_BYTES = 1024  # orderId, status, currency, customerId, orderDate: short by contract


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _image(record: Mapping[str, Any], name: str) -> dict[str, Any]:
    raw = record["dynamodb"].get(name)
    if not isinstance(raw, dict) or not raw:
        raise MalformedStreamRecordError(
            f"{record.get('eventName')} record has no {name} (stream view type must be NEW_AND_OLD_IMAGES)"
        )
    try:
        boundary.check_value(raw, what=name)
        image = {k: _deserializer.deserialize(v) for k, v in raw.items()}
    except boundary.InvalidInput as e:
        raise MalformedStreamRecordError(str(e)) from e
    # ArithmeticError: decimal.Rounded/Inexact/Overflow for an N past 38 digits or out of range.
    except (TypeError, ValueError, KeyError, AttributeError, ArithmeticError) as e:
        raise MalformedStreamRecordError(f"{name} is not a valid DynamoDB attribute map: {e!r}") from e
    try:
        boundary.text(image.get("orderId"), f"{name}.orderId", max_bytes=MAX_TEXT_BYTES)
    except boundary.InvalidInput as e:
        raise MalformedStreamRecordError(str(e)) from e
    return image


def _detail(image: Mapping[str, Any]) -> dict[str, Any]:
    """The event detail; every field a string (or absent) and ``total`` a finite number in range."""
    detail: dict[str, Any] = {"orderId": image["orderId"]}
    try:
        for field in ("status", "currency", "customerId", "orderDate"):
            value = image.get(field)
            detail[field] = None if value is None else boundary.text(value, field, max_bytes=MAX_TEXT_BYTES)
        total = image.get("total")
        detail["total"] = (
            None if total is None else _number(boundary.number(total, "total", minimum=0, maximum=MAX_TOTAL))
        )
    except boundary.InvalidInput as e:
        raise MalformedStreamRecordError(f"order {image['orderId']}: {e}") from e
    return detail


def _change_time(record: Mapping[str, Any]) -> datetime | None:
    """The change's time, when it is a plausible Unix time in seconds; else None (EventBridge then
    stamps the event with the time it receives it: the event is not lost for a bad timestamp)."""
    raw = record["dynamodb"].get("ApproximateCreationDateTime")
    if raw is None:
        return None
    try:
        return boundary.epoch_seconds(raw, "ApproximateCreationDateTime")
    except boundary.InvalidInput:
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
