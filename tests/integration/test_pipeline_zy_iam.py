"""End to end, after every pipeline test and before the destroy: the pipeline's roles needed nothing they
lack. The embedded LocalStack evaluated each call of our functions, the state machine and the event source
mapping pollers against their roles (sp_localstack/iam_enforcement.py); its report must show no denied and
no unmapped call for any role of the stack, and no refused delivery to a stack resource.

Then the negative case: the thumbnail role loses its one real grant ``s3:PutObject`` on ``thumbnails/*``
(the inline policy is rewritten through the IAM API, as Terraform writes it, and restored afterwards):
the pipeline fails exactly there, with AccessDenied, reported through ``HandleError``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

pytest.register_assert_rewrite("pipeline_helpers")

from conftest import LocalStack, iam_report  # noqa: E402
from pipeline_helpers import QueueCollector, Stack, png_with_alpha  # noqa: E402

pytest_plugins = ["pipeline_helpers"]

# exclusive: reads the IAM report of every earlier test and edits the thumbnail role; runs alone, last
pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.exclusive]


@pytest.fixture(scope="module")
def report(localstack: LocalStack) -> dict[str, Any]:
    found = iam_report(localstack)
    if found is None or found.get("mode") == "off":
        pytest.skip("no IAM report: LocalStack runs elsewhere or with IAM_ENFORCEMENT=off")
    return found


NEGATIVE_MARKER = f"iam-negative-{uuid.uuid4().hex[:8]}"


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
    for detail in problems.values():  # the negative case below denies on purpose
        detail["denied"] = {m: n for m, n in detail["denied"].items() if NEGATIVE_MARKER not in m}
    problems = {name: d for name, d in problems.items() if d["denied"] or d["unmapped"]}
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


@pytest.fixture
def thumbnail_role_without_put(report: dict[str, Any], stack: Stack) -> Iterator[str]:
    if report.get("mode") != "enforce":
        pytest.skip("the negative case needs IAM_ENFORCEMENT=enforce")
    iam, lam = stack.client("iam"), stack.client("lambda")
    function = stack["function_names"]["thumbnail"]
    role = lam.get_function_configuration(FunctionName=function)["Role"].rsplit("/", 1)[-1]
    originals: dict[str, str] = {}
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        statements = (
            document["Statement"] if isinstance(document["Statement"], list) else [document["Statement"]]
        )
        kept = [s for s in statements if "s3:PutObject" not in json.dumps(s.get("Action"))]
        if len(kept) != len(statements):
            originals[name] = json.dumps(document)
            iam.put_role_policy(
                RoleName=role, PolicyName=name, PolicyDocument=json.dumps({**document, "Statement": kept})
            )
    assert originals, f"no inline policy of {role} grants s3:PutObject"
    try:
        yield role
    finally:
        for name, document in originals.items():
            iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=document)


def test_thumbnail_role_without_put_object_fails_through_handle_error(
    stack: Stack, errors_topic_queue: QueueCollector, thumbnail_role_without_put: str
) -> None:
    key = f"uploads/{NEGATIVE_MARKER}/image.png"
    name = stack.upload(key, png_with_alpha(), "image/png")

    desc = stack.wait_execution(name)
    assert desc["status"] == "FAILED", desc
    states = stack.visited_states(name)
    assert "HandleError" in states and "StoreMetadata" not in states, states
    message = errors_topic_queue.wait_for(key)[0]
    detail = json.dumps(message)
    assert "AccessDenied" in detail, message
    assert f"assumed-role/{thumbnail_role_without_put}/" in detail and "s3:PutObject" in detail, message
