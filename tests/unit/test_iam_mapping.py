"""Request -> IAM action/resource mapping and the report of the embedded LocalStack, offline."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "localstack"))

from sp_localstack.iam_mapping import Check, Where, map_request  # noqa: E402
from sp_localstack.iam_policy import Policy, Request, evaluate  # noqa: E402
from sp_localstack.iam_report import Recorder, render  # noqa: E402

W = Where(region="us-east-1", account="000000000000")


def test_s3_object_and_bucket_operations() -> None:
    assert map_request("s3", "HeadObject", {"Bucket": "b", "Key": "k/1"}, W) == [
        Check("s3:GetObject", ("arn:aws:s3:::b/k/1",))
    ]
    [listing] = map_request("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "up/"}, W) or []
    assert listing.action == "s3:ListBucket" and listing.resources == ("arn:aws:s3:::b",)
    assert listing.context["s3:prefix"] == "up/"
    copy = map_request("s3", "CopyObject", {"Bucket": "d", "Key": "x", "CopySource": "s/y"}, W)
    assert copy == [
        Check("s3:GetObject", ("arn:aws:s3:::s/y",)),
        Check("s3:PutObject", ("arn:aws:s3:::d/x",)),
    ]


def test_queue_url_and_batch_operations() -> None:
    url = "http://127.0.0.1:4566/000000000000/jobs"
    assert map_request("sqs", "SendMessageBatch", {"QueueUrl": url}, W) == [
        Check("sqs:SendMessage", ("arn:aws:sqs:us-east-1:000000000000:jobs",))
    ]


def test_dynamodb_batch_transact_and_index() -> None:
    table = "arn:aws:dynamodb:us-east-1:000000000000:table/"
    batch = map_request("dynamodb", "BatchWriteItem", {"RequestItems": {"a": [], "b": []}}, W)
    assert batch == [Check("dynamodb:BatchWriteItem", (table + "a", table + "b"))]
    query = map_request("dynamodb", "Query", {"TableName": "a", "IndexName": "by-date"}, W)
    assert query == [Check("dynamodb:Query", (table + "a/index/by-date",))]
    items = [{"Put": {"TableName": "a"}}, {"ConditionCheck": {"TableName": "b"}}, {"Put": {"TableName": "a"}}]
    assert map_request("dynamodb", "TransactWriteItems", {"TransactItems": items}, W) == [
        Check("dynamodb:PutItem", (table + "a",)),
        Check("dynamodb:ConditionCheckItem", (table + "b",)),
    ]


def test_other_services_and_unknown_operations() -> None:
    [put] = (
        map_request("events", "PutEvents", {"Entries": [{"EventBusName": "orders", "Source": "s"}]}, W) or []
    )
    assert put.resources == ("arn:aws:events:us-east-1:000000000000:event-bus/orders",)
    assert map_request("lambda", "Invoke", {"FunctionName": "f", "Qualifier": "live"}, W) == [
        Check("lambda:InvokeFunction", ("arn:aws:lambda:us-east-1:000000000000:function:f:live",))
    ]
    [logs] = (
        map_request("logs", "PutLogEvents", {"logGroupName": "/aws/lambda/f", "logStreamName": "s"}, W) or []
    )
    assert logs.resources == ("arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:log-stream:s",)
    assert map_request("sts", "GetCallerIdentity", {}, W) == []
    assert map_request("s3", "PutBucketLifecycleConfiguration", {"Bucket": "b"}, W) is None
    assert map_request("glacier", "ListVaults", {}, W) is None


def test_report_counts_use_denials_and_unused_grants() -> None:
    policy = Policy.parse(
        "fn/execution",
        {
            "Statement": [
                {
                    "Sid": "Read",
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:ListBucket"],
                    "Resource": "*",
                },
                {"Sid": "Queue", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"},
            ]
        },
    )
    recorder = Recorder()
    recorder.start("", "enforce", lambda: {"fn": [policy]})
    recorder.decision("fn", evaluate(Request("s3:GetObject", ["arn:aws:s3:::b/k"]), [policy]), [policy])
    recorder.decision("fn", evaluate(Request("s3:PutObject", ["arn:aws:s3:::b/k"]), [policy]), [policy])
    recorder.unmapped("fn", "s3:PutBucketLifecycleConfiguration")
    role = recorder.snapshot()["roles"]["fn"]
    assert role["actions"] == {"s3:GetObject": 1, "s3:PutObject": 1}
    assert sum(role["denied"].values()) == 1 and role["unmapped"] == {"s3:PutBucketLifecycleConfiguration": 1}
    unused = {(g["sid"], g["action"]) for g in role["unused_grants"]}
    assert unused == {("Read", "s3:ListBucket"), ("Queue", "sqs:SendMessage")}
    text = render(recorder.snapshot())
    assert "unused           s3:ListBucket  (Sid Read, fn/execution)" in text
