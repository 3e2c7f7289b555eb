"""Hypothesis strategies seeded by the real event shapes in this folder.

``mutated(event)`` takes a real event (``load("sqs_s3_notifications.json")``) and applies one to
three mutations at random paths: drop a field, retype it (arbitrary JSON), nest it deeply, enlarge
it, or replace it with hostile text or numbers. JSON carried inside strings (SQS bodies, SNS
messages) is mutated too, then re-encoded (deep nesting as raw text: ``json.dumps`` itself would
recurse). ``json_values()`` is arbitrary JSON with the same hostile leaves.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

EVENTS_DIR = Path(__file__).resolve().parent

Path_ = tuple[str | int, ...]


def load(name: str) -> Any:
    return json.loads((EVENTS_DIR / name).read_text())


# Text that passes isinstance(x, str) but is not UTF-8 encodable, or is otherwise hostile.
HOSTILE_TEXT = [
    "\ud800",
    "a\udfffb",
    "uploads/\udc80.jpg",
    "",
    " ",
    "\x00",
    "%ZZ%80%C3",
    "../../etc/passwd",
    "é" * 600,
    "x" * 5000,
    "${jndi:ldap://x}",
    "=cmd|'/c calc'!A1",
    "1" * 5000,  # a digit string past Python's 4300-digit int limit
    "NaN",
    "Infinity",
    "-1e400",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00Z",
    "+275760-09-13T00:00:00Z",
    "2026-02-30",
]
HOSTILE_NUMBERS: list[Any] = [
    10**400,
    -(10**400),
    10**39,
    2**63,
    -1,
    0,
    1.5e308,
    float("nan"),
    float("inf"),
    -float("inf"),
    1e-320,
    1795342531000,  # milliseconds where seconds are expected
    1795342531000000,
    253402300800,  # year 10000
    -62135596801,  # before year 1
]

any_text = st.text(alphabet=st.characters(exclude_categories=()), max_size=40)


def _one_of_list(values: list[Any]) -> st.SearchStrategy[Any]:
    # By index, so that hypothesis' statistics do not print 5000-character reprs.
    return st.integers(0, len(values) - 1).map(values.__getitem__)


hostile_text = st.one_of(_one_of_list(HOSTILE_TEXT), any_text)
hostile_number = st.one_of(
    _one_of_list(HOSTILE_NUMBERS),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
)
leaves = st.one_of(st.none(), st.booleans(), hostile_number, hostile_text)


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Arbitrary JSON-like values (hostile leaves, keys included)."""
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(hostile_text, children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


def nest(depth: int, leaf: Any = 1) -> Any:
    """``depth`` levels of alternating lists and objects, built without recursion."""
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


def deep_json_text(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def paths(value: Any, prefix: Path_ = (), max_depth: int = 12) -> list[Path_]:
    """Every path to a value inside ``value`` (not the root), down to ``max_depth`` levels."""
    out: list[Path_] = []
    if len(prefix) >= max_depth:
        return out
    children = (
        value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    )
    for key, child in list(children)[:50]:
        out.append((*prefix, key))
        out.extend(paths(child, (*prefix, key), max_depth))
    return out


def dumps(value: Any) -> str:
    """``json.dumps``, or deep JSON text when the value is too deep for the encoder."""
    try:
        return json.dumps(value)
    except (RecursionError, ValueError):
        return deep_json_text(5000)


def _parent(value: Any, path: Path_) -> Any:
    for part in path[:-1]:
        value = value[part]
    return value


def _embedded_json(value: Any) -> Any | None:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value) if value.count("{") + value.count("[") < 200 else None
        except (ValueError, RecursionError):
            return None
    return None


HOSTILE_JSON_TEXT = [
    *(deep_json_text(depth) for depth in (50, 1200, 20000)),
    "[" * 100_000,
    '{"a": ' + "1" * 5000 + "}",
    "[NaN]",
    "[1e400]",
    '"\\ud800"',
    '{"k": "\\udfff"}',
    "{",
    "",
    "\ufeff{}",
]

MUTATIONS = ("drop", "retype", "nest", "enlarge", "hostile_text", "hostile_number", "embedded")


@st.composite
def mutated(draw: st.DrawFn, event: Any, *, keep: frozenset[Path_] = frozenset(), rounds: int = 3) -> Any:
    """``event`` with 1..``rounds`` mutations at random paths (never at or inside a ``keep`` path)."""
    value = copy.deepcopy(event)
    for _ in range(draw(st.integers(1, rounds))):
        # Neither a kept path, nor inside one, nor one of its ancestors.
        candidates = [p for p in paths(value) if not any(p[: len(k)] == k or k[: len(p)] == p for k in keep)]
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        parent, last = _parent(value, path), path[-1]
        current = parent[last]
        kind = draw(st.sampled_from(MUTATIONS))
        if kind == "drop":
            if isinstance(parent, dict):
                del parent[last]
            else:
                parent.pop(last)
        elif kind == "retype":
            parent[last] = draw(json_values())
        elif kind == "nest":
            parent[last] = nest(draw(st.sampled_from([40, 200, 1500, 5000])), current)
        elif kind == "enlarge":
            if isinstance(current, str):  # at most ~1 MB: larger than any event field, never a MemoryError
                parent[last] = (current or "x") * draw(st.sampled_from([50, 400, 3000]))
                parent[last] = parent[last][: 1024 * 1024]
            elif isinstance(current, int | float) and not isinstance(current, bool):
                parent[last] = draw(st.sampled_from([10**400, 10**39, current * 10**12]))
            else:
                parent[last] = [current] * draw(st.sampled_from([20, 300]))
        elif kind == "hostile_text":
            parent[last] = draw(hostile_text)
        elif kind == "hostile_number":
            parent[last] = draw(hostile_number)
        else:  # mutate JSON carried inside a string, or replace it with hostile JSON text
            inner = _embedded_json(current)
            if inner is not None and paths(inner):
                parent[last] = dumps(draw(mutated(inner, rounds=2)))
            else:
                parent[last] = draw(st.one_of(_one_of_list(HOSTILE_JSON_TEXT), json_values().map(dumps)))
    return value
