"""Turn S3 event notifications (delivered through SQS) into Step Functions executions.

Pure logic; the Step Functions call goes through an injected ``ExecutionStarter``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import unquote_plus

from ingest_errors import MalformedRecordError

EXECUTION_NAME_MAX = 80
HASH_CHARS = 40
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


class ExecutionStarter(Protocol):
    def start(self, name: str, execution_input: str) -> bool:
        """Start an execution; True if started, False if one with that name already exists."""
        ...


@dataclass(frozen=True)
class S3ObjectCreated:
    """One ``ObjectCreated:*`` record of an S3 event notification, key already URL-decoded."""

    bucket: str
    key: str
    etag: str
    size: int
    event_time: str

    def execution_input(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "key": self.key,
            "etag": self.etag,
            "size": self.size,
            "eventTime": self.event_time,
        }

    @property
    def execution_name(self) -> str:
        return execution_name(self.bucket, self.key, self.etag)


@dataclass
class BodyResult:
    """What happened to one SQS message body."""

    started: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    test_event: bool = False


def execution_name(bucket: str, key: str, etag: str) -> str:
    """Deterministic Step Functions execution name for one object version.

    ``sha256("<bucket>/<key>/<etag>")[:40]`` + ``-`` + the sanitized tail of the key (readable in the
    console); at most 80 characters, only ``[A-Za-z0-9_-]``. The same object version always maps to
    the same name, so a duplicate S3/SQS delivery cannot start a second execution.
    """
    digest = hashlib.sha256(f"{bucket}/{key}/{etag}".encode()).hexdigest()[:HASH_CHARS]
    room = EXECUTION_NAME_MAX - HASH_CHARS - 1
    tail = _UNSAFE.sub("_", key)[-room:].strip("_-")
    return f"{digest}-{tail}" if tail else digest


def parse_body(body: str) -> tuple[list[S3ObjectCreated], list[str], bool]:
    """Parse one SQS body holding an S3 event notification.

    Returns (object-created records, descriptions of skipped records, is-test-event).
    Raises MalformedRecordError when the body is not JSON or not an S3 notification.
    """
    try:
        message = json.loads(body)
    except (TypeError, ValueError) as e:
        raise MalformedRecordError(f"SQS body is not JSON: {e}") from e
    if not isinstance(message, dict):
        raise MalformedRecordError("SQS body is not a JSON object")
    if message.get("Event") == "s3:TestEvent":
        return [], [], True
    records = message.get("Records")
    if not isinstance(records, list) or not records:
        raise MalformedRecordError("SQS body is not an S3 event notification (no 'Records' list)")
    created: list[S3ObjectCreated] = []
    skipped: list[str] = []
    for index, record in enumerate(records):
        if not isinstance(record, dict) or record.get("eventSource") != "aws:s3":
            raise MalformedRecordError(f"Records[{index}] is not an S3 event record")
        event_name = str(record.get("eventName", ""))
        if not event_name.startswith("ObjectCreated:"):
            skipped.append(event_name or "<no eventName>")
            continue
        created.append(_parse_object_created(record, index))
    return created, skipped, False


def _parse_object_created(record: dict[str, Any], index: int) -> S3ObjectCreated:
    try:
        s3 = record["s3"]
        bucket = s3["bucket"]["name"]
        obj = s3["object"]
        raw_key = obj["key"]
        etag = obj["eTag"]
        size = obj["size"]
        event_time = record["eventTime"]
    except (KeyError, TypeError) as e:
        raise MalformedRecordError(f"Records[{index}] lacks a required field: {e}") from e
    if not all(isinstance(v, str) and v for v in (bucket, raw_key, etag, event_time)):
        raise MalformedRecordError(f"Records[{index}] has an empty or non-string bucket/key/eTag/eventTime")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise MalformedRecordError(f"Records[{index}] has an invalid object size: {size!r}")
    try:
        # S3 URL-encodes keys in notifications ('+' for a space, %XX for UTF-8 bytes).
        key = unquote_plus(raw_key, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise MalformedRecordError(f"Records[{index}] key is not valid URL-encoded UTF-8: {raw_key!r}") from e
    return S3ObjectCreated(bucket=bucket, key=key, etag=etag.strip('"'), size=size, event_time=event_time)


class IngestService:
    def __init__(self, starter: ExecutionStarter) -> None:
        self._starter = starter

    def process_body(self, body: str) -> BodyResult:
        """Start one execution per created object in the body.

        Raises MalformedRecordError, or the starter's errors; the whole SQS message is then retried and
        already started executions are recognised as duplicates.
        """
        objects, skipped, is_test = parse_body(body)
        result = BodyResult(skipped=skipped, test_event=is_test)
        for obj in objects:
            name = obj.execution_name
            payload = json.dumps(obj.execution_input(), separators=(",", ":"), ensure_ascii=False)
            if self._starter.start(name, payload):
                result.started.append(name)
            else:
                result.duplicates.append(name)
        return result
