"""EventBridge adapter: PutEvents in chunks of at most 10 entries, per-entry results kept in order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from stream_exceptions import EventPublishError

MAX_ENTRIES_PER_CALL = 10  # PutEvents limit


class EventBridgePublisher:
    def __init__(self, client: Any) -> None:
        self._client = client

    def put_events(self, entries: Sequence[dict[str, Any]]) -> list[EventPublishError | None]:
        """Send at most 10 entries; returns one item per entry: None (published) or the entry's error.

        A failed call (throttled beyond the SDK retries, access denied, ...) raises EventPublishError.
        """
        if len(entries) > MAX_ENTRIES_PER_CALL:
            raise ValueError(f"PutEvents takes at most {MAX_ENTRIES_PER_CALL} entries, got {len(entries)}")
        if not entries:
            return []
        try:
            response = self._client.put_events(Entries=list(entries))
        except (ClientError, BotoCoreError) as e:
            raise EventPublishError(f"PutEvents failed: {e}") from e
        results: list[EventPublishError | None] = []
        response_entries = response.get("Entries", [])
        for index in range(len(entries)):
            result = response_entries[index] if index < len(response_entries) else {}
            if result.get("ErrorCode") or not result.get("EventId"):
                code = result.get("ErrorCode", "NoEventId")
                results.append(EventPublishError(f"entry rejected: {code}: {result.get('ErrorMessage', '')}"))
            else:
                results.append(None)
        return results
