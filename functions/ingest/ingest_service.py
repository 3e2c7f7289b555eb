"""Turn S3 event notifications (delivered through SQS) into Step Functions executions.

Pure logic; the Step Functions call goes through an injected ``ExecutionStarter``, which must be
safe to call from several threads: a batch's StartExecution calls run on a small thread pool.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import unquote_plus

from ingest_config import DEFAULT_MAX_PARALLEL
from ingest_errors import MalformedRecordError
from pipeline_shared import boundary
from pipeline_shared.events import BUCKET_NAME
from pipeline_shared.keys import MAX_KEY_BYTES

EXECUTION_NAME_MAX = 80
MAX_BODY_CHARS = 1024 * 1024  # SQS's message size limit (1 MiB)
MAX_OBJECT_BYTES = 5 * 1024**4  # S3's object size limit (5 TiB)
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
    # MalformedRecordError, or the first StartExecution error among the body's objects: the SQS
    # record is a batch-item failure (other objects of the body may have started; a retry sees
    # them as duplicates).
    error: Exception | None = None


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


def parse_body(body: Any) -> tuple[list[S3ObjectCreated], list[str], bool]:
    """Parse one SQS body holding an S3 event notification.

    Returns (object-created records, descriptions of skipped records, is-test-event).
    Raises MalformedRecordError when the body is not JSON or not an S3 notification, or breaks a
    boundary limit (size, nesting, numbers, text, times: ``pipeline_shared.boundary``).
    """
    if body is None:
        raise MalformedRecordError("SQS record has no body")
    try:
        message = boundary.loads(body, what="SQS body", max_bytes=MAX_BODY_CHARS)
    except boundary.InvalidInput as e:
        raise MalformedRecordError(str(e)) from e
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
        event_name = record.get("eventName")
        if not isinstance(event_name, str) or not event_name.startswith("ObjectCreated:"):
            skipped.append(event_name if isinstance(event_name, str) and event_name else "<no eventName>")
            continue
        try:
            created.append(_parse_object_created(record))
        except (boundary.InvalidInput, KeyError, TypeError) as e:
            raise MalformedRecordError(f"Records[{index}] is not a valid ObjectCreated record: {e}") from e
    return created, skipped, False


def _parse_object_created(record: dict[str, Any]) -> S3ObjectCreated:
    s3 = record.get("s3")
    if (
        not isinstance(s3, dict)
        or not isinstance(s3.get("bucket"), dict)
        or not isinstance(s3.get("object"), dict)
    ):
        raise boundary.InvalidInput("'s3.bucket' and 's3.object' must be objects")
    obj = s3["object"]
    bucket = boundary.text(s3["bucket"].get("name"), "s3.bucket.name", max_bytes=63, pattern=BUCKET_NAME)
    # S3 URL-encodes keys in notifications ('+' for a space, %XX for UTF-8 bytes).
    raw_key = boundary.text(obj.get("key"), "s3.object.key", max_bytes=3 * MAX_KEY_BYTES)
    try:
        key = unquote_plus(raw_key, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise boundary.InvalidInput(
            f"'s3.object.key' is not valid URL-encoded UTF-8: {raw_key[:80]!r}"
        ) from e
    key = boundary.text(key, "s3.object.key (decoded)", max_bytes=MAX_KEY_BYTES)
    etag = boundary.text(obj.get("eTag"), "s3.object.eTag", max_bytes=1024)
    size = boundary.number(obj.get("size"), "s3.object.size", minimum=0, maximum=MAX_OBJECT_BYTES)
    if size != size.to_integral_value():
        raise boundary.InvalidInput(f"'s3.object.size' must be an integer, got {size}")
    event_time = boundary.text(record.get("eventTime"), "eventTime", max_bytes=64)
    boundary.iso_timestamp(event_time, "eventTime")
    return S3ObjectCreated(
        bucket=bucket, key=key, etag=etag.strip('"'), size=int(size), event_time=event_time
    )


def _execution_payload(obj: S3ObjectCreated) -> str:
    return json.dumps(obj.execution_input(), separators=(",", ":"), ensure_ascii=False)


class IngestService:
    def __init__(self, starter: ExecutionStarter, max_parallel: int = DEFAULT_MAX_PARALLEL) -> None:
        if max_parallel < 1:
            raise ValueError("max_parallel must be at least 1")
        self._starter = starter
        self._max_parallel = max_parallel

    def process_batch(self, bodies: Mapping[str, Any]) -> dict[str, BodyResult]:
        """Start one execution per created object in every body; SQS message id -> what happened.

        Bodies are parsed first; then each distinct execution name of the batch is started once, at
        most ``max_parallel`` at a time; then the outcomes are mapped back to the bodies. A body fails
        (``error`` set) if it is malformed or any of its executions failed to start; an execution that
        already exists counts as success. Of the successful bodies holding a newly started execution,
        the first (in batch order) reports it as ``started``, the others as a duplicate.
        """
        parsed: dict[str, tuple[BodyResult, list[S3ObjectCreated]]] = {}
        payloads: dict[str, str] = {}
        for message_id, body in bodies.items():
            try:
                objects, skipped, is_test = parse_body(body)
            except MalformedRecordError as e:
                parsed[message_id] = (BodyResult(error=e), [])
                continue
            except Exception as e:  # a defect must still fail only its own record
                error = MalformedRecordError(f"SQS body could not be parsed: {type(e).__name__}: {e}")
                parsed[message_id] = (BodyResult(error=error), [])
                continue
            parsed[message_id] = (BodyResult(skipped=skipped, test_event=is_test), objects)
            for obj in objects:
                payloads.setdefault(obj.execution_name, _execution_payload(obj))

        outcomes = self._start_all(payloads)
        claimed: set[str] = set()
        for result, objects in parsed.values():
            _apply_outcomes(result, [obj.execution_name for obj in objects], outcomes, claimed)
        return {message_id: result for message_id, (result, _) in parsed.items()}

    def _start_all(self, payloads: dict[str, str]) -> dict[str, bool | Exception]:
        """Start every execution; name -> True (started), False (already existed) or the error."""
        jobs = list(payloads.items())
        if len(jobs) <= 1 or self._max_parallel == 1:
            outcomes = [self._start(job) for job in jobs]
        else:
            workers = min(self._max_parallel, len(jobs))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="start-execution") as pool:
                outcomes = list(pool.map(self._start, jobs))
        return {name: outcome for (name, _), outcome in zip(jobs, outcomes, strict=True)}

    def _start(self, job: tuple[str, str]) -> bool | Exception:
        # Runs on a worker thread: no logging or metrics here, the caller reports per SQS record.
        name, payload = job
        try:
            return self._starter.start(name, payload)
        except Exception as e:
            return e


def _apply_outcomes(
    result: BodyResult, names: list[str], outcomes: Mapping[str, bool | Exception], claimed: set[str]
) -> None:
    errors = [outcome for name in names if isinstance(outcome := outcomes[name], Exception)]
    if errors:
        result.error = errors[0]
        return
    for name in names:
        if outcomes[name] is True and name not in claimed:
            claimed.add(name)
            result.started.append(name)
        else:
            result.duplicates.append(name)
