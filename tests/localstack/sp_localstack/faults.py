"""Fault injection: the decisions, free of LocalStack (the gateway glue is ``faults_gateway.py``).

A rule matches requests by service, operation and caller, and at ``rate`` injects an AWS error (the
service's own code and HTTP status), a delay, or both; a ``kill`` rule SIGKILLs a function's runtime
process ``after_ms`` into an invocation (Lambda then reports ``Runtime.ExitError``). Off by default: no
rule, no effect. Every decision is counted per rule; the counts are what a chaos test reads back.

Callers (who sends the request), so that a test can fault the hops it means:
- ``function``: code running in a Lambda function (its SDK's User-Agent carries ``exec-env/AWS_Lambda``);
- ``role``: a LocalStack service acting with an assumed role (its session token, no principal), e.g.
  Step Functions calling its tasks, DynamoDB and SNS;
- ``service:<principal>``: LocalStack's internal service-to-service calls (S3 -> SQS notifications,
  SNS deliveries, ...); ``service`` matches any principal;
- ``client``: everything else (the test's own SDK). Default callers: ``function`` and ``role``.

Rule document (environment ``SP_FAULTS`` as JSON, or ``POST /_faults``)::

    {"seed": 7, "rules": [
      {"service": "s3", "operation": "GetObject", "rate": 0.2},
      {"service": "lambda", "operation": "Invoke", "callers": ["role"], "rate": 0.1},
      {"service": "dynamodb", "rate": 0.1, "error": "ThrottlingException"},
      {"service": "sqs", "operation": "ReceiveMessage", "rate": 0.2, "delay_ms": 300, "error": null},
      {"kill": "imgpipe-dev-thumbnail", "rate": 0.1, "after_ms": 50}
    ]}
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

CALLERS = ("function", "role", "service", "client")
DEFAULT_CALLERS = ("function", "role")


@dataclass(frozen=True)
class AwsError:
    code: str
    status: int
    message: str


# AWS's own error for "too much / try again" per service (code, HTTP status, message as AWS sends them).
DEFAULT_ERRORS: dict[str, AwsError] = {
    "s3": AwsError("SlowDown", 503, "Please reduce your request rate."),
    "dynamodb": AwsError(
        "ProvisionedThroughputExceededException",
        400,
        "The level of configured provisioned throughput for the table was exceeded.",
    ),
    "sns": AwsError("Throttling", 400, "Rate exceeded"),
    "lambda": AwsError("TooManyRequestsException", 429, "Rate Exceeded."),
    "sqs": AwsError("InternalError", 500, "We encountered an internal error. Please try again."),
    "stepfunctions": AwsError("ThrottlingException", 400, "Rate exceeded"),
    "events": AwsError("ThrottlingException", 400, "Rate exceeded"),
}

# Other codes a rule may name for a service, with their status.
KNOWN_ERRORS: dict[str, dict[str, AwsError]] = {
    "s3": {
        "InternalError": AwsError("InternalError", 500, "We encountered an internal error. Please try again.")
    },
    "dynamodb": {
        "ThrottlingException": AwsError(
            "ThrottlingException", 400, "Rate of requests exceeds the allowed throughput."
        ),
        "InternalServerError": AwsError("InternalServerError", 500, "Internal server error"),
        "RequestLimitExceeded": AwsError(
            "RequestLimitExceeded", 400, "Throughput exceeds the current account limit."
        ),
    },
    "sns": {"InternalError": AwsError("InternalError", 500, "Internal error")},
    "lambda": {"ServiceException": AwsError("ServiceException", 500, "Internal service error.")},
    "sqs": {"RequestThrottled": AwsError("RequestThrottled", 403, "Request is throttled.")},
}


class FaultConfigError(ValueError):
    """A fault document that cannot be applied; the message names the field."""


@dataclass(frozen=True)
class Request:
    """What a decision needs to know about one AWS request."""

    service: str
    operation: str
    caller: str  # function | role | service:<principal> | client


@dataclass(frozen=True)
class Rule:
    name: str
    rate: float
    service: str = "*"
    operation: str = "*"
    callers: tuple[str, ...] = DEFAULT_CALLERS
    error: AwsError | None = None
    delay_ms: int = 0
    kill: str | None = None  # function name (or "*") whose runtime is killed mid-invocation
    after_ms: int = 0
    max_count: int | None = None

    def matches(self, request: Request) -> bool:
        if self.kill is not None:
            return False
        if self.service not in ("*", request.service):
            return False
        if self.operation not in ("*", request.operation):
            return False
        return any(_caller_matches(c, request.caller) for c in self.callers)

    def kind(self) -> str:
        if self.kill is not None:
            return "kill"
        if self.error is not None:
            return f"{self.service}:{self.error.code}"
        return f"{self.service}:delay"


@dataclass(frozen=True)
class Decision:
    rule: str | None = None
    error: AwsError | None = None
    delay_s: float = 0.0

    @property
    def injects(self) -> bool:
        return self.rule is not None


NO_FAULT = Decision()


def _caller_matches(pattern: str, caller: str) -> bool:
    if pattern == caller:
        return True
    return pattern == "service" and caller.startswith("service:")


def classify_caller(
    *, service_principal: str | None, internal: bool, user_agent: str, has_session_token: bool
) -> str:
    """Who sent a request (see the module docstring)."""
    if internal:
        if service_principal:
            return f"service:{service_principal}"
        # LocalStack's services acting with an assumed role (Step Functions tasks) send its session
        # token and no principal; their own bookkeeping (logs, metrics) sends neither.
        return "role" if has_session_token else "service:localstack"
    if "exec-env/AWS_Lambda" in user_agent:
        return "function"
    if has_session_token:
        return "role"
    return "client"


def _field(doc: Mapping[str, Any], key: str, types: type | tuple[type, ...], where: str) -> Any:
    value = doc[key]
    if isinstance(value, bool) or not isinstance(value, types):
        raise FaultConfigError(f"{where}.{key}: expected {getattr(types, '__name__', types)}, got {value!r}")
    return value


def parse_rule(doc: Any, index: int) -> Rule:
    where = f"rules[{index}]"
    if not isinstance(doc, Mapping):
        raise FaultConfigError(f"{where}: expected an object")
    allowed = {
        "name",
        "service",
        "operation",
        "callers",
        "rate",
        "error",
        "delay_ms",
        "kill",
        "after_ms",
        "max_count",
    }
    unknown = set(doc) - allowed
    if unknown:
        raise FaultConfigError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    rate = float(_field(doc, "rate", (int, float), where)) if "rate" in doc else 1.0
    if not 0.0 <= rate <= 1.0:
        raise FaultConfigError(f"{where}.rate: must be 0-1, got {rate}")
    max_count = _field(doc, "max_count", int, where) if doc.get("max_count") is not None else None
    if "kill" in doc:
        kill = _field(doc, "kill", str, where)
        after_ms = _field(doc, "after_ms", int, where) if "after_ms" in doc else 0
        if after_ms < 0:
            raise FaultConfigError(f"{where}.after_ms: must be >= 0")
        name = doc.get("name") or f"kill:{kill}"
        return Rule(name=str(name), rate=rate, kill=kill, after_ms=after_ms, max_count=max_count)
    if "service" not in doc:
        raise FaultConfigError(f"{where}: needs 'service' (or 'kill' for a runtime kill)")
    service = _field(doc, "service", str, where).lower()
    operation = _field(doc, "operation", str, where) if "operation" in doc else "*"
    callers: tuple[str, ...] = DEFAULT_CALLERS
    if "callers" in doc:
        raw = doc["callers"]
        if not isinstance(raw, list) or not raw or not all(isinstance(c, str) for c in raw):
            raise FaultConfigError(f"{where}.callers: expected a non-empty list of strings")
        for c in raw:
            if c not in CALLERS and not c.startswith("service:"):
                raise FaultConfigError(
                    f"{where}.callers: {c!r} is not one of {CALLERS} or service:<principal>"
                )
        callers = tuple(raw)
    delay_ms = _field(doc, "delay_ms", int, where) if "delay_ms" in doc else 0
    if delay_ms < 0 or delay_ms > 60_000:
        raise FaultConfigError(f"{where}.delay_ms: must be 0-60000")
    error = _resolve_error(service, doc, where, delay_ms)
    name = doc.get("name") or f"{service}:{operation}:{error.code if error else 'delay'}"
    return Rule(
        name=str(name),
        rate=rate,
        service=service,
        operation=operation,
        callers=callers,
        error=error,
        delay_ms=delay_ms,
        max_count=max_count,
    )


def _resolve_error(service: str, doc: Mapping[str, Any], where: str, delay_ms: int) -> AwsError | None:
    if "error" in doc and doc["error"] is None:
        if delay_ms == 0:
            raise FaultConfigError(f"{where}: a rule without an error needs delay_ms > 0")
        return None
    code = doc.get("error")
    if code is None:
        if service not in DEFAULT_ERRORS:
            raise FaultConfigError(f"{where}.error: no default error for service {service!r}; name one")
        return DEFAULT_ERRORS[service]
    if not isinstance(code, str):
        raise FaultConfigError(f"{where}.error: expected an error code string")
    default = DEFAULT_ERRORS.get(service)
    if default is not None and default.code == code:
        return default
    known = KNOWN_ERRORS.get(service, {}).get(code)
    if known is not None:
        return known
    raise FaultConfigError(
        f"{where}.error: {code!r} is not an error this harness knows for {service!r} "
        f"(known: {sorted({*(([default.code]) if default else []), *KNOWN_ERRORS.get(service, {})})})"
    )


def parse_document(doc: Any) -> tuple[list[Rule], int | None]:
    if not isinstance(doc, Mapping):
        raise FaultConfigError("expected a JSON object with 'rules'")
    rules_doc = doc.get("rules", [])
    if not isinstance(rules_doc, list):
        raise FaultConfigError("rules: expected a list")
    seed = doc.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise FaultConfigError("seed: expected an integer")
    rules = [parse_rule(r, i) for i, r in enumerate(rules_doc)]
    names = [r.name for r in rules]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise FaultConfigError(f"rule names must be unique (give 'name'): {dupes}")
    return rules, seed


@dataclass
class _RuleState:
    rule: Rule
    matched: int = 0
    injected: int = 0


@dataclass
class FaultInjector:
    """Thread-safe registry of rules and counters; the gateway and the executor ask it."""

    _rules: list[_RuleState] = field(default_factory=list)
    _rng: random.Random = field(default_factory=random.Random)
    _traffic: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def enabled(self) -> bool:
        return bool(self._rules)

    def configure(self, rules: Iterable[Rule], seed: int | None = None) -> None:
        with self._lock:
            self._rules = [_RuleState(r) for r in rules]
            self._rng = random.Random(seed)
            self._traffic.clear()

    def load(self, doc: Any) -> None:
        rules, seed = parse_document(doc)
        self.configure(rules, seed)

    def load_json(self, text: str) -> None:
        try:
            doc = json.loads(text)
        except ValueError as e:
            raise FaultConfigError(f"not JSON: {e}") from None
        self.load(doc)

    def clear(self) -> None:
        self.configure([])

    def _roll(self, state: _RuleState) -> bool:
        state.matched += 1
        if state.rule.max_count is not None and state.injected >= state.rule.max_count:
            return False
        if self._rng.random() >= state.rule.rate:
            return False
        state.injected += 1
        return True

    def decide(self, request: Request) -> Decision:
        """The first matching rule that fires decides; requests no rule matches are only counted."""
        if not self._rules:
            return NO_FAULT
        with self._lock:
            self._traffic[(request.caller, request.service, request.operation)] += 1
            for state in self._rules:
                if state.rule.matches(request) and self._roll(state):
                    return Decision(
                        rule=state.rule.name, error=state.rule.error, delay_s=state.rule.delay_ms / 1000
                    )
        return NO_FAULT

    def decide_kill(self, function_name: str) -> tuple[str, float] | None:
        """(rule name, seconds into the invocation) when this invocation's runtime is to be killed."""
        if not self._rules:
            return None
        with self._lock:
            for state in self._rules:
                kill = state.rule.kill
                if kill is not None and kill in ("*", function_name) and self._roll(state):
                    return state.rule.name, state.rule.after_ms / 1000
        return None

    def unkill(self, rule_name: str) -> None:
        """A planned kill that did not happen (the invocation ended first): do not count it."""
        with self._lock:
            for state in self._rules:
                if state.rule.name == rule_name and state.injected > 0:
                    state.injected -= 1

    def report(self) -> dict[str, Any]:
        with self._lock:
            rules = []
            for s in self._rules:
                doc = asdict(s.rule)
                doc["callers"] = list(s.rule.callers)
                rules.append({**doc, "kind": s.rule.kind(), "matched": s.matched, "injected": s.injected})
            by_kind: Counter[str] = Counter()
            for s in self._rules:
                by_kind[s.rule.kind()] += s.injected
            traffic = [
                {"caller": c, "service": svc, "operation": op, "count": n}
                for (c, svc, op), n in sorted(self._traffic.items())
            ]
        return {
            "enabled": bool(rules),
            "rules": rules,
            "injected": {"total": sum(by_kind.values()), "by_kind": dict(sorted(by_kind.items()))},
            "traffic": traffic,
        }


INJECTOR = FaultInjector()
