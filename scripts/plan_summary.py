#!/usr/bin/env python3
"""Summarise a Terraform plan for a reviewer: the verdict, what is replaced or destroyed, and every
security-relevant change (IAM, resource policies, public access, security groups, KMS, ...) on top.

Reads the output of `terraform show -json plan.out` from a file or stdin and prints Markdown (for a pull
request comment) or plain text. Standard library only.

    terraform show -json plan.out | scripts/plan_summary.py
    scripts/plan_summary.py plan.json --format text --max-rows 20

Values are printed only where they help (short scalars, tag keys, IAM actions and principals, rule
CIDRs/ports) and never when Terraform marks them sensitive: those show as `(sensitive)`. Values that are
unknown until apply show as `(known after apply)`.

Exit status: 0 with a summary, 2 when the input is not a readable plan (or on bad arguments).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KNOWN_AFTER_APPLY = "(known after apply)"
SENSITIVE = "(sensitive)"
DEFAULT_MAX_ROWS = 50
DEFAULT_MAX_CHARS = 60_000  # a GitHub comment holds 65,536 characters

# Sections in the order a reviewer reads them: what is lost first.
SECTIONS: list[tuple[str, str, str]] = [
    ("replace", "-/+", "Replace"),
    ("delete", "-", "Destroy"),
    ("forget", ".", "Forget (removed from state, not destroyed)"),
    ("update", "~", "Update in place"),
    ("create", "+", "Create"),
    ("import", "<-", "Import"),
    ("move", "->", "Move"),
    ("other", "?", "Other actions"),
    ("read", "<=", "Read during apply (data sources)"),
]

REASONS = {
    "replace_because_tainted": "tainted",
    "replace_because_cannot_update": "",  # the forcing attributes say it better
    "replace_by_request": "-replace requested",
    "replace_by_triggers": "replace_triggered_by",
    "delete_because_no_resource_config": "removed from configuration",
    "delete_because_no_module": "module removed from configuration",
    "delete_because_wrong_repetition": "count/for_each switched",
    "delete_because_count_index": "count index no longer exists",
    "delete_because_each_key": "for_each key no longer exists",
    "delete_because_no_move_target": "moved target missing",
    "read_because_config_unknown": "configuration known only after apply",
    "read_because_dependency_pending": "depends on a pending change",
    "read_because_check_nested": "nested in a check block",
}

# Resource types whose creation, deletion or (non-cosmetic) change is always worth a reviewer's look.
SECURITY_TYPES = {
    "aws_lambda_permission",
    "aws_lambda_function_url",
    "aws_lambda_layer_version_permission",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_public_access_block",
    "aws_s3_account_public_access_block",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_security_group",
    "aws_default_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
    "aws_network_acl",
    "aws_network_acl_rule",
    "aws_sqs_queue_policy",
    "aws_sns_topic_policy",
    "aws_api_gateway_authorizer",
    "aws_api_gateway_rest_api_policy",
    "aws_apigatewayv2_authorizer",
    "aws_secretsmanager_secret_policy",
    "aws_ecr_repository_policy",
    "aws_cloudwatch_event_bus_policy",
    "aws_cloudwatch_log_resource_policy",
    "aws_organizations_policy",
}
SECURITY_PREFIXES = ("aws_iam_", "aws_kms_", "aws_cognito_")
SECURITY_SUFFIXES = ("_policy", "_permission", "_acl", "_public_access_block", "_authorizer", "_grant")
# Attributes that make any resource's change security-relevant (queue/topic policies, encryption, auth).
SECURITY_ATTRS = {
    "policy",
    "assume_role_policy",
    "inline_policy",
    "managed_policy_arns",
    "permissions_boundary",
    "key_policy",
    "access_policies",
    "ingress",
    "egress",
    "authorization",
    "authorization_type",
    "authorizer_id",
    "api_key_required",
    "kms_key_id",
    "kms_key_arn",
    "kms_master_key_id",
    "sqs_managed_sse_enabled",
    "server_side_encryption",
    "acl",
    "publicly_accessible",
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
    "principal",
    "source_arn",
}
COSMETIC_ATTRS = {"tags", "tags_all", "description"}
WORLD_CIDRS = {"0.0.0.0/0", "::/0"}
# The attribute that names a new resource, shown in the Create table (first one found).
IDENTITY_ATTRS = (
    "name",
    "function_name",
    "bucket",
    "cidr_block",
    "cidr_ipv4",
    "cidr_ipv6",
    "topic_arn",
    "key",
)
EMPTY_VALUES: tuple[Any, ...] = (None, "", [], {}, False)
# Attributes a provider computes from other resources (a role's inline_policy reflects the
# aws_iam_role_policy resources): "(known after apply)" there says nothing about this change.
COMPUTED_MIRRORS = {"inline_policy", "managed_policy_arns", "tags_all"}


class PlanError(Exception):
    """The input is not a plan this script can read."""


# --------------------------------------------------------------------------------------------------
# Reading values with their sensitive/unknown marks
# --------------------------------------------------------------------------------------------------


def _sub(marks: Any, key: str) -> Any:
    """The mark (sensitive/unknown) for one attribute: True for the whole value, a nested structure, or
    False. A whole-object True mark covers every attribute."""
    if marks is True:
        return True
    if isinstance(marks, dict):
        return marks.get(key, False)
    return False


def _any_true(marks: Any) -> bool:
    if marks is True:
        return True
    if isinstance(marks, dict):
        return any(_any_true(v) for v in marks.values())
    if isinstance(marks, list):
        return any(_any_true(v) for v in marks)
    return False


@dataclass
class Attr:
    """One top-level attribute of a resource change."""

    name: str
    before: Any
    after: Any
    sensitive: bool  # before or after (or any part of them) is sensitive
    unknown: bool  # after (or part of it) is known only after apply
    forces_replacement: bool = False

    @property
    def changed(self) -> bool:
        if self.unknown:
            return True
        if self.after is None and self.before in EMPTY_VALUES:
            return False  # "" / [] / false -> null: an unset optional argument, not a change worth a line
        return self.before != self.after


@dataclass
class Change:
    address: str
    type: str
    mode: str
    category: str
    actions: list[str]
    reason: str
    attrs: dict[str, Attr] = field(default_factory=dict)
    importing_id: str | None = None
    previous_address: str | None = None
    deposed: str | None = None

    def changed_attrs(self) -> list[Attr]:
        return [a for a in self.attrs.values() if a.changed]

    def side(self, name: str, after: bool = True) -> tuple[Any, bool, bool]:
        """(value, sensitive, unknown) of an attribute after (or before) the change."""
        attr = self.attrs.get(name)
        if attr is None:
            return None, False, False
        if after:
            return attr.after, attr.sensitive, attr.unknown
        return attr.before, attr.sensitive, False


def categorize(actions: list[str], importing: bool, moved: bool) -> str:
    acts = tuple(actions)
    if acts in ((), ("no-op",)):
        if importing:
            return "import"
        return "move" if moved else "no-op"
    simple = {
        ("create",): "create",
        ("read",): "read",
        ("update",): "update",
        ("delete",): "delete",
        ("forget",): "forget",
        ("delete", "create"): "replace",
        ("create", "delete"): "replace",
        ("create", "forget"): "replace",  # create_then_forget: the old object is left in place
        ("forget", "create"): "replace",
    }
    return simple.get(acts, "other")


def parse_change(rc: dict[str, Any]) -> Change:
    if not isinstance(rc, dict) or not isinstance(rc.get("change"), dict):
        raise PlanError("a resource_changes entry has no 'change' object")
    ch = rc["change"]
    actions = ch.get("actions") or []
    if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
        raise PlanError(f"resource {rc.get('address')!r}: 'actions' is not a list of strings")
    importing = ch.get("importing")
    previous = rc.get("previous_address")
    address = str(rc.get("address", "?"))
    change = Change(
        address=address,
        type=str(rc.get("type", "")),
        mode=str(rc.get("mode", "managed")),
        category=categorize(actions, bool(importing), bool(previous) and previous != address),
        actions=list(actions),
        reason=REASONS.get(str(rc.get("action_reason", "")), ""),
        importing_id=str(importing.get("id", "")) if isinstance(importing, dict) else None,
        previous_address=previous if previous != address else None,
        deposed=rc.get("deposed"),
    )
    before = ch.get("before") if isinstance(ch.get("before"), dict) else {}
    after = ch.get("after") if isinstance(ch.get("after"), dict) else {}
    unknown = ch.get("after_unknown", {})
    b_sens, a_sens = ch.get("before_sensitive", {}), ch.get("after_sensitive", {})
    forcing = {
        p[0] for p in ch.get("replace_paths") or [] if isinstance(p, list) and p and isinstance(p[0], str)
    }
    names = set(before) | set(after) | (set(unknown) if isinstance(unknown, dict) else set())
    for name in sorted(names):
        unk = _any_true(_sub(unknown, name))
        change.attrs[name] = Attr(
            name=name,
            before=before.get(name),
            after=None if unk and _sub(unknown, name) is True else after.get(name),
            sensitive=_any_true(_sub(b_sens, name)) or _any_true(_sub(a_sens, name)),
            unknown=unk,
            forces_replacement=name in forcing,
        )
    return change


# --------------------------------------------------------------------------------------------------
# Plan
# --------------------------------------------------------------------------------------------------


@dataclass
class Output:
    name: str
    actions: list[str]
    after: Any
    sensitive: bool
    unknown: bool


@dataclass
class Plan:
    terraform_version: str
    changes: list[Change]
    drift: list[Change]
    outputs: list[Output]
    errored: bool
    complete: bool

    def by_category(self, category: str) -> list[Change]:
        return [c for c in self.changes if c.category == category]

    def count(self, category: str) -> int:
        return len(self.by_category(category))


def load_plan(text: str) -> Plan:
    if not text.strip():
        raise PlanError("empty input: expected the output of `terraform show -json <planfile>`")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise PlanError(f"input is not JSON ({e})") from e
    if not isinstance(data, dict) or "format_version" not in data:
        raise PlanError("input is not Terraform JSON output (no format_version)")
    if "planned_values" not in data and "resource_changes" not in data:
        raise PlanError(
            "input is Terraform JSON but not a plan (no planned_values/resource_changes): "
            "was it `terraform show -json` of a state instead of a plan file?"
        )
    if not str(data["format_version"]).startswith("1."):
        print(
            f"warning: unknown plan format_version {data['format_version']}; reading it as 1.x",
            file=sys.stderr,
        )
    raw_changes = data.get("resource_changes") or []
    raw_drift = data.get("resource_drift") or []
    if not isinstance(raw_changes, list) or not isinstance(raw_drift, list):
        raise PlanError("resource_changes/resource_drift is not a list")
    outputs = []
    raw_outputs = data.get("output_changes") or {}
    if isinstance(raw_outputs, dict):
        for name, oc in sorted(raw_outputs.items()):
            if not isinstance(oc, dict):
                continue
            outputs.append(
                Output(
                    name=name,
                    actions=list(oc.get("actions") or []),
                    after=oc.get("after"),
                    sensitive=_any_true(oc.get("after_sensitive")) or _any_true(oc.get("before_sensitive")),
                    unknown=_any_true(oc.get("after_unknown")),
                )
            )
    return Plan(
        terraform_version=str(data.get("terraform_version", "?")),
        changes=[parse_change(rc) for rc in raw_changes],
        drift=[parse_change(rc) for rc in raw_drift],
        outputs=outputs,
        errored=bool(data.get("errored", False)),
        complete=bool(data.get("complete", True)),
    )


def verdict(plan: Plan) -> str:
    """One line: `No changes.` or `N to add, N to change, N to replace, N to destroy` (+ rarer actions)."""
    counts = {k: plan.count(k) for k in ("create", "update", "replace", "delete", "import", "forget", "move")}
    counts["other"] = plan.count("other")
    extra = [
        f"{counts[k]} to {word}"
        for k, word in (("import", "import"), ("forget", "forget"), ("move", "move"))
        if counts[k]
    ]
    if counts["other"]:
        extra.append(f"{counts['other']} with other actions")
    if not any(counts.values()):
        outputs = [o for o in plan.outputs if o.actions not in ([], ["no-op"])]
        if outputs:
            return f"No resource changes; {len(outputs)} output{'s' if len(outputs) != 1 else ''} to change."
        return "No changes."
    main = (
        f"{counts['create']} to add, {counts['update']} to change, "
        f"{counts['replace']} to replace, {counts['delete']} to destroy"
    )
    return ", ".join([main, *extra])


# --------------------------------------------------------------------------------------------------
# Which code changed: base and head build manifests (scripts/build.py, per-file hashes per target)
# --------------------------------------------------------------------------------------------------

DIST_METADATA = re.compile(r"^(?:python/)?([^/]+?)-([^/-]+)\.dist-info/METADATA$")
# Replacing these recreates what hangs off them (permissions, event source mappings, alias routing).
REPLACE_WARNINGS = {
    "aws_lambda_function": "its permissions and event source mappings are recreated with it",
    "aws_lambda_alias": "permissions and event source mappings that target the alias are recreated with it",
}


@dataclass
class TargetDiff:
    kind: str  # functions | layers
    name: str
    status: str  # added | removed | changed | layers (only a layer it uses changed)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    builder_only: bool = False  # zip bytes changed, no file did
    unknown_files: bool = False  # a manifest has no per-file hashes
    layers_changed: list[str] = field(default_factory=list)
    dists: list[str] = field(default_factory=list)  # "pillow 12.2.0 -> 13.0.0"


def load_manifest_file(path: str) -> dict[str, Any] | None:
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise PlanError(f"{path}: not a readable build manifest ({e})") from e
    if not isinstance(data, dict) or not isinstance(data.get("functions"), dict):
        raise PlanError(f"{path}: not a build manifest (no 'functions')")
    return data


def _distributions(files: dict[str, str]) -> dict[str, str]:
    found = {}
    for path in files:
        m = DIST_METADATA.match(path)
        if m:
            found[m[1].lower().replace("_", "-")] = m[2]
    return found


def _hide_bytecode(paths: list[str], changed: set[str]) -> list[str]:
    """Drop __pycache__/<mod>.<tag>.pyc when its <mod>.py changed the same way (it follows the source)."""
    kept = []
    for p in paths:
        folder, _, name = p.rpartition("__pycache__/")
        if name.endswith(".pyc") and f"{folder}{name.split('.', 1)[0]}.py" in changed:
            continue
        kept.append(p)
    return kept


def _diff_entry(
    kind: str, name: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> TargetDiff:
    status = "added" if before is None else "removed" if after is None else "changed"
    d = TargetDiff(kind, name, status)
    old = (before or {}).get("files")
    new = (after or {}).get("files")
    if (before is not None and not isinstance(old, dict)) or (
        after is not None and not isinstance(new, dict)
    ):
        d.unknown_files = True
        return d
    old, new = old or {}, new or {}
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    modified = sorted(k for k in set(old) & set(new) if old[k] != new[k])
    d.added = _hide_bytecode(added, set(added))
    d.removed = _hide_bytecode(removed, set(removed))
    d.modified = _hide_bytecode(modified, set(modified))
    d.builder_only = status == "changed" and not (added or removed or modified)
    before_d, after_d = _distributions(old), _distributions(new)
    for dist in sorted(set(before_d) | set(after_d)):
        b, a = before_d.get(dist), after_d.get(dist)
        if b != a:
            d.dists.append(f"{dist} {b or '(new)'} -> {a or '(removed)'}")
    return d


def diff_manifests(base: dict[str, Any], head: dict[str, Any]) -> list[TargetDiff]:
    """Layers whose zip changed, then functions whose zip or one of whose layers changed."""
    diffs: list[TargetDiff] = []
    changed_layers: set[str] = set()
    for kind in ("layers", "functions"):
        old, new = base.get(kind) or {}, head.get(kind) or {}
        for name in sorted(set(old) | set(new)):
            b, a = old.get(name), new.get(name)
            zip_changed = (b or {}).get("sha256") != (a or {}).get("sha256")
            layers = [layer for layer in (a or b or {}).get("layers", []) if layer in changed_layers]
            if not zip_changed and not layers:
                continue
            d = _diff_entry(kind, name, b, a) if zip_changed else TargetDiff(kind, name, "layers")
            d.layers_changed = layers
            diffs.append(d)
            if kind == "layers":
                changed_layers.add(name)
    return diffs


# --------------------------------------------------------------------------------------------------
# Describing attribute changes (never a sensitive value)
# --------------------------------------------------------------------------------------------------


def _short(value: Any, limit: int = 40) -> str | None:
    """A scalar rendered for a table cell, or None when it is too long or not a scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        text = json.dumps(value)
        if len(text) <= limit and "\n" not in value:
            return text
    return None


def _map_diff(before: Any, after: Any) -> str | None:
    """`+a, -b, ~c` for two maps of scalars (tags), else None."""
    before = before or {}
    after = after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return None
    parts = [f"+{k}" for k in sorted(set(after) - set(before))]
    parts += [f"-{k}" for k in sorted(set(before) - set(after))]
    parts += [f"~{k}" for k in sorted(set(before) & set(after)) if before[k] != after[k]]
    return ", ".join(parts) if parts else None


@dataclass
class Fmt:
    """Inline formatting for one output format."""

    markdown: bool

    def code(self, text: str) -> str:
        if not self.markdown:
            return text
        text = text.replace("\n", " ").replace("|", "\\|")
        fence = "``" if "`" in text else "`"
        pad = " " if fence == "``" else ""
        return f"{fence}{pad}{text}{pad}{fence}"

    def strong(self, text: str) -> str:
        return f"**{text}**" if self.markdown else text

    def cell(self, text: str) -> str:
        return text.replace("|", "\\|") if self.markdown else text

    @property
    def arrow(self) -> str:
        return "→" if self.markdown else "->"


def describe_attr(attr: Attr, f: Fmt) -> str:
    text = f.code(attr.name)
    if attr.sensitive:
        text += f" {SENSITIVE}"
    elif attr.unknown and attr.after is None:
        before = _short(attr.before)
        shown = f"{f.code(before)} {f.arrow} " if before is not None and attr.before is not None else ""
        text += f" {shown}{KNOWN_AFTER_APPLY}"
    elif attr.unknown:
        text += f" (partly {KNOWN_AFTER_APPLY.strip('()')})"
    else:
        b, a = _short(attr.before), _short(attr.after)
        if b is not None and a is not None:
            text += f" {f.code(b)} {f.arrow} {f.code(a)}"
        else:
            diff = _map_diff(attr.before, attr.after)
            if diff:
                text += f" ({diff})"
            elif _is_policy_attr(attr.name):
                text += " (document changed)"
    if attr.forces_replacement:
        text += " " + f.strong("forces replacement")
    return text


def changed_attr_summary(change: Change, f: Fmt, limit: int = 12) -> list[str]:
    """What changes in an update/replace: changed attributes first, then the ones known after apply."""
    attrs = change.changed_attrs()
    names = {a.name for a in attrs}
    known = [a for a in attrs if not (a.unknown and a.after is None) or a.forces_replacement]
    if "tags" in names and "tags_all" in names:  # tags_all mirrors tags plus provider default_tags
        tags, tags_all = change.attrs["tags"], change.attrs["tags_all"]
        if (
            _map_diff(tags.before, tags.after) == _map_diff(tags_all.before, tags_all.after)
            or tags_all.unknown
        ):
            known = [a for a in known if a.name != "tags_all"]
    known.sort(key=lambda a: (not a.forces_replacement, a.name))
    later = [a for a in attrs if a not in known and a.name != "tags_all"]
    parts = [describe_attr(a, f) for a in known[:limit]]
    if len(known) > limit:
        parts.append(f"+{len(known) - limit} more")
    if later:
        names_later = ", ".join(f.code(a.name) for a in later[:6])
        more = f" +{len(later) - 6}" if len(later) > 6 else ""
        parts.append(f"{KNOWN_AFTER_APPLY.strip('()')}: {names_later}{more}")
    return parts


# --------------------------------------------------------------------------------------------------
# Security-relevant changes
# --------------------------------------------------------------------------------------------------


def is_security_type(rtype: str) -> bool:
    return rtype in SECURITY_TYPES or rtype.startswith(SECURITY_PREFIXES) or rtype.endswith(SECURITY_SUFFIXES)


def is_security_relevant(change: Change) -> bool:
    if change.mode != "managed" or change.category in ("no-op", "read", "move"):
        return False
    if change.category in ("create", "delete", "replace", "forget", "import", "other"):
        if is_security_type(change.type):
            return True
        side = "after" if change.category != "delete" else "before"
        return any(
            getattr(a, side) not in EMPTY_VALUES and not (a.unknown and side == "after")
            for name, a in change.attrs.items()
            if _is_policy_attr(name)
        )
    changed = {a.name for a in change.changed_attrs() if not (a.unknown and a.name in COMPUTED_MIRRORS)}
    if changed & SECURITY_ATTRS:
        return True
    return is_security_type(change.type) and bool(changed - COSMETIC_ATTRS)


def _is_policy_attr(name: str) -> bool:
    return name in ("policy", "assume_role_policy", "key_policy", "access_policies", "inline_policy")


@dataclass(frozen=True)
class PolicyFacts:
    """What a policy document grants or denies, flattened for diffing."""

    actions: frozenset[str]  # "Allow sqs:SendMessage", "Deny s3:*", "Allow NOT iam:*"
    principals: frozenset[str]  # "Allow AWS:arn:...", "Allow *"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def policy_facts(document: Any) -> PolicyFacts | None:
    """Facts from a JSON policy string (or an inline_policy list of {name, policy}); None if not one."""
    docs: list[Any] = []
    if isinstance(document, list):
        for item in document:
            if isinstance(item, dict) and isinstance(item.get("policy"), str):
                docs.append(item["policy"])
    else:
        docs.append(document)
    actions: set[str] = set()
    principals: set[str] = set()
    parsed_any = False
    for doc in docs:
        if isinstance(doc, str):
            try:
                doc = json.loads(doc) if doc.strip() else None
            except json.JSONDecodeError:
                return None
        if doc is None:
            parsed_any = True
            continue
        if not isinstance(doc, dict) or "Statement" not in doc:
            return None
        parsed_any = True
        for st in _as_list(doc["Statement"]):
            if not isinstance(st, dict):
                continue
            effect = str(st.get("Effect", "Allow"))
            actions.update(f"{effect} {a}" for a in _as_list(st.get("Action")))
            actions.update(f"{effect} NOT {a}" for a in _as_list(st.get("NotAction")))
            principal = st.get("Principal")
            if principal == "*":
                principals.add(f"{effect} *")
            elif isinstance(principal, dict):
                for kind, ids in principal.items():
                    principals.update(f"{effect} {kind}:{i}" for i in _as_list(ids))
    if not parsed_any:
        return None
    return PolicyFacts(frozenset(actions), frozenset(principals))


def _fmt_facts(items: Iterable[str], f: Fmt, limit: int = 15) -> str:
    ordered = sorted(items)
    text = ", ".join(f.code(i) for i in ordered[:limit])
    return text + (f" +{len(ordered) - limit} more" if len(ordered) > limit else "")


def _wildcard_warnings(actions: Iterable[str], principals: Iterable[str]) -> list[str]:
    warnings = []
    for a in sorted(actions):
        effect, _, action = a.partition(" ")
        if effect == "Allow" and (action == "*" or action.endswith(":*") or action.startswith("NOT ")):
            warnings.append(f"wildcard action {action}")
    for p in sorted(principals):
        effect, _, who = p.partition(" ")
        if effect == "Allow" and who in ("*", "AWS:*"):
            warnings.append("any principal (*)")
    return warnings


def describe_policy(attr: Attr, category: str, f: Fmt) -> list[str]:
    label = f.code(attr.name)
    if attr.sensitive:
        return [f"{label}: {SENSITIVE}"]
    before = policy_facts(attr.before) if category != "create" else PolicyFacts(frozenset(), frozenset())
    if attr.unknown:
        if category == "create" or before is None or not (before.actions or before.principals):
            return [f"{label}: {KNOWN_AFTER_APPLY}"]
        return [f"{label}: {KNOWN_AFTER_APPLY} (was: {_fmt_facts(before.actions, f)})"]
    after = policy_facts(attr.after) if category != "delete" else PolicyFacts(frozenset(), frozenset())
    if before is None or after is None:
        return [label]  # not a policy document after all
    added, removed = after.actions - before.actions, before.actions - after.actions
    p_added, p_removed = after.principals - before.principals, before.principals - after.principals
    if category == "create":
        lines = [(label, after.actions), (f"{label} principals:", after.principals)]
    elif category == "delete":
        lines = [(f"{label} removed:", before.actions)]
    else:
        lines = [
            (f"{label} actions added:", added),
            (f"{label} actions removed:", removed),
            (f"{label} principals added:", p_added),
            (f"{label} principals removed:", p_removed),
        ]
    out = [f"{text.rstrip(':')}: {_fmt_facts(items, f)}" for text, items in lines if items]
    if category not in ("create", "delete") and not out and attr.before != attr.after:
        out.append(f"{label}: same actions and principals (resources or conditions changed)")
    if category != "delete":
        out += [_warn(w, f) for w in _wildcard_warnings(added, p_added)]
    return out


def _warn(text: str, f: Fmt) -> str:
    return f.strong(f"⚠ {text}") if f.markdown else f"WARNING: {text}"


def describe_rule(change: Change, f: Fmt) -> list[str]:
    """`ingress tcp 443 from 10.0.0.0/8` for security group rule resources."""
    after = change.category != "delete"
    direction = "egress" if "egress" in change.type else "ingress"
    if change.type == "aws_security_group_rule":
        value, _, _ = change.side("type", after)
        direction = str(value or direction)
    values: dict[str, str] = {}
    for name in (
        "ip_protocol",
        "protocol",
        "from_port",
        "to_port",
        "cidr_ipv4",
        "cidr_ipv6",
        "cidr_blocks",
        "ipv6_cidr_blocks",
        "referenced_security_group_id",
        "source_security_group_id",
        "prefix_list_id",
    ):
        value, sensitive, unknown = change.side(name, after)
        if sensitive:
            values[name] = SENSITIVE
        elif unknown and value is None:
            values[name] = KNOWN_AFTER_APPLY
        elif value not in (None, "", []):
            values[name] = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    if not values:
        return []
    proto = values.get("ip_protocol") or values.get("protocol", "?")
    proto = "all" if proto == "-1" else proto
    ports = values.get("from_port", "")
    if values.get("to_port") and values.get("to_port") != ports:
        ports = f"{ports}-{values['to_port']}"
    peers = [
        values[k]
        for k in (
            "cidr_ipv4",
            "cidr_ipv6",
            "cidr_blocks",
            "ipv6_cidr_blocks",
            "referenced_security_group_id",
            "source_security_group_id",
            "prefix_list_id",
        )
        if k in values
    ]
    peer = ", ".join(peers) or "?"
    text = (
        f"{direction} {proto}{' ' + ports if ports and proto != 'all' else ''} "
        + ("from " if direction == "ingress" else "to ")
        + peer
    )
    out = [("removes " if change.category == "delete" else "") + f.code(text)]
    if direction == "ingress" and change.category != "delete" and any(c in peer for c in WORLD_CIDRS):
        out.append(_warn("open to the internet", f))
    return out


def _policy_notes(change: Change, f: Fmt) -> list[str]:
    notes: list[str] = []
    for name, attr in change.attrs.items():
        if not _is_policy_attr(name) or (attr.unknown and name in COMPUTED_MIRRORS):
            continue
        if change.category in ("update", "replace") and not attr.changed:
            continue
        if change.category == "create" and attr.after in (None, "", []) and not attr.unknown:
            continue
        if change.category == "delete" and attr.before in (None, "", []):
            continue
        notes += describe_policy(attr, change.category, f)
    return notes


def _permission_notes(change: Change, f: Fmt) -> list[str]:
    """Who may invoke a Lambda function, and whether the grant is scoped to a source ARN."""
    principal, sens, _ = change.side("principal")
    source, _, source_unknown = change.side("source_arn")
    if sens or not principal:
        return []
    notes = [f"principal {f.code(str(principal))}"]
    if str(principal).endswith(".amazonaws.com") and not source and not source_unknown:
        notes.append(_warn("no source_arn", f))
    return notes


def describe_security(change: Change, f: Fmt) -> list[str]:
    notes: list[str] = []
    rule_types = ("_security_group_ingress_rule", "_security_group_egress_rule", "aws_security_group_rule")
    if change.type.endswith(rule_types):
        notes += describe_rule(change, f)
    notes += _policy_notes(change, f)
    if change.type == "aws_lambda_permission" and change.category != "delete":
        notes += _permission_notes(change, f)
    if change.category in ("update", "replace"):
        policy_or_rule = {n for n in change.attrs if _is_policy_attr(n)}
        others = [a for a in change.changed_attrs() if a.name not in policy_or_rule]
        if others and not notes:
            notes += changed_attr_summary(change, f, limit=6)
        elif others:
            extra = [
                a
                for a in others
                if a.forces_replacement or (a.name in SECURITY_ATTRS and not (a.unknown and a.after is None))
            ]
            notes += [describe_attr(a, f) for a in extra]
    elif change.category == "create" and change.type.endswith("public_access_block"):
        flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
        off = [name for name in flags if change.side(name)[0] is False]
        notes += [_warn(f"{name} = false", f) for name in off]
        if not off and all(change.side(name)[0] is True for name in flags):
            notes.append("all public access blocked")
    return notes


# --------------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------------


def row_detail(change: Change, f: Fmt) -> list[str]:
    parts: list[str] = []
    if change.category in ("update", "replace", "other", "import"):
        parts += changed_attr_summary(change, f)
    if change.category == "other":
        parts.insert(0, "actions: " + f.code(", ".join(change.actions)))
    if change.category == "create":
        for name in IDENTITY_ATTRS:
            value, sensitive, unknown = change.side(name)
            short = _short(value, limit=60)
            if value is not None and short is not None and not sensitive and not unknown:
                parts.append(f"{f.code(name)} {f.code(short)}")
                break
    if change.importing_id is not None:
        parts.insert(0, "import id " + f.code(change.importing_id))
    if change.previous_address:
        parts.insert(0, "moved from " + f.code(change.previous_address))
    if change.deposed:
        parts.append(f"deposed object {f.code(change.deposed)}")
    if change.reason:
        parts.append(change.reason)
    return parts


class Renderer:
    def __init__(
        self, fmt: str, max_rows: int, code: list[TargetDiff] | None = None, code_note: str = ""
    ) -> None:
        self.f = Fmt(markdown=fmt == "markdown")
        self.code = code
        self.code_note = code_note
        self.max_rows = max_rows
        self.lines: list[str] = []

    def heading(self, text: str, level: int = 3) -> None:
        if self.f.markdown:
            self.lines += ["", f"{'#' * level} {text}", ""]
        else:
            self.lines += ["", text, "-" * len(text)]

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        shown = rows if self.max_rows <= 0 else rows[: self.max_rows]
        if self.f.markdown:
            self.lines.append("| " + " | ".join(header) + " |")
            self.lines.append("|" + "|".join("---" for _ in header) + "|")
            for row in shown:
                self.lines.append("| " + " | ".join(c.replace("\n", "<br>") for c in row) + " |")
        else:
            for row in shown:
                first, *rest = row
                self.lines.append(f"  {first}")
                for cell in rest:
                    for piece in cell.split("\n"):
                        if piece:
                            self.lines.append(f"      {piece}")
        if len(rows) > len(shown):
            self.lines.append(f"{'' if self.f.markdown else '  '}... and {len(rows) - len(shown)} more")

    def details(self, summary: str) -> None:
        if self.f.markdown:
            self.lines += ["", f"<details><summary>{summary}</summary>", ""]
        else:
            self.heading(summary)

    def end_details(self) -> None:
        if self.f.markdown:
            self.lines += ["", "</details>"]

    def row(self, symbol: str, change: Change, cells: list[str], notes: list[str]) -> list[str]:
        """A table row: markdown cells joined by <br>, or the text layout (address line + note lines)."""
        f = self.f
        if f.markdown:
            return [*cells, "<br>".join(f.cell(n) for n in notes) or "—"]
        return [f"{symbol} {change.address}".strip(), "\n".join(notes)]

    def render(self, plan: Plan, title: str | None) -> str:
        self.render_header(plan, title)
        self.render_code(plan)
        self.render_security(plan)
        for category, symbol, label in SECTIONS:
            self.render_section(plan, category, symbol, label)
        self.render_drift(plan)
        self.render_outputs(plan)
        return "\n".join(self.lines).strip("\n") + "\n"

    def render_header(self, plan: Plan, title: str | None) -> None:
        f = self.f
        if title:
            self.lines += [f"## {title}" if f.markdown else title, ""]
        v = verdict(plan)
        self.lines.append(v if v.startswith("No ") else f.strong(v))
        facts = [f"Terraform {plan.terraform_version}"]
        if plan.count("read"):
            facts.append(_plural(plan.count("read"), "data source") + " read during apply")
        if plan.count("no-op"):
            facts.append(f"{plan.count('no-op')} unchanged")
        if plan.drift:
            facts.append(f"{len(plan.drift)} changed outside Terraform")
        self.lines += ["", " · ".join(facts) if f.markdown else "; ".join(facts)]
        replaced = plan.by_category("replace")
        if replaced:
            types: dict[str, int] = {}
            for c in replaced:
                types[c.type] = types.get(c.type, 0) + 1
            kinds = ", ".join(f"{n} {f.code(t)}" for t, n in sorted(types.items()))
            self.lines += [
                "",
                f"Replacements: {len(replaced)} ({kinds}), each destroyed and re-created",
            ]
        for c in replaced:
            if c.type in REPLACE_WARNINGS:
                self.lines += ["", f.strong(f"⚠ {c.address} is replaced: {REPLACE_WARNINGS[c.type]}.")]
        if plan.errored:
            self.lines += ["", f.strong("⚠ The plan errored: this summary is partial.")]
        if not plan.complete:
            warning = "⚠ The plan is incomplete (deferred changes or -target): apply may not converge."
            self.lines += ["", f.strong(warning)]

    def render_code(self, plan: Plan) -> None:
        """Which files changed in each function and layer zip (base vs head build manifest)."""
        f = self.f
        if self.code is None:
            if self.code_note:
                self.lines += ["", self.code_note]
            return
        self.heading(f"Code changes ({len(self.code)})" if self.code else "Code changes")
        if not self.code:
            self.lines.append("No function or layer zip changed.")
            return
        rows = []
        for d in self.code:
            label = f"{d.kind[:-1]} {d.name}"
            notes: list[str] = []
            if d.status in ("added", "removed"):
                notes.append(f"zip {d.status}")
            if d.unknown_files:
                notes.append("files unknown (a manifest without per-file hashes)")
            if d.builder_only:
                notes.append(f.strong("builder change: zip bytes differ, no file changed"))
            for word, paths in (("added", d.added), ("removed", d.removed), ("modified", d.modified)):
                if paths:
                    # a layer's dist-info files say no more than its "distributions" line
                    named = [p for p in paths if ".dist-info/" not in p] if d.kind == "layers" else paths
                    shown = named[: 5 if d.kind == "layers" else 10]
                    more = f" and {len(paths) - len(shown)} more" if len(paths) > len(shown) else ""
                    notes.append(f"{word} ({len(paths)}): " + ", ".join(f.code(p) for p in shown) + more)
            if d.dists:
                notes.append("distributions: " + ", ".join(d.dists))
            if d.layers_changed:
                notes.append("layer changed: " + ", ".join(d.layers_changed))
            elif d.kind == "functions":
                notes.append("layers unchanged")
            if f.markdown:
                rows.append([f.code(label), "<br>".join(notes)])
            else:
                rows.append([label, "\n".join(notes)])
        self.table(["Target", "What changed"], rows)

    def render_security(self, plan: Plan) -> None:
        f = self.f
        security = [c for c in plan.changes if is_security_relevant(c)]
        if not security:
            return
        order = {k: i for i, (k, _, _) in enumerate(SECTIONS)}
        security.sort(key=lambda c: (order.get(c.category, 99), c.address))
        self.heading(("⚠️ " if f.markdown else "") + f"Security-relevant changes ({len(security)})")
        rows = []
        for c in security:
            symbol = next((s for k, s, _ in SECTIONS if k == c.category), "?")
            rows.append(self.row(symbol, c, [f.code(symbol), f.code(c.address)], describe_security(c, f)))
        self.table(["", "Address", "What changes"], rows)

    def render_section(self, plan: Plan, category: str, symbol: str, label: str) -> None:
        f = self.f
        changes = plan.by_category(category)
        if not changes:
            return
        collapse = category == "read"
        title_text = f"{label} ({len(changes)})"
        if collapse:
            self.details(title_text if f.markdown else f"{symbol} {title_text}")
        else:
            self.heading(f"{f.code(symbol)} {title_text}" if f.markdown else f"{symbol} {title_text}")
        rows = [self.row(symbol, c, [f.code(c.address), f.code(c.type)], row_detail(c, f)) for c in changes]
        self.table(["Address", "Type", "Details"], rows)
        if collapse:
            self.end_details()

    def render_drift(self, plan: Plan) -> None:
        f = self.f
        if not plan.drift:
            return
        self.details(f"Changed outside Terraform ({len(plan.drift)})")
        rows = []
        for c in plan.drift:
            detail = changed_attr_summary(c, f) if c.category == "update" else [f.code(", ".join(c.actions))]
            rows.append(self.row("", c, [f.code(c.address)], detail))
        self.table(["Address", "Changed attributes"], rows)
        self.end_details()

    def render_outputs(self, plan: Plan) -> None:
        f = self.f
        outputs = [o for o in plan.outputs if o.actions not in ([], ["no-op"])]
        if not outputs:
            return
        self.details(f"Output changes ({len(outputs)})")
        rows = []
        for o in outputs:
            if o.sensitive:
                value = SENSITIVE
            elif o.unknown:
                value = KNOWN_AFTER_APPLY
            elif "delete" in o.actions:
                value = "removed"
            else:
                short = _short(o.after, limit=80)
                value = f.code(short) if short is not None else "(changed)"
            rows.append([f.code(o.name), f.code(", ".join(o.actions)), value])
        self.table(["Output", "Action", "New value"], rows)
        self.end_details()


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def truncate(text: str, max_chars: int) -> str:
    if max_chars <= 0 or len(text) <= max_chars:
        return text
    note = f"\n\n... summary truncated ({len(text)} characters); see the full plan in the CI artifact.\n"
    cut = text.rfind("\n", 0, max_chars - len(note))
    return text[: cut if cut > 0 else max_chars - len(note)] + note


def summarize(
    text: str,
    fmt: str = "markdown",
    max_rows: int = DEFAULT_MAX_ROWS,
    title: str | None = None,
    max_chars: int = DEFAULT_MAX_CHARS,
    base_manifest: str | None = None,
    head_manifest: str | None = None,
) -> str:
    plan = load_plan(text)
    code: list[TargetDiff] | None = None
    note = ""
    if base_manifest or head_manifest:
        base = load_manifest_file(base_manifest) if base_manifest else None
        head = load_manifest_file(head_manifest) if head_manifest else None
        if base is None or head is None:
            missing = base_manifest if base is None else head_manifest
            note = (
                f"Code changes: build manifest {missing or '(not given)'} not available; files not compared."
            )
        elif (base.get("arch"), base.get("python")) != (head.get("arch"), head.get("python")):
            note = "Code changes: the base and head manifests are for different targets; files not compared."
        else:
            code = diff_manifests(base, head)
    return truncate(Renderer(fmt, max_rows, code, note).render(plan, title), max_chars)


def _read(paths: list[str]) -> Iterator[str]:
    if not paths or paths == ["-"]:
        yield sys.stdin.read()
        return
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            yield fh.read()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "plan", nargs="?", default="-", help="plan JSON file (`terraform show -json plan.out`); - = stdin"
    )
    parser.add_argument("--format", choices=("markdown", "text"), default="markdown")
    parser.add_argument(
        "--max-rows",
        type=int,
        default=DEFAULT_MAX_ROWS,
        metavar="N",
        help=f"rows per table before '... and N more' (default {DEFAULT_MAX_ROWS}; 0 = all)",
    )
    parser.add_argument(
        "--max-chars",
        type=int,
        default=DEFAULT_MAX_CHARS,
        metavar="N",
        help=f"cut the whole summary at N characters (default {DEFAULT_MAX_CHARS}, under GitHub's "
        "comment limit; 0 = no limit)",
    )
    parser.add_argument("--title", help="heading printed above the verdict (e.g. the environment)")
    parser.add_argument(
        "--base-manifest", help="build/manifest.json of the base commit: name the changed files"
    )
    parser.add_argument(
        "--head-manifest", help="build/manifest.json of the head commit (with --base-manifest)"
    )
    args = parser.parse_args(argv)
    try:
        text = next(_read([args.plan]))
        out = summarize(
            text,
            args.format,
            args.max_rows,
            args.title,
            args.max_chars,
            args.base_manifest,
            args.head_manifest,
        )
    except (PlanError, OSError, UnicodeDecodeError) as e:
        print(f"plan_summary: error: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
