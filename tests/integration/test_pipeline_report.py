"""End to end: daily_report (inside the VPC module) reports one day's orders from the byOrderDate index."""

from __future__ import annotations

import json
import random
import uuid
from decimal import Decimal

import pytest

pytest.register_assert_rewrite("pipeline_helpers")  # before its import: it is also loaded as a plugin

from pipeline_helpers import Stack  # noqa: E402

pytest_plugins = ["pipeline_helpers"]


pytestmark = [pytest.mark.integration, pytest.mark.e2e]


def test_daily_report_for_a_date_has_the_right_totals(stack: Stack) -> None:
    # A date of its own (far in the past, random) so that no other order of this deployment counts.
    day = f"19{random.randint(10, 89)}-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}"
    orders = [("PENDING", "10.50"), ("PAID", "20.25"), ("SHIPPED", "99.99"), ("CANCELLED", "5.00")]
    ddb = stack.client("dynamodb")
    for i, (status, total) in enumerate(orders):
        ddb.put_item(
            TableName=stack["orders_table_name"],
            Item={
                "orderId": {"S": str(uuid.uuid4())},
                "orderDate": {"S": day},
                "createdAt": {"S": f"{day}T0{i}:00:00.000Z"},
                "updatedAt": {"S": f"{day}T0{i}:00:00.000Z"},
                "customerId": {"S": "e2e-report"},
                "items": {
                    "L": [{"M": {"sku": {"S": "R"}, "quantity": {"N": "1"}, "unitPrice": {"N": total}}}]
                },
                "total": {"N": total},
                "currency": {"S": "EUR"},
                "status": {"S": status},
            },
        )

    resp = stack.client("lambda").invoke(
        FunctionName=stack["function_names"]["daily_report"], Payload=json.dumps({"date": day}).encode()
    )
    result = json.loads(resp["Payload"].read())
    assert "FunctionError" not in resp, result
    revenue = float(sum(Decimal(t) for s, t in orders if s != "CANCELLED"))
    assert result["date"] == day and result["orderCount"] == 4
    assert result["totalRevenue"] == pytest.approx(revenue)

    s3 = stack.client("s3")
    keys = sorted(result["keys"])
    assert keys == sorted([f"reports/{day}/orders.json", f"reports/{day}/orders.csv"])
    report = json.loads(
        s3.get_object(Bucket=stack["reports_bucket_name"], Key=f"reports/{day}/orders.json")["Body"].read()
    )
    assert report["orderCount"] == 4 and report["totalRevenue"] == pytest.approx(revenue)
    assert report["byStatus"]["CANCELLED"] == 1 and report["byStatus"]["PAID"] == 1
    assert len(report["orders"]) == 4
    csv = (
        s3.get_object(Bucket=stack["reports_bucket_name"], Key=f"reports/{day}/orders.csv")["Body"]
        .read()
        .decode()
    )
    assert len(csv.strip().splitlines()) == 1 + 4  # header + one row per order


def test_daily_report_runs_in_the_vpc(stack: Stack) -> None:
    conf = stack.client("lambda").get_function_configuration(
        FunctionName=stack["function_names"]["daily_report"]
    )
    vpc = conf.get("VpcConfig") or {}
    assert vpc.get("VpcId") == stack["vpc_id"]
    assert len(vpc.get("SubnetIds", [])) == 2 and vpc.get("SecurityGroupIds")


def test_daily_report_schedule_delivers_what_the_function_reads(stack: Stack) -> None:
    """The deployed Scheduler schedule targets daily_report in Etc/UTC with its role and retry policy.

    The embedded LocalStack stores schedules but never fires them (README "what differs from AWS"), so the
    test delivers the schedule's own input, with the scheduled time Scheduler would substitute, by hand.
    """
    schedule = stack["report_schedule"]
    assert schedule["kind"] == "scheduler" and schedule["timezone"] == "Etc/UTC"
    got = stack.client("scheduler").get_schedule(Name=schedule["name"])
    assert got["ScheduleExpression"] == "cron(0 6 * * ? *)"
    assert got["ScheduleExpressionTimezone"] == "Etc/UTC"
    target = got["Target"]
    assert target["Arn"].endswith(":function:" + stack["function_names"]["daily_report"])
    assert target["RoleArn"] and target["RetryPolicy"]["MaximumRetryAttempts"] == 3

    payload = target["Input"].replace("<aws.scheduler.scheduled-time>", "1970-01-02T06:00:00Z")
    resp = stack.client("lambda").invoke(
        FunctionName=stack["function_names"]["daily_report"], Payload=payload.encode()
    )
    result = json.loads(resp["Payload"].read())
    assert "FunctionError" not in resp, result
    assert result["date"] == "1970-01-01"  # the UTC day before the scheduled time
