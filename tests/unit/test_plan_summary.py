"""scripts/plan_summary.py on real plans (tests/fixtures/plans/*.json, made by generate.sh with terraform)."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLANS = ROOT / "tests" / "fixtures" / "plans"
SCRIPT = ROOT / "scripts" / "plan_summary.py"
SECRET_MARKER = "DO-NOT-PRINT"  # both values of the fixture's sensitive variable contain it
FIXTURES = ["create-all", "update-in-place", "replace-iam", "empty", "destroy-empty-state", "root-create-all"]


def _load_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("plan_summary", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["plan_summary"] = module
    spec.loader.exec_module(module)
    return module


ps = _load_module()


def raw(name: str) -> str:
    return (PLANS / f"{name}.json").read_text()


def plan_json(name: str) -> dict[str, Any]:
    return json.loads(raw(name))


def summary(name_or_data: str | dict[str, Any], **kwargs: Any) -> str:
    text = raw(name_or_data) if isinstance(name_or_data, str) else json.dumps(name_or_data)
    return ps.summarize(text, **kwargs)


def section(text: str, heading: str) -> str:
    """The lines of one `### ...` section (up to the next heading or details block)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("### ") and heading in line)
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].startswith(("### ", "<details>"))), len(lines)
    )
    return "\n".join(lines[start:end])


def rc(data: dict[str, Any], address: str) -> dict[str, Any]:
    return next(r for r in data["resource_changes"] if r["address"] == address)


# ---------------------------------------------------------------------------------------------------
# Fixtures are real terraform output, and the counts agree with terraform's own summary line
# ---------------------------------------------------------------------------------------------------


def terraform_lines() -> dict[str, str]:
    rows = (PLANS / "terraform-summary.tsv").read_text().splitlines()
    return dict(line.split("\t", 1) for line in rows if line and not line.startswith("#"))


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_is_terraform_plan_json(name: str) -> None:
    data = plan_json(name)
    assert data["format_version"].startswith("1.")
    assert data["terraform_version"]
    assert "planned_values" in data


@pytest.mark.parametrize("name", FIXTURES)
def test_counts_agree_with_terraform(name: str) -> None:
    line = terraform_lines()[f"{name}.json"]
    plan = ps.load_plan(raw(name))
    if line.startswith("No changes"):
        assert ps.verdict(plan) == "No changes."
        return
    m = re.match(r"Plan: (\d+) to add, (\d+) to change, (\d+) to destroy\.", line)
    assert m, line
    add, change, destroy = map(int, m.groups())
    # terraform counts a replacement once as an add and once as a destroy; the summary shows it apart
    assert plan.count("create") + plan.count("replace") == add
    assert plan.count("update") == change
    assert plan.count("delete") + plan.count("replace") == destroy


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("create-all", "**17 to add, 0 to change, 0 to replace, 0 to destroy**"),
        ("update-in-place", "**1 to add, 10 to change, 0 to replace, 0 to destroy**"),
        ("replace-iam", "**1 to add, 1 to change, 4 to replace, 4 to destroy**"),
        ("empty", "No changes."),
        ("destroy-empty-state", "No changes."),
    ],
)
def test_verdict_is_the_first_line(name: str, expected: str) -> None:
    assert summary(name).splitlines()[0] == expected
    assert summary(name, fmt="text").splitlines()[0] == expected.strip("*")


def test_title_goes_above_the_verdict() -> None:
    lines = summary("empty", title="Terraform plan: production").splitlines()
    assert lines[0] == "## Terraform plan: production"
    assert lines[2] == "No changes."


# ---------------------------------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------------------------------


def test_replacements_and_deletions_come_first() -> None:
    text = summary("replace-iam")
    order = [
        text.index(h) for h in ("Security-relevant", "Replace (4)", "Destroy (4)", "Update in place (1)")
    ]
    order.append(text.index("Create (1)"))
    assert order == sorted(order)


def test_replace_rows_name_the_attribute_forcing_it() -> None:
    replace = section(summary("replace-iam"), "Replace (4)")
    assert '`hash_key` `"jobId"` → `"id"` **forces replacement**' in replace
    assert '`name` `"plan-fixture-worker"` → `"plan-fixture-processor"` **forces replacement**' in replace
    # role of the inline policies is unknown until the new role exists
    assert '`role` `"plan-fixture-worker"` → (known after apply) **forces replacement**' in replace


def test_destroy_rows_say_why() -> None:
    destroy = section(summary("replace-iam"), "Destroy (4)")
    assert "`aws_sqs_queue.audit[0]`" in destroy
    assert "count index no longer exists" in destroy
    assert "for_each key no longer exists" in destroy


def test_update_rows_show_changed_attributes_with_values() -> None:
    update = section(summary("update-in-place"), "Update in place (10)")
    assert "`visibility_timeout_seconds` `60` → `120`" in update
    assert "`tags` (+cost_center)" in update
    assert "tags_all" not in update  # mirrors tags: not repeated
    assert "known after apply: `insecure_value`, `version`" in update


def test_no_op_entries_are_not_listed() -> None:
    text = summary("empty")
    assert "### " not in text  # no action sections at all
    assert "17 unchanged" in text
    assert "aws_dynamodb_table.jobs" not in text


def test_data_source_reads_are_counted_apart() -> None:
    text = summary("create-all")
    assert "1 data source read during apply" in text
    assert "<details><summary>Read during apply (data sources) (1)</summary>" in text
    assert "`data.aws_iam_policy_document.uploads`" in text
    assert "configuration known only after apply" in text


def test_drift_section() -> None:
    text = summary("update-in-place")
    assert "5 changed outside Terraform" in text
    assert "<details><summary>Changed outside Terraform (5)</summary>" in text
    assert "`aws_sns_topic.events` | `tags` (~owner)" in text  # the out-of-band tag change


def test_markdown_tables_are_well_formed() -> None:
    for name in FIXTURES:
        for line in summary(name).splitlines():
            if line.startswith("|"):
                cells = re.split(r"(?<!\\)\|", line)[1:-1]
                assert len(cells) == 3 or len(cells) == 2, line


def test_text_format_has_no_markdown() -> None:
    text = summary("replace-iam", fmt="text")
    assert "|" not in text and "**" not in text and "`" not in text and "<br>" not in text
    assert "Security-relevant changes (7)" in text
    assert "  -/+ aws_iam_role_policy.worker" in text
    assert "policy actions added: Allow sqs:ChangeMessageVisibility" in text


# ---------------------------------------------------------------------------------------------------
# Security-relevant changes
# ---------------------------------------------------------------------------------------------------


def test_iam_policy_action_diff_on_replacement() -> None:
    security = section(summary("replace-iam"), "Security-relevant changes")
    row = next(line for line in security.splitlines() if "`aws_iam_role_policy.worker`" in line)
    assert row.startswith("| `-/+` |")
    assert "`policy` actions added: `Allow sqs:ChangeMessageVisibility`" in row
    assert "`policy` actions removed: `Allow sqs:GetQueueAttributes`" in row
    assert "sqs:ReceiveMessage" not in row  # unchanged actions are not repeated


def test_unknown_policy_is_known_after_apply_with_what_it_was() -> None:
    security = section(summary("replace-iam"), "Security-relevant changes")
    row = next(line for line in security.splitlines() if "`aws_iam_role_policy.table`" in line)
    assert "`policy`: (known after apply) (was: `Allow dynamodb:GetItem`, `Allow dynamodb:PutItem`)" in row
    created = section(summary("create-all"), "Security-relevant changes")
    assert "| `+` | `aws_iam_role_policy.worker` | `policy`: (known after apply) |" in created


def test_security_section_contents() -> None:
    created = section(summary("create-all"), "Security-relevant changes")
    assert "`assume_role_policy`: `Allow sts:AssumeRole`" in created
    assert "`assume_role_policy` principals: `Allow Service:lambda.amazonaws.com`" in created
    assert "`ingress tcp 443 from 10.0.0.0/16`" in created
    assert "`egress all to 0.0.0.0/0`" in created
    assert "all public access blocked" in created
    # buckets/queues/topics are not security changes just because their computed policy is unknown
    assert "`aws_s3_bucket.uploads`" not in created and "`aws_sqs_queue.jobs`" not in created
    replaced = section(summary("replace-iam"), "Security-relevant changes")
    assert "`policy` removed: `Allow sqs:SendMessage`" in replaced  # queue policy destroyed
    assert "removes `ingress tcp 443 from 10.0.0.0/16`" in replaced
    assert "aws_dynamodb_table" not in replaced


def test_tag_only_change_on_a_role_is_not_security_relevant() -> None:
    security = section(summary("update-in-place"), "Security-relevant changes")
    assert "aws_iam_role.worker" not in security
    assert "`ingress tcp 443 from 192.168.0.0/24`" in security


def _with_policy(after_policy: dict[str, Any]) -> dict[str, Any]:
    data = plan_json("replace-iam")
    change = rc(data, "aws_iam_role_policy.worker")["change"]
    change["after"]["policy"] = json.dumps(after_policy)
    change["after_unknown"].pop("policy", None)
    return data


def test_wildcards_are_flagged() -> None:
    data = _with_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["s3:*", "sqs:ReceiveMessage"], "Resource": "*"},
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*", "Resource": "*"},
            ],
        }
    )
    text = summary(data)
    assert "**⚠ wildcard action s3:\\*" in text or "**⚠ wildcard action s3:*" in text
    assert "**⚠ any principal (*)**" in text
    assert "WARNING: wildcard action s3:*" in summary(data, fmt="text")


def test_open_ingress_is_flagged() -> None:
    data = plan_json("replace-iam")
    change = rc(data, 'aws_vpc_security_group_ingress_rule.https["10.0.0.0/8"]')["change"]
    change["after"]["cidr_ipv4"] = "0.0.0.0/0"
    assert "**⚠ open to the internet**" in summary(data)


# ---------------------------------------------------------------------------------------------------
# Sensitive and unknown values
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FIXTURES)
@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_sensitive_values_are_never_printed(name: str, fmt: str) -> None:
    if name not in ("destroy-empty-state", "root-create-all"):
        assert SECRET_MARKER in raw(name)  # terraform does put it in the JSON
    assert SECRET_MARKER not in summary(name, fmt=fmt, max_rows=0, max_chars=0)


def test_sensitive_attribute_and_output_show_as_sensitive() -> None:
    text = summary("update-in-place")
    row = next(line for line in text.splitlines() if "`aws_ssm_parameter.token`" in line)
    assert "`value` (sensitive)" in row
    assert "| `api_token` | `update` | (sensitive) |" in text


def test_sensitive_policy_is_not_parsed_into_actions() -> None:
    data = plan_json("replace-iam")
    change = rc(data, "aws_iam_role_policy.worker")["change"]
    change["before_sensitive"] = {"policy": True}
    change["after_sensitive"] = {"policy": True}
    security = section(summary(data), "Security-relevant changes")
    row = next(line for line in security.splitlines() if "`aws_iam_role_policy.worker`" in line)
    assert "`policy`: (sensitive)" in row
    assert "sqs:" not in row


def test_sensitive_map_element_hides_the_whole_attribute() -> None:
    data = plan_json("update-in-place")
    change = rc(data, "aws_sqs_queue.jobs")["change"]
    change["after"]["tags"]["token"] = "hunter2-" + SECRET_MARKER
    change["after_sensitive"]["tags"] = {"token": True}
    text = summary(data, max_rows=0)
    assert SECRET_MARKER not in text
    row = next(line for line in text.splitlines() if "`aws_sqs_queue.jobs`" in line)
    assert "`tags` (sensitive)" in row


def test_whole_object_sensitive_mark() -> None:
    data = plan_json("update-in-place")
    change = rc(data, "aws_sqs_queue.jobs")["change"]
    change["before_sensitive"] = True
    change["after_sensitive"] = True
    row = next(line for line in summary(data).splitlines() if "`aws_sqs_queue.jobs`" in line)
    assert "`visibility_timeout_seconds` (sensitive)" in row
    assert "120" not in row


def test_unknown_outputs_are_known_after_apply() -> None:
    assert "| `jobs_queue_url` | `create` | (known after apply) |" in summary("create-all")


# ---------------------------------------------------------------------------------------------------
# Truncation
# ---------------------------------------------------------------------------------------------------


def test_max_rows_truncates_each_table_with_a_count() -> None:
    create = section(summary("create-all", max_rows=3), "Create (17)")
    assert len([line for line in create.splitlines() if line.startswith("| `")]) == 3
    assert "... and 14 more" in create
    full = section(summary("create-all", max_rows=0), "Create (17)")
    assert len([line for line in full.splitlines() if line.startswith("| `")]) == 17
    assert "more" not in full


def test_default_max_rows_is_50() -> None:
    data = plan_json("create-all")
    template = rc(data, "aws_sqs_queue.jobs")
    for i in range(120):
        clone = copy.deepcopy(template)
        clone["address"] = f"aws_sqs_queue.bulk[{i}]"
        data["resource_changes"].append(clone)
    text = summary(data)
    assert text.splitlines()[0] == "**137 to add, 0 to change, 0 to replace, 0 to destroy**"
    create = section(text, "Create (137)")
    assert len([line for line in create.splitlines() if line.startswith("| `")]) == 50
    assert "... and 87 more" in create


def test_max_chars_cuts_the_whole_summary() -> None:
    text = summary("create-all", max_chars=1500)
    assert len(text) <= 1500
    assert text.startswith("**17 to add")
    assert "summary truncated" in text


# ---------------------------------------------------------------------------------------------------
# Robustness: other action lists, imports, moves, errors
# ---------------------------------------------------------------------------------------------------


def test_forget_import_move_and_unknown_actions() -> None:
    data = plan_json("empty")
    rc(data, "aws_sqs_queue.jobs")["change"]["actions"] = ["forget"]
    rc(data, "aws_sns_topic.events")["change"]["importing"] = {"id": "arn:aws:sns:us-east-1:1:t"}
    moved = rc(data, "aws_vpc.this")
    moved["previous_address"] = "aws_vpc.main"
    rc(data, "aws_dynamodb_table.jobs")["change"]["actions"] = ["frobnicate"]
    text = summary(data)
    assert text.splitlines()[0] == (
        "**0 to add, 0 to change, 0 to replace, 0 to destroy, 1 to import, 1 to forget, 1 to move, "
        "1 with other actions**"
    )
    assert "Forget (removed from state, not destroyed) (1)" in text
    assert "import id `arn:aws:sns:us-east-1:1:t`" in text
    assert "moved from `aws_vpc.main`" in text
    assert "actions: `frobnicate`" in text


def test_plan_with_only_output_changes() -> None:
    data = plan_json("empty")
    data["output_changes"]["jobs_queue_url"]["actions"] = ["update"]
    assert summary(data).splitlines()[0] == "No resource changes; 1 output to change."


def test_errored_and_incomplete_plans_say_so() -> None:
    data = plan_json("update-in-place")
    data["errored"] = True
    data["complete"] = False
    text = summary(data)
    assert "The plan errored" in text and "The plan is incomplete" in text


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ("", "empty input"),
        ("{not json", "not JSON"),
        ("[1, 2]", "no format_version"),
        ('{"format_version": "1.0", "terraform_version": "1.11.4", "values": {}}', "not a plan"),
        ('{"format_version": "1.2", "resource_changes": [{"address": "x"}]}', "no 'change' object"),
        ('{"format_version": "1.2", "resource_changes": [{"change": {"actions": "create"}}]}', "not a list"),
    ],
)
def test_malformed_input_exits_2(
    payload: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(payload)
    assert ps.main([str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "plan_summary: error:" in captured.err and message in captured.err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ps.main([str(tmp_path / "nope.json")]) == 2
    assert "No such file" in capsys.readouterr().err


def test_cli_reads_stdin() -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--format", "text", "--max-rows", "2"],
        input=raw("replace-iam"),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("1 to add, 1 to change, 4 to replace, 4 to destroy\n")
    assert "... and 2 more" in proc.stdout


def test_cli_bad_format_is_a_usage_error() -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--format", "html", str(PLANS / "empty.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2


def test_root_module_plan() -> None:
    """The project's root module planned from scratch (counts from terraform's line: the root evolves)."""
    m = re.match(r"Plan: (\d+) to add", terraform_lines()["root-create-all.json"])
    assert m
    added = int(m.group(1))
    text = summary("root-create-all")
    assert text.splitlines()[0] == f"**{added} to add, 0 to change, 0 to replace, 0 to destroy**"
    security = section(text, "Security-relevant changes")
    assert re.search(r"`aws_iam_role_policy\.[^`]+` \| `policy`: `Allow [a-z0-9-]+:[A-Za-z]+`", security)
    create = section(text, f"Create ({added})")
    assert len([line for line in create.splitlines() if line.startswith("| `")]) == min(added, 50)
    if added > 50:
        assert f"... and {added - 50} more" in create
    assert len(text) < ps.DEFAULT_MAX_CHARS
