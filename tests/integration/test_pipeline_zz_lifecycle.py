"""End to end, last (the file name sorts after every other suite module): after the apply, a second plan
reports no changes; `terraform destroy` then leaves nothing of the stack behind in LocalStack.

Set PIPELINE_E2E_KEEP=1 to skip the destroy (keep the deployment for debugging or for `make demo`).
"""

from __future__ import annotations

import os
from typing import Any

import pytest

pytest.register_assert_rewrite("pipeline_helpers")  # before its import: it is also loaded as a plugin

from pipeline_helpers import Stack, close_collectors, deploy_local  # noqa: E402

pytest_plugins = ["pipeline_helpers"]


# exclusive: plans and destroys the shared deployment; runs alone, after the rest
pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.exclusive]


def test_second_plan_reports_no_changes(stack: Stack) -> None:
    proc = deploy_local("plan", check=False)
    assert proc.returncode == 0, "plan after apply is not empty (exit 2 = changes):\n" + "\n".join(
        line for line in proc.stdout.splitlines() if line.strip().startswith(("#", "~", "+", "-", "Plan:"))
    )


def _leftovers(stack: Stack, prefix: str) -> dict[str, list[str]]:
    c = stack.client
    found: dict[str, list[str]] = {}

    def add(kind: str, names: list[Any]) -> None:
        names = [str(n) for n in names]
        if names:
            found[kind] = names

    add("buckets", [b["Name"] for b in c("s3").list_buckets()["Buckets"] if b["Name"].startswith(prefix)])
    add("queues", c("sqs").list_queues(QueueNamePrefix=prefix).get("QueueUrls", []))
    add("topics", [t["TopicArn"] for t in c("sns").list_topics()["Topics"] if f":{prefix}" in t["TopicArn"]])
    add("tables", [t for t in c("dynamodb").list_tables()["TableNames"] if t.startswith(prefix)])
    add(
        "functions",
        [
            f["FunctionName"]
            for f in c("lambda").list_functions()["Functions"]
            if f["FunctionName"].startswith(prefix)
        ],
    )
    # (ListLayers fails in LocalStack once a layer has no versions left: ask per layer.)
    layer_versions = []
    for arn in stack.outputs["layer_version_arns"].values():
        name = arn.split(":")[6]
        try:
            versions = c("lambda").list_layer_versions(LayerName=name)["LayerVersions"]
        except c("lambda").exceptions.ResourceNotFoundException:
            versions = []
        layer_versions += [v["LayerVersionArn"] for v in versions]
    add("layer_versions", layer_versions)
    add(
        "event_source_mappings",
        [
            m["UUID"]
            for m in c("lambda").list_event_source_mappings()["EventSourceMappings"]
            if prefix in m.get("FunctionArn", "")
        ],
    )
    add(
        "state_machines",
        [
            m["name"]
            for m in c("stepfunctions").list_state_machines()["stateMachines"]
            if m["name"].startswith(prefix)
        ],
    )
    add(
        "rest_apis",
        [a["name"] for a in c("apigateway").get_rest_apis()["items"] if a["name"].startswith(prefix)],
    )
    add(
        "event_buses",
        [b["Name"] for b in c("events").list_event_buses()["EventBuses"] if b["Name"].startswith(prefix)],
    )
    add("rules", [r["Name"] for r in c("events").list_rules(NamePrefix=prefix)["Rules"]])
    add("roles", [r["RoleName"] for r in c("iam").list_roles()["Roles"] if r["RoleName"].startswith(prefix)])
    add(
        "alarms",
        [a["AlarmName"] for a in c("cloudwatch").describe_alarms(AlarmNamePrefix=prefix)["MetricAlarms"]],
    )
    project, environment = prefix.rsplit("-", 1)
    tags = [
        {"Name": "tag:Project", "Values": [project]},
        {"Name": "tag:Environment", "Values": [environment]},
    ]
    add("vpcs", [v["VpcId"] for v in c("ec2").describe_vpcs(Filters=tags)["Vpcs"]])
    add("subnets", [s["SubnetId"] for s in c("ec2").describe_subnets(Filters=tags)["Subnets"]])
    add(
        "security_groups",
        [g["GroupId"] for g in c("ec2").describe_security_groups(Filters=tags)["SecurityGroups"]],
    )
    log_groups = []
    for lg_prefix in (
        f"/aws/lambda/{prefix}",
        f"/aws/vendedlogs/states/{prefix}",
        f"/aws/apigateway/{prefix}",
    ):
        log_groups += [
            g["logGroupName"]
            for g in c("logs").describe_log_groups(logGroupNamePrefix=lg_prefix)["logGroups"]
        ]
    add("log_groups", log_groups)
    add(
        "kms_aliases",
        [
            a["AliasName"]
            for a in c("kms").list_aliases()["Aliases"]
            if a["AliasName"].startswith(f"alias/{prefix}")
        ],
    )
    return found


@pytest.mark.skipif(os.environ.get("PIPELINE_E2E_KEEP") == "1", reason="PIPELINE_E2E_KEEP=1: deployment kept")
def test_destroy_leaves_nothing_behind(stack: Stack) -> None:
    prefix = stack["function_names"]["ingest"].removesuffix("-ingest")  # <project>-<environment>
    assert _leftovers(stack, prefix)["functions"], "the stack should be deployed before the destroy test"

    close_collectors()  # the suite's own test queues and subscriptions go first
    deploy_local("destroy")

    assert _leftovers(stack, prefix) == {}
