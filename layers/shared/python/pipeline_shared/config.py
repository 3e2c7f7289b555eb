"""Typed environment readers for configuration validated once at init.

Every reader takes the function's own exception class (``error``) so that a bad setting still
fails with the error type the function documents; messages always name the variable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

ErrorFactory = Callable[[str], Exception]


def required(
    env: Mapping[str, str],
    name: str,
    *,
    error: ErrorFactory,
    pattern: re.Pattern[str] | None = None,
    expected: str = "",
) -> str:
    """The stripped value of ``name``; ``error`` when it is unset or blank.

    With ``pattern``, the value must also match it (see ``check_pattern``).
    """
    value = env.get(name, "").strip()
    if not value:
        raise error(f"environment variable {name} is required")
    return value if pattern is None else check_pattern(name, value, pattern, expected, error=error)


def check_pattern(
    name: str, value: str, pattern: re.Pattern[str], expected: str, *, error: ErrorFactory
) -> str:
    """``value`` when ``pattern`` matches it, else ``error("<name> is not <expected>: <value>")``."""
    if not pattern.match(value):
        raise error(f"{name} is not {expected}: {value!r}")
    return value


def required_all(env: Mapping[str, str], names: Iterable[str], *, error: ErrorFactory) -> dict[str, str]:
    """The stripped values of ``names`` (by name); one ``error`` listing every unset or blank one."""
    values = {name: env.get(name, "").strip() for name in names}
    missing = [name for name, value in values.items() if not value]
    if missing:
        raise error(f"missing required environment variable(s): {', '.join(missing)}")
    return values


def positive_int(
    env: Mapping[str, str], name: str, default: int, *, error: ErrorFactory, maximum: int | None = None
) -> int:
    """An integer setting: unset or blank -> ``default``; else ASCII digits in ``1..maximum``.

    Signs, underscores, decimals and non-ASCII digits are refused.
    """
    raw = env.get(name, "")
    text = raw.strip()
    if not text:
        return default
    value = int(text) if text.isascii() and text.isdigit() else 0
    if maximum is None and value < 1:
        raise error(f"{name} must be a positive integer, got {raw!r}")
    if maximum is not None and not 1 <= value <= maximum:
        raise error(f"{name} must be an integer from 1 to {maximum}, got {raw!r}")
    return value
