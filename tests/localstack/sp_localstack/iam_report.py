"""Per-role record of IAM decisions and the least-privilege report (JSON + table); no LocalStack imports.

The report (``iam-report.json``, ``iam-report.txt`` in ``$SP_IAM_REPORT_DIR``) is rewritten at most every
``FLUSH_SECONDS`` while calls come in, and at shutdown. Per role: actions used with counts, denied calls
(with AWS's message), unmapped operations, and every ``Action`` entry of an Allow statement that no call
needed (with the statement's Sid and resources): the candidates for removal. Per service principal:
deliveries checked against resource policies, and those refused.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .iam_policy import Decision, Policy, PolicyKind, Result, denial_message, matching_action_patterns

LOG = logging.getLogger("sp_localstack.iam")
FLUSH_SECONDS = 1.0
RolesProvider = Callable[[], dict[str, list[Policy]]]


class Recorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.directory = ""
        self.mode = "off"
        self._roles: RolesProvider = dict
        self._dirty = threading.Event()
        self._stop = threading.Event()
        self.reset()

    def reset(self) -> None:
        self.calls: dict[str, Counter[str]] = defaultdict(Counter)
        self.denied: dict[str, Counter[str]] = defaultdict(Counter)
        self.unmapped_ops: dict[str, Counter[str]] = defaultdict(Counter)
        self.not_evaluated: dict[str, Counter[str]] = defaultdict(Counter)
        self.used: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
        self.deliveries: dict[str, Counter[str]] = defaultdict(Counter)
        self.refused: dict[str, Counter[str]] = defaultdict(Counter)
        self.policies: dict[str, list[Policy]] = {}  # last seen, so a destroyed role still reports
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.evaluated: Counter[str] = Counter()

    # -- recording ------------------------------------------------------------------------------------------

    def timed(self, service: str, seconds: float) -> None:
        with self._lock:
            self.seconds[service] += seconds
            self.evaluated[service] += 1

    def unmapped(self, role: str, operation: str) -> None:
        with self._lock:
            self.unmapped_ops[role][operation] += 1
        LOG.info("IAM unmapped: %s called %s (allowed, not evaluated)", role, operation)
        self._dirty.set()

    def skipped(self, role: str, what: str) -> None:
        with self._lock:
            self.not_evaluated[role][what] += 1

    def decision(self, role: str, result: Result, policies: list[Policy]) -> None:
        by_name = {p.name: p for p in policies}
        with self._lock:
            self.policies[role] = policies
            self.calls[role][result.action] += 1
            if result.decision is Decision.ALLOW:
                for ref in result.allowed_by:
                    policy = by_name.get(ref.policy)
                    if ref.kind is not PolicyKind.IDENTITY or policy is None:
                        continue
                    statement = policy.statements()[ref.index]
                    patterns = matching_action_patterns(statement, result.action) or ["(NotAction)"]
                    for pattern in patterns:
                        self.used[role].add((ref.policy, ref.sid, pattern))
            else:
                self.denied[role][denial_message(f"<{role}>", result)] += 1
        self._dirty.set()

    def delivery(self, principal: str, source_arn: str, result: Result) -> None:
        key = f"{result.action} {result.resource} from {source_arn or '-'}"
        with self._lock:
            self.deliveries[principal][key] += 1
            if result.decision is not Decision.ALLOW:
                self.refused[principal][key] += 1
        self._dirty.set()

    # -- report ---------------------------------------------------------------------------------------------

    def unused_grants(self, role: str, policies: list[Policy]) -> list[dict[str, Any]]:
        used = self.used.get(role, set())
        unused = []
        for policy in policies:
            for index, statement in enumerate(policy.statements()):
                if statement.get("Effect") != "Allow":
                    continue
                sid = str(statement.get("Sid") or f"#{index}")
                actions = statement.get("Action", [])
                for pattern in [actions] if isinstance(actions, str) else actions:
                    if (policy.name, sid, pattern) not in used:
                        unused.append(
                            {
                                "policy": policy.name,
                                "sid": sid,
                                "action": pattern,
                                "resource": statement.get("Resource"),
                            }
                        )
        return unused

    def snapshot(self) -> dict[str, Any]:
        current = self._roles()
        with self._lock:
            roles = {**self.policies, **current}
            names = sorted(set(roles) | set(self.calls) | set(self.unmapped_ops))
            report_roles = {
                name: {
                    "calls": sum(self.calls[name].values()),
                    "actions": dict(sorted(self.calls[name].items())),
                    "denied": dict(self.denied[name]),
                    "unmapped": dict(self.unmapped_ops[name]),
                    "not_evaluated": dict(self.not_evaluated[name]),
                    "unused_grants": self.unused_grants(name, roles.get(name, [])),
                }
                for name in names
            }
            services = {
                svc: {"evaluated": self.evaluated[svc], "ms": round(self.seconds[svc] * 1000, 1)}
                for svc in sorted(self.evaluated)
            }
            return {
                "mode": self.mode,
                "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "calls_evaluated": sum(self.evaluated.values()),
                "evaluation_ms": round(sum(self.seconds.values()) * 1000, 1),
                "services": services,
                "roles": report_roles,
                "deliveries": {
                    p: {"checked": dict(self.deliveries[p]), "refused": dict(self.refused[p])}
                    for p in sorted(self.deliveries)
                },
            }

    def write(self) -> None:
        if not self.directory:
            return
        report = self.snapshot()
        out = Path(self.directory)
        out.mkdir(parents=True, exist_ok=True)
        for name, text in (
            ("iam-report.json", json.dumps(report, indent=2)),
            ("iam-report.txt", render(report)),
        ):
            tmp = out / f".{name}.tmp"
            tmp.write_text(text + "\n")
            os.replace(tmp, out / name)

    def _flush_loop(self) -> None:
        while not self._stop.is_set():
            if self._dirty.wait(timeout=FLUSH_SECONDS):
                self._dirty.clear()
                try:
                    self.write()
                except Exception:  # noqa: BLE001 - the report must never break a request
                    LOG.exception("IAM report could not be written")
                self._stop.wait(FLUSH_SECONDS)

    def start(self, directory: str, mode: str, roles: RolesProvider) -> None:
        self.directory, self.mode, self._roles = directory, mode, roles
        if directory:
            threading.Thread(target=self._flush_loop, name="iam-report", daemon=True).start()
            self._dirty.set()

    def stop(self) -> None:
        self._stop.set()
        try:
            self.write()
        except Exception:  # noqa: BLE001
            LOG.exception("IAM report could not be written")


def render(report: dict[str, Any]) -> str:
    """The readable table of a report."""
    lines = [
        f"IAM least-privilege report (mode {report['mode']}, {report['generated']}): "
        f"{report['calls_evaluated']} calls evaluated in {report['evaluation_ms']} ms",
        "",
        f"{'role':<44} {'calls':>7} {'denied':>7} {'unmapped':>9} {'unused':>7}",
    ]
    for name, role in report["roles"].items():
        lines.append(
            f"{name:<44} {role['calls']:>7} {sum(role['denied'].values()):>7} "
            f"{sum(role['unmapped'].values()):>9} {len(role['unused_grants']):>7}"
        )
    for name, role in report["roles"].items():
        if not (role["calls"] or role["denied"] or role["unmapped"]):
            continue
        lines += ["", f"== {name}"]
        lines += [f"  used     {count:>6}  {action}" for action, count in role["actions"].items()]
        lines += [f"  DENIED   {count:>6}  {message}" for message, count in role["denied"].items()]
        lines += [f"  unmapped {count:>6}  {op}" for op, count in role["unmapped"].items()]
        for grant in role["unused_grants"]:
            lines.append(
                f"  unused           {grant['action']}  (Sid {grant['sid']}, {grant['policy']})"
                f" on {grant['resource']}"
            )
    for principal, data in report["deliveries"].items():
        lines += ["", f"== deliveries by {principal}"]
        lines += [f"  checked  {count:>6}  {key}" for key, count in data["checked"].items()]
        lines += [f"  REFUSED  {count:>6}  {key}" for key, count in data["refused"].items()]
    lines += [
        "",
        "per service: "
        + ", ".join(f"{s} {v['evaluated']} ({v['ms']} ms)" for s, v in report["services"].items()),
    ]
    return "\n".join(lines)


RECORDER = Recorder()
