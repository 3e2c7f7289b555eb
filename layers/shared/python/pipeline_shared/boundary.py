"""Checks applied where input enters a function, before any of it is trusted.

Every check raises ``InvalidInput`` (a ``ValueError``) with a message naming the field and the limit;
each function turns it into its own error class (``raise MalformedRecordError(str(e)) from e``).

The classes of hostile input they stop, each before it can reach a parser, a client or a database:

- size and nesting depth of JSON text, checked BEFORE ``json.loads`` (deep nesting raises
  ``RecursionError`` in the parser and again in anything that walks the result);
- integers with more digits than any real field has (Python refuses past 4300 digits with a
  ``ValueError``; DynamoDB refuses past 38), NaN, Infinity and floats that overflow (``1e400``);
- strings that cannot be encoded as UTF-8 (lone surrogates such as ``"\\ud800"``: they pass ``isinstance(x,
  str)`` and fail much later, in botocore or at the DynamoDB write);
- timestamps outside a plausible window, in the past, the future or in milliseconds instead of seconds.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import accumulate
from typing import Any

MAX_DEPTH = 32
# More values than any event of the pipeline holds (a 400 KB DynamoDB item has fewer).
MAX_VALUES = 250_000
# More digits than any number in the pipeline's events (DynamoDB numbers have at most 38).
MAX_NUMBER_DIGITS = 40
# Nothing in this pipeline is older than S3 event notifications (2014) or newer than a day from now.
EARLIEST_TIME = datetime(2006, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(days=1)

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class InvalidInput(ValueError):
    """Input refused at the boundary; the message names the field and the rule."""


def _reject_constant(name: str) -> Any:
    raise InvalidInput(f"{name} is not a valid JSON number")


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise InvalidInput(f"integer with {len(text)} digits exceeds the limit of {MAX_NUMBER_DIGITS}")
    return int(text)


def _parse_decimal(text: str) -> Decimal:
    if len(text) > MAX_NUMBER_DIGITS + 10:
        raise InvalidInput(f"number {text[:20]}... is longer than {MAX_NUMBER_DIGITS + 10} characters")
    return Decimal(text)


def _parse_float(text: str) -> float:
    value = float(_parse_decimal(text))
    if not math.isfinite(value):
        raise InvalidInput(f"number {text[:20]} is out of range")
    return value


def nesting_depth(text: str) -> int:
    """Deepest ``[``/``{`` nesting of JSON text (brackets inside strings ignored), without parsing it."""
    brackets = _BRACKET.findall(_STRING.sub("", text))
    return max(accumulate(1 if c in "[{" else -1 for c in brackets), default=0)


def loads(
    text: Any,
    *,
    what: str,
    max_bytes: int,
    max_depth: int = MAX_DEPTH,
    decimals: bool = False,
) -> Any:
    """``json.loads`` behind the limits above: size and depth first, then numbers and strings.

    ``decimals``: non-integers as ``Decimal`` (exact money) instead of ``float``.
    """
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise InvalidInput(f"{what} is not UTF-8") from e
    if not isinstance(text, str):
        raise InvalidInput(f"{what} must be a JSON string, got {type(text).__name__}")
    if len(text) > max_bytes:
        raise InvalidInput(f"{what} is {len(text)} characters, above the limit of {max_bytes}")
    depth = nesting_depth(text)
    if depth > max_depth:
        raise InvalidInput(f"{what} nests {depth} levels deep, above the limit of {max_depth}")
    try:
        value = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_decimal if decimals else _parse_float,
            parse_constant=_reject_constant,
        )
    except InvalidInput as e:
        raise InvalidInput(f"{what}: {e}") from e
    except (ValueError, RecursionError, InvalidOperation) as e:
        raise InvalidInput(f"{what} is not valid JSON: {e}") from e
    check_value(value, what=what, max_depth=max_depth)
    return value


def check_value(value: Any, *, what: str, max_depth: int = MAX_DEPTH, max_values: int = MAX_VALUES) -> None:
    """Walk an already parsed event (iteratively): depth, value count, text encodability, number ranges."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    seen = 0
    while stack:
        item, depth = stack.pop()
        seen += 1
        if seen > max_values:
            raise InvalidInput(f"{what} holds more than {max_values} values")
        if depth > max_depth:
            raise InvalidInput(f"{what} nests more than {max_depth} levels deep")
        if isinstance(item, str):
            _check_text(item, what)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if abs(item) >= 10**MAX_NUMBER_DIGITS:
                raise InvalidInput(f"{what} holds an integer above {MAX_NUMBER_DIGITS} digits")
        elif isinstance(item, float | Decimal):
            if not _finite(item):
                raise InvalidInput(f"{what} holds a number that is not finite: {item}")
        elif isinstance(item, Mapping):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise InvalidInput(f"{what} has a non-string key")
                _check_text(key, what)
                stack.append((child, depth + 1))
        elif isinstance(item, list | tuple):
            stack.extend((child, depth + 1) for child in item)
        else:
            raise InvalidInput(f"{what} holds a {type(item).__name__}, not a JSON value")


def _finite(value: float | Decimal) -> bool:
    try:
        return math.isfinite(value) if isinstance(value, float) else value.is_finite()
    except (OverflowError, InvalidOperation):
        return False


def _check_text(text: str, what: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InvalidInput(f"{what} holds text that is not valid Unicode (lone surrogate): {e.reason}") from e


def text(
    value: Any, field: str, *, max_bytes: int, min_length: int = 1, pattern: re.Pattern[str] | None = None
) -> str:
    """A string field: ``str``, UTF-8 encodable, ``min_length`` characters up to ``max_bytes`` in UTF-8."""
    if not isinstance(value, str):
        raise InvalidInput(f"'{field}' must be a string, got {type(value).__name__}")
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError as e:
        raise InvalidInput(f"'{field}' is not valid Unicode (lone surrogate at {e.start})") from e
    if len(value) < min_length:
        raise InvalidInput(f"'{field}' must not be empty" if min_length == 1 else f"'{field}' is too short")
    if size > max_bytes:
        raise InvalidInput(f"'{field}' is {size} bytes in UTF-8, above the limit of {max_bytes}")
    if pattern is not None and not pattern.match(value):
        raise InvalidInput(f"'{field}' has an invalid format: {value[:80]!r}")
    return value


def number(value: Any, field: str, *, minimum: Decimal | int, maximum: Decimal | int) -> Decimal:
    """A JSON number (int, float or Decimal, never bool) as an exact ``Decimal`` in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise InvalidInput(f"'{field}' must be a number, got {type(value).__name__}")
    if isinstance(value, int) and abs(value) >= 10**MAX_NUMBER_DIGITS:
        raise InvalidInput(f"'{field}' must be between {minimum} and {maximum}")
    try:
        exact = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError) as e:
        raise InvalidInput(f"'{field}' is not a number: {e}") from e
    if not exact.is_finite() or not minimum <= exact <= maximum:
        raise InvalidInput(f"'{field}' must be a finite number between {minimum} and {maximum}")
    return exact


def time_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """(earliest, latest) instant accepted for a timestamp in an event."""
    return EARLIEST_TIME, (now or datetime.now(UTC)) + FUTURE_TOLERANCE


def epoch_seconds(value: Any, field: str, *, now: datetime | None = None) -> datetime:
    """A Unix time in seconds (int/float/Decimal) inside ``time_window``.

    A value that is only plausible as milliseconds is refused with a message that says so, rather
    than being silently reinterpreted.
    """
    seconds = number(value, field, minimum=-(10**18), maximum=10**18)
    earliest, latest = time_window(now)
    if not earliest.timestamp() <= seconds <= latest.timestamp():
        if earliest.timestamp() <= seconds / 1000 <= latest.timestamp():
            raise InvalidInput(f"'{field}' {value} looks like milliseconds; expected seconds")
        raise InvalidInput(f"'{field}' {value} is outside {earliest.date()} .. {latest.date()}")
    return datetime.fromtimestamp(float(seconds), tz=UTC)


def iso_timestamp(value: Any, field: str, *, now: datetime | None = None) -> datetime:
    """An ISO-8601 timestamp string (``Z`` or an offset; no zone = UTC) inside ``time_window``."""
    raw = text(value, field, max_bytes=64)
    try:
        parsed = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as e:
        raise InvalidInput(f"'{field}' is not an ISO-8601 timestamp: {raw!r}") from e
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    earliest, latest = time_window(now)
    try:
        in_window = earliest <= parsed <= latest
    except OverflowError:  # an offset pushed the instant out of datetime's range
        in_window = False
    if not in_window:
        raise InvalidInput(f"'{field}' {raw} is outside {earliest.date()} .. {latest.date()}")
    return parsed
