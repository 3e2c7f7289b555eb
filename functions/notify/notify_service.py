"""Parse ``image-processed`` SNS notifications and record them on the metadata item, idempotently."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from notify_errors import MalformedMessageError


class Store(Protocol):
    def mark_notified(self, image_id: str, notified_at: str, message_id: str) -> bool: ...


@dataclass(frozen=True)
class Notification:
    image_id: str
    message_id: str


def parse_event(event: dict[str, Any]) -> list[Notification]:
    """The notifications of an SNS -> Lambda event. Raises MalformedMessageError."""
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list) or not records:
        raise MalformedMessageError("event is not an SNS event (no 'Records' list)")
    return [_parse_record(record, index) for index, record in enumerate(records)]


def _parse_record(record: Any, index: int) -> Notification:
    sns = record.get("Sns") if isinstance(record, dict) else None
    if not isinstance(sns, dict) or record.get("EventSource") != "aws:sns":
        raise MalformedMessageError(f"Records[{index}] is not an SNS record")
    raw = sns.get("Message")
    try:
        message = json.loads(raw) if isinstance(raw, str) else None
    except ValueError as e:
        raise MalformedMessageError(f"Records[{index}] message is not JSON: {e}") from e
    if not isinstance(message, dict):
        raise MalformedMessageError(f"Records[{index}] message is not a JSON object")
    image_id = message.get("imageId")
    if image_id is None and isinstance(message.get("bucket"), str) and isinstance(message.get("key"), str):
        image_id = f"{message['bucket']}/{message['key']}"  # contract: imageId = <bucket>/<key>
    if not isinstance(image_id, str) or not image_id:
        raise MalformedMessageError(f"Records[{index}] message has no 'imageId' (nor 'bucket' and 'key')")
    return Notification(image_id=image_id, message_id=str(sns.get("MessageId", "")))


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class NotifyService:
    def __init__(self, store: Store, clock: Callable[[], str] = utc_now) -> None:
        self._store = store
        self._clock = clock

    def handle(self, notification: Notification) -> str:
        """``notified`` when this call recorded it, ``already_notified`` for a repeat."""
        first = self._store.mark_notified(notification.image_id, self._clock(), notification.message_id)
        return "notified" if first else "already_notified"
