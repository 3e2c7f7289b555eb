"""Turn one shard batch of orders-table changes into EventBridge events, in order, batched by 10.

Ordering contract (DynamoDB Streams + ReportBatchItemFailures): Lambda checkpoints at the LOWEST
failed sequence number and redelivers everything from there. So once record N fails, records N+1..
are reported failed as well, and no later chunk is published: events of one order never overtake an
earlier, unpublished change. Entries of the same PutEvents call that did succeed after a failed one
will be published again on the retry: delivery is at-least-once, consumers are idempotent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from stream_events import OrderEvent, order_event_for
from stream_exceptions import (
    EarlierRecordFailedError,
    EventPublishError,
    MalformedStreamEventError,
    MalformedStreamRecordError,
)
from stream_publisher import MAX_ENTRIES_PER_CALL


class Publisher(Protocol):
    def put_events(self, entries: Sequence[dict[str, Any]]) -> list[EventPublishError | None]: ...


@dataclass
class BatchOutcome:
    """Per sequence number: why it failed. Records not in `failures` were handled."""

    failures: dict[str, Exception] = field(default_factory=dict)
    published: int = 0
    skipped: int = 0

    @property
    def failed(self) -> int:
        return len(self.failures)


def _sequence_number(record: dict[str, Any]) -> str:
    """The record's SequenceNumber (``check_envelope`` made sure there is one)."""
    return str(record["dynamodb"]["SequenceNumber"])


def check_envelope(event: Any) -> list[dict[str, Any]]:
    """The records of a DynamoDB stream batch, each identifiable by ``dynamodb.SequenceNumber``.

    Raises MalformedStreamEventError otherwise: a record without a sequence number cannot be
    reported on its own (Lambda never sends one); the whole batch is then retried and bisected.
    """
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise MalformedStreamEventError("event is not a DynamoDB stream batch (no 'Records' list)")
    for index, record in enumerate(records):
        stream = record.get("dynamodb") if isinstance(record, dict) else None
        sequence = stream.get("SequenceNumber") if isinstance(stream, dict) else None
        if not isinstance(sequence, str) or not sequence.isascii() or not sequence.isdigit():
            raise MalformedStreamEventError(f"Records[{index}] has no dynamodb.SequenceNumber")
    return records


class OrderStreamService:
    def __init__(
        self,
        publisher: Publisher,
        event_source: str,
        event_bus_name: str,
        *,
        mapper: Callable[[dict[str, Any]], OrderEvent | None] = order_event_for,
    ) -> None:
        self._publisher = publisher
        self._source = event_source
        self._bus = event_bus_name
        self._map = mapper

    def process(self, records: Sequence[dict[str, Any]]) -> BatchOutcome:
        outcome = BatchOutcome()
        first_failed: int | None = None
        pending: list[tuple[int, dict[str, Any]]] = []  # (record index, PutEvents entry)

        for index, record in enumerate(records):
            try:
                event = self._map(record)
                entry = None if event is None else event.to_entry(self._source, self._bus)
            except Exception as e:  # MalformedStreamRecordError, or a defect: this record fails, in order
                error = (
                    e if isinstance(e, MalformedStreamRecordError) else MalformedStreamRecordError(repr(e))
                )
                outcome.failures[_sequence_number(record)] = error
                first_failed = index
                break
            if entry is None:
                outcome.skipped += 1
            else:
                pending.append((index, entry))

        for start in range(0, len(pending), MAX_ENTRIES_PER_CALL):
            chunk = pending[start : start + MAX_ENTRIES_PER_CALL]
            try:
                results: list[EventPublishError | None] = self._publisher.put_events([e for _, e in chunk])
            except EventPublishError as e:
                results = [e] * len(chunk)
            for (index, _), error in zip(chunk, results, strict=True):
                if error is None:
                    outcome.published += 1
                    continue
                outcome.failures[_sequence_number(records[index])] = error
                first_failed = index if first_failed is None else min(first_failed, index)
            if any(error is not None for error in results):
                break  # later chunks stay unpublished; they are redelivered with the failed record

        if first_failed is not None:
            for record in records[first_failed + 1 :]:
                outcome.failures.setdefault(
                    _sequence_number(record),
                    EarlierRecordFailedError(
                        f"record {_sequence_number(records[first_failed])} failed first"
                    ),
                )
        return outcome
