"""Parse ``image-processed`` SNS notifications and record them on the metadata item, idempotently."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from notify_errors import MalformedMessageError
from pipeline_shared import boundary


class Store(Protocol):
    def mark_notified(self, image_id: str, notified_at: str, message_id: str) -> bool: ...


@dataclass(frozen=True)
class Notification:
    image_id: str
    message_id: str


MAX_MESSAGE_CHARS = 256 * 1024  # SNS's message size limit
MAX_IMAGE_ID_BYTES = 2048  # DynamoDB's limit on a partition key value


def parse_event(event: Any) -> list[Notification | MalformedMessageError]:
    """One entry per record of an SNS -> Lambda event: its notification, or why it is malformed.

    Raises MalformedMessageError only when the event itself is not an SNS event (no records).
    """
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list) or not records:
        raise MalformedMessageError("event is not an SNS event (no 'Records' list)")
    parsed: list[Notification | MalformedMessageError] = []
    for index, record in enumerate(records):
        try:
            parsed.append(_parse_record(record, index))
        except MalformedMessageError as e:
            parsed.append(e)
    return parsed


def _parse_record(record: Any, index: int) -> Notification:
    sns = record.get("Sns") if isinstance(record, dict) else None
    if not isinstance(sns, dict) or record.get("EventSource") != "aws:sns":
        raise MalformedMessageError(f"Records[{index}] is not an SNS record")
    try:
        message = boundary.loads(
            sns.get("Message"), what=f"Records[{index}].Sns.Message", max_bytes=MAX_MESSAGE_CHARS
        )
    except boundary.InvalidInput as e:
        raise MalformedMessageError(str(e)) from e
    if not isinstance(message, dict):
        raise MalformedMessageError(f"Records[{index}] message is not a JSON object")
    image_id = message.get("imageId")
    if image_id is None and isinstance(message.get("bucket"), str) and isinstance(message.get("key"), str):
        image_id = f"{message['bucket']}/{message['key']}"  # contract: imageId = <bucket>/<key>
    if image_id is None:
        raise MalformedMessageError(f"Records[{index}] message has no 'imageId' (nor 'bucket' and 'key')")
    message_id = sns.get("MessageId", "")
    try:
        image_id = boundary.text(image_id, "imageId", max_bytes=MAX_IMAGE_ID_BYTES)
        message_id = boundary.text(message_id, "MessageId", max_bytes=256, min_length=0)
    except boundary.InvalidInput as e:
        raise MalformedMessageError(f"Records[{index}]: {e}") from e
    return Notification(image_id=image_id, message_id=message_id)


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
