"""End to end, after every pipeline test and before the destroy: the pipeline's roles needed nothing they
lack. The embedded LocalStack evaluated each call of our functions, the state machine and the event source
mapping pollers against their roles (sp_localstack/iam_enforcement.py); its report must show no denied and
no unmapped call for any role of the stack, and no refused delivery to a stack resource.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.register_assert_rewrite("pipeline_helpers")

from conftest import LocalStack, iam_report  # noqa: E402
from pipeline_helpers import Stack  # noqa: E402

pytest_plugins = ["pipeline_helpers"]

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


@pytest.fixture(scope="module")
def report(localstack: LocalStack) -> dict[str, Any]:
    found = iam_report(localstack)
    if found is None or found.get("mode") == "off":
        pytest.skip("no IAM report: LocalStack runs elsewhere or with IAM_ENFORCEMENT=off")
    return found


def stack_prefix(stack: Stack) -> str:
    return str(stack["function_names"]["ingest"]).removesuffix("-ingest")  # <project>-<environment>


def test_pipeline_roles_were_evaluated(report: dict[str, Any], stack: Stack) -> None:
    prefix = stack_prefix(stack)
    called = {name: role["calls"] for name, role in report["roles"].items() if name.startswith(prefix)}
    assert called, f"no role of {prefix} made an evaluated call: {sorted(report['roles'])}"
    for function in ("ingest", "thumbnail", "orders_api"):
        name = str(stack["function_names"][function])
        assert any(role.startswith(name) and calls for role, calls in called.items()), (function, called)


def test_no_denied_or_unmapped_call_for_pipeline_roles(report: dict[str, Any], stack: Stack) -> None:
    prefix = stack_prefix(stack)
    problems = {
        name: {"denied": role["denied"], "unmapped": role["unmapped"]}
        for name, role in report["roles"].items()
        if name.startswith(prefix) and (role["denied"] or role["unmapped"])
    }
    assert problems == {}, "real AWS would refuse these calls (or they are not evaluated):\n" + "\n".join(
        f"{name}: {detail}" for name, detail in problems.items()
    )


def test_no_refused_delivery_to_pipeline_resources(report: dict[str, Any], stack: Stack) -> None:
    prefix = stack_prefix(stack)
    refused = {
        principal: [key for key in data["refused"] if prefix in key]
        for principal, data in report["deliveries"].items()
    }
    assert {p: keys for p, keys in refused.items() if keys} == {}
