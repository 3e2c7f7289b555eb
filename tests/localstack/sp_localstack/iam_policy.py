"""IAM policy evaluation, pure (no LocalStack imports): identity policies, boundary, resource policy.

Follows AWS's documented evaluation logic for a request inside one account:
an explicit Deny in any applicable policy wins; otherwise the request needs an Allow from an identity policy
(and, if the role has one, from its permissions boundary) or from the resource's policy. KMS is the exception
AWS makes: its key policy must allow, either the caller directly or the account
(``arn:aws:iam::<acct>:root``), and in the latter case an identity policy must allow too.

Supported: Action/NotAction, Resource/NotResource (wildcards ``*`` ``?``, policy variables ``${aws:...}``),
Principal/NotPrincipal, and the condition operators String*, Arn*, Numeric*, Date*, Bool, Null, IpAddress,
with ``...IfExists`` and the ``ForAnyValue:``/``ForAllValues:`` set qualifiers.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from functools import lru_cache
from typing import Any

ContextValue = str | bool | int | float | Sequence[str]


class Decision(Enum):
    ALLOW = "Allow"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"


class PolicyKind(Enum):
    IDENTITY = "identity-based"
    BOUNDARY = "permissions boundary"
    RESOURCE = "resource-based"


@dataclass(frozen=True)
class Policy:
    """A named policy document (``name``: inline policy name, managed policy ARN, or ``<kind>:<arn>``)."""

    name: str
    document: Mapping[str, Any]
    kind: PolicyKind = PolicyKind.IDENTITY

    @classmethod
    def parse(
        cls, name: str, document: str | Mapping[str, Any], kind: PolicyKind = PolicyKind.IDENTITY
    ) -> Policy:
        return cls(name, json.loads(document) if isinstance(document, str) else document, kind)

    def statements(self) -> list[Mapping[str, Any]]:
        raw = self.document.get("Statement", [])
        return [raw] if isinstance(raw, Mapping) else list(raw)


@dataclass(frozen=True)
class StatementRef:
    """Which statement of which policy matched (``sid`` is ``#<index>`` when the statement has no Sid)."""

    policy: str
    sid: str
    index: int
    kind: PolicyKind


@dataclass(frozen=True)
class Principal:
    """The caller as a resource policy sees it: an IAM/STS ARN, or a service (``s3.amazonaws.com``)."""

    arn: str = ""
    service: str = ""
    account: str = ""
    role_arn: str = ""  # for an assumed-role session: the role's own ARN (matches Principal {"AWS": role})


@dataclass(frozen=True)
class Result:
    decision: Decision
    action: str
    resource: str
    allowed_by: tuple[StatementRef, ...] = ()
    denied_by: StatementRef | None = None
    missing: PolicyKind | None = None  # for ImplicitDeny: which kind of policy had no Allow

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOW


@dataclass
class Request:
    action: str
    resources: Sequence[str]
    context: Mapping[str, ContextValue] = field(default_factory=dict)


# -- matching -----------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{regex}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def wildcard_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return bool(_wildcard(pattern, ignore_case).match(value))


_TOKEN = re.compile(r"\$\{([^}]*)\}|\*|\?|[^$*?]+|\$")


def _variable(name: str, context: Mapping[str, ContextValue]) -> str | None:
    """Value of a policy variable (``${aws:username}``, ``${k, 'default'}``); ``${*}`` is a literal."""
    if name in ("*", "?", "$"):
        return name
    key, _, default = name.partition(",")
    for k, v in context.items():
        if k.lower() == key.strip().lower() and not isinstance(v, list | tuple):
            return str(v)
    return default.strip().strip("'") if default else None


@lru_cache(maxsize=4096)
def _has_variables(pattern: str) -> bool:
    return "${" in pattern


def _pattern_regex(pattern: str, context: Mapping[str, ContextValue]) -> re.Pattern[str] | None:
    """Wildcard pattern with policy variables resolved; None if a variable has no value (never matches)."""
    if not _has_variables(pattern):
        return _wildcard(pattern, False)
    parts: list[str] = []
    for m in _TOKEN.finditer(pattern):
        token = m.group(0)
        if m.group(1) is not None:
            value = _variable(m.group(1), context)
            if value is None:
                return None
            parts.append(re.escape(value))
        else:
            parts.append(".*" if token == "*" else "." if token == "?" else re.escape(token))
    return re.compile("^" + "".join(parts) + "$", re.DOTALL)


def _substitute(text: str, context: Mapping[str, ContextValue]) -> str | None:
    if not _has_variables(text):
        return text
    out: list[str] = []
    for m in _TOKEN.finditer(text):
        if m.group(1) is not None:
            value = _variable(m.group(1), context)
            if value is None:
                return None
            out.append(value)
        else:
            out.append(m.group(0))
    return "".join(out)


def _resource_match(pattern: str, resource: str, context: Mapping[str, ContextValue]) -> bool:
    regex = _pattern_regex(pattern, context)
    return bool(regex and regex.match(resource))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _matches_action(statement: Mapping[str, Any], action: str) -> bool:
    if "Action" in statement:
        return any(wildcard_match(p, action, ignore_case=True) for p in _as_list(statement["Action"]))
    if "NotAction" in statement:
        return not any(wildcard_match(p, action, ignore_case=True) for p in _as_list(statement["NotAction"]))
    return False


def matching_action_patterns(statement: Mapping[str, Any], action: str) -> list[str]:
    """The ``Action`` entries of a statement that match ``action`` (for usage reports)."""
    return [p for p in _as_list(statement.get("Action")) if wildcard_match(p, action, ignore_case=True)]


def _matches_resource(
    statement: Mapping[str, Any], resource: str, context: Mapping[str, ContextValue]
) -> bool:
    if "Resource" in statement:
        return any(_resource_match(p, resource, context) for p in _as_list(statement["Resource"]))
    if "NotResource" in statement:
        return not any(_resource_match(p, resource, context) for p in _as_list(statement["NotResource"]))
    return True  # resource policies may omit Resource: the policy applies to its own resource


def _principal_values(principal: Principal) -> dict[str, list[str]]:
    aws = [v for v in (principal.arn, principal.role_arn) if v]
    if principal.account:
        aws += [principal.account, f"arn:aws:iam::{principal.account}:root"]
    return {"AWS": aws, "Service": [principal.service] if principal.service else []}


def _principal_block_matches(block: Any, principal: Principal) -> bool:
    if block == "*":
        return True
    if not isinstance(block, Mapping):
        return False
    mine = _principal_values(principal)
    for kind, patterns in block.items():
        for pattern in _as_list(patterns):
            if pattern == "*" and kind == "AWS":
                return True
            if any(wildcard_match(pattern, value) for value in mine.get(kind, [])):
                return True
    return False


def _matches_principal(statement: Mapping[str, Any], principal: Principal | None) -> bool:
    if principal is None:  # identity policies have no Principal element
        return True
    if "Principal" in statement:
        return _principal_block_matches(statement["Principal"], principal)
    if "NotPrincipal" in statement:
        return not _principal_block_matches(statement["NotPrincipal"], principal)
    return False


# -- conditions ---------------------------------------------------------------------------------------------


def _to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return {"true": True, "false": False}.get(text)


def _to_number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _to_date(value: Any) -> datetime | None:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    text = str(value)
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _compare(base: str, actual: Any, expected: Any, context: Mapping[str, ContextValue]) -> bool:  # noqa: C901
    """One context value against one policy value, for a non-negated base operator."""
    if base == "StringEquals":
        return str(actual) == _substitute(str(expected), context)
    if base == "StringEqualsIgnoreCase":
        resolved = _substitute(str(expected), context)
        return resolved is not None and str(actual).lower() == resolved.lower()
    if base in ("StringLike", "ArnLike", "ArnEquals"):  # ArnEquals takes wildcards too
        return _resource_match(str(expected), str(actual), context)
    if base.startswith("Numeric"):
        a, e = _to_number(actual), _to_number(expected)
        if a is None or e is None:
            return False
        op = base.removeprefix("Numeric")
    elif base.startswith("Date"):
        a, e = _to_date(actual), _to_date(expected)  # type: ignore[assignment]
        if a is None or e is None:
            return False
        op = base.removeprefix("Date")
    elif base == "Bool":
        return _to_bool(actual) is not None and _to_bool(actual) == _to_bool(expected)
    elif base == "IpAddress":
        try:
            return ipaddress.ip_address(str(actual)) in ipaddress.ip_network(str(expected), strict=False)
        except ValueError:
            return False
    elif base == "BinaryEquals":
        return str(actual) == str(expected)
    else:
        raise ValueError(f"unsupported condition operator {base}")
    return {
        "Equals": a == e,
        "LessThan": a < e,
        "LessThanEquals": a <= e,
        "GreaterThan": a > e,
        "GreaterThanEquals": a >= e,
    }[op]


_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
    "NumericNotEquals": "NumericEquals",
    "DateNotEquals": "DateEquals",
    "NotIpAddress": "IpAddress",
}


def _lookup(context: Mapping[str, ContextValue], key: str) -> list[Any] | None:
    for name, value in context.items():
        if name.lower() == key.lower():
            return _as_list(value)
    return None


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, ContextValue]) -> bool:
    qualifier, _, op = operator.rpartition(":")
    if_exists = op.endswith("IfExists")
    op = op.removesuffix("IfExists")
    values = _lookup(context, key)
    expected_values = _as_list(expected)
    if op == "Null":  # "true": the key must be absent
        return any((values is None) == bool(_to_bool(e)) for e in expected_values)
    if values is None:
        if if_exists:
            return True
        if qualifier == "ForAllValues":
            return True
        return op in _NEGATED and qualifier != "ForAnyValue"
    negated = op in _NEGATED
    base = _NEGATED.get(op, op)

    def one(value: Any) -> bool:
        hit = any(_compare(base, value, e, context) for e in expected_values)
        return not hit if negated else hit

    if qualifier == "ForAllValues":
        return all(one(v) for v in values)
    if negated and qualifier != "ForAnyValue":
        return all(one(v) for v in values)  # no value may match
    return any(one(v) for v in values)


def conditions_hold(conditions: Mapping[str, Any] | None, context: Mapping[str, ContextValue]) -> bool:
    """Every operator block and every key in it must hold (AND); values inside one key are OR."""
    for operator, keys in (conditions or {}).items():
        for key, expected in keys.items():
            if not _condition_holds(operator, key, expected, context):
                return False
    return True


# -- evaluation ---------------------------------------------------------------------------------------------


def _statement_refs(
    policies: Iterable[Policy],
    action: str,
    resource: str,
    context: Mapping[str, ContextValue],
    principal: Principal | None,
) -> tuple[list[StatementRef], list[StatementRef]]:
    """(allowing, denying) statements of ``policies`` that apply to the request."""
    allows: list[StatementRef] = []
    denies: list[StatementRef] = []
    for policy in policies:
        for index, statement in enumerate(policy.statements()):
            if not (
                _matches_action(statement, action)
                and _matches_resource(statement, resource, context)
                and _matches_principal(statement, principal if policy.kind is PolicyKind.RESOURCE else None)
                and conditions_hold(statement.get("Condition"), context)
            ):
                continue
            ref = StatementRef(policy.name, str(statement.get("Sid") or f"#{index}"), index, policy.kind)
            (denies if statement.get("Effect") == "Deny" else allows).append(ref)
    return allows, denies


def evaluate_one(
    action: str,
    resource: str,
    context: Mapping[str, ContextValue],
    identity: Sequence[Policy] = (),
    boundary: Policy | None = None,
    resource_policy: Policy | None = None,
    principal: Principal | None = None,
    key_policy: bool = False,
) -> Result:
    """Decision for one action on one resource. ``principal`` is needed when ``resource_policy`` is given."""
    id_allow, id_deny = _statement_refs(identity, action, resource, context, None)
    b_allow, b_deny = _statement_refs([boundary], action, resource, context, None) if boundary else ([], [])
    r_allow: list[StatementRef] = []
    r_deny: list[StatementRef] = []
    account_grant = False
    if resource_policy is not None and principal is not None:
        r_allow, r_deny = _statement_refs([resource_policy], action, resource, context, principal)
        if key_policy and principal.account:
            account = Principal(account=principal.account)
            account_grant = bool(_statement_refs([resource_policy], action, resource, context, account)[0])
            direct = Principal(principal.arn, principal.service, "", principal.role_arn)
            r_allow = _statement_refs([resource_policy], action, resource, context, direct)[0]
    for denied in (id_deny, b_deny, r_deny):
        if denied:
            return Result(Decision.EXPLICIT_DENY, action, resource, denied_by=denied[0])
    identity_ok = bool(id_allow) and (boundary is None or bool(b_allow))
    if key_policy:
        if r_allow:
            return Result(Decision.ALLOW, action, resource, allowed_by=tuple(r_allow + id_allow))
        if account_grant and identity_ok:
            return Result(Decision.ALLOW, action, resource, allowed_by=tuple(id_allow))
        missing = PolicyKind.RESOURCE if not account_grant else _missing(id_allow, boundary, b_allow)
        return Result(Decision.IMPLICIT_DENY, action, resource, missing=missing)
    if r_allow:  # same account: a resource policy naming the caller is enough
        return Result(Decision.ALLOW, action, resource, allowed_by=tuple(r_allow + id_allow))
    if identity_ok:
        return Result(Decision.ALLOW, action, resource, allowed_by=tuple(id_allow))
    if not identity and resource_policy is not None:
        return Result(Decision.IMPLICIT_DENY, action, resource, missing=PolicyKind.RESOURCE)
    return Result(Decision.IMPLICIT_DENY, action, resource, missing=_missing(id_allow, boundary, b_allow))


def _missing(
    id_allow: list[StatementRef], boundary: Policy | None, b_allow: list[StatementRef]
) -> PolicyKind:
    if id_allow and boundary is not None and not b_allow:
        return PolicyKind.BOUNDARY
    return PolicyKind.IDENTITY


def evaluate(
    request: Request,
    identity: Sequence[Policy] = (),
    boundary: Policy | None = None,
    resource_policy: Policy | None = None,
    principal: Principal | None = None,
    key_policy: bool = False,
) -> Result:
    """All resources of a request must be allowed; the first refusal (explicit deny first) is the answer."""
    results = [
        evaluate_one(
            request.action, r, request.context, identity, boundary, resource_policy, principal, key_policy
        )
        for r in (request.resources or ["*"])
    ]
    for wanted in (Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY):
        for result in results:
            if result.decision is wanted:
                return result
    merged = tuple(ref for result in results for ref in result.allowed_by)
    return Result(Decision.ALLOW, request.action, results[0].resource, allowed_by=merged)


def denial_message(caller_arn: str, result: Result) -> str:
    """AWS's wording: ``User: <arn> is not authorized to perform: <action> on resource: "<arn>" ...``."""
    if result.decision is Decision.EXPLICIT_DENY:
        kind = result.denied_by.kind if result.denied_by else PolicyKind.IDENTITY
        where = {
            PolicyKind.IDENTITY: "an identity-based policy",
            PolicyKind.RESOURCE: "a resource-based policy",
            PolicyKind.BOUNDARY: "a permissions boundary",
        }[kind]
        why = f"with an explicit deny in {where}"
    else:
        missing = result.missing or PolicyKind.IDENTITY
        if missing is PolicyKind.BOUNDARY:
            why = f"because no permissions boundary allows the {result.action} action"
        else:
            why = f"because no {missing.value} policy allows the {result.action} action"
    target = f'{result.action} on resource: "{result.resource}"'
    return f"User: {caller_arn} is not authorized to perform: {target} {why}"
