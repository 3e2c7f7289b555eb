"""IAM enforcement of the embedded LocalStack (sp_localstack/iam_enforcement.py), with small boto3 functions.

Needs ``IAM_ENFORCEMENT=enforce`` (the ``make integration`` default); skipped in ``report``/``off`` mode.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import ACCOUNT_ID, LocalStack, iam_report, zip_files

PROBE = """
import boto3

s3 = boto3.client("s3")


def lambda_handler(event, context):
    if "Records" in event or "detail" in event:  # a delivery: leave a trace the test can see
        s3.put_object(Bucket=event_bucket(event), Key="seen/" + context.aws_request_id, Body=b"x")
        return {"ok": True}
    try:
        if event["op"] == "presign_put":
            url = s3.generate_presigned_url("put_object", Params=event["args"], ExpiresIn=300)
            return {"ok": True, "url": url}
        getattr(s3, event["op"])(**event["args"])
        return {"ok": True}
    except Exception as e:  # noqa: BLE001
        return {"ok": False, "code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]}


def event_bucket(event):
    import os
    return os.environ["BUCKET"]
"""


def role_policy(bucket: str) -> dict[str, Any]:
    arn = f"arn:aws:s3:::{bucket}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Write", "Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{arn}/*"},
            {"Sid": "NoSecrets", "Effect": "Deny", "Action": "s3:PutObject", "Resource": f"{arn}/secret/*"},
            {
                "Sid": "ListAllowedPrefix",
                "Effect": "Allow",
                "Action": "s3:ListBucket",
                "Resource": arn,
                "Condition": {"StringLike": {"s3:prefix": "allowed/*"}},
            },
            {
                "Sid": "Logs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": "*",
            },
        ],
    }


class Probe:
    def __init__(self, ls: LocalStack, name: str, bucket: str, role_name: str) -> None:
        self.ls, self.name, self.bucket, self.role_name = ls, name, bucket, role_name

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:{self.name}"

    def call(self, op: str, **args: Any) -> dict[str, Any]:
        response = self.ls.client("lambda").invoke(
            FunctionName=self.name, Payload=json.dumps({"op": op, "args": {"Bucket": self.bucket, **args}})
        )
        return json.loads(response["Payload"].read())

    def seen(self) -> list[str]:
        listing = self.ls.client("s3").list_objects_v2(Bucket=self.bucket, Prefix="seen/")
        return [o["Key"] for o in listing.get("Contents", [])]

    def denied_message(self, action: str, resource: str, why: str) -> str:
        caller = f"arn:aws:sts::{ACCOUNT_ID}:assumed-role/{self.role_name}/{self.name}"
        return f'User: {caller} is not authorized to perform: {action} on resource: "{resource}" {why}'


@pytest.fixture(scope="module")
def probe(localstack: LocalStack, unique_name: Callable[[str], str]) -> Iterator[Probe]:
    report = iam_report(localstack)
    if report is None or report.get("mode") != "enforce":
        pytest.skip("LocalStack runs without IAM_ENFORCEMENT=enforce")
    iam, lam, s3 = localstack.client("iam"), localstack.client("lambda"), localstack.client("s3")
    bucket, role, name = unique_name("iam-bucket"), unique_name("iam-role"), unique_name("iam-probe")
    s3.create_bucket(Bucket=bucket)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=role, PolicyName="probe", PolicyDocument=json.dumps(role_policy(bucket)))
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role_arn,
        Handler="handler.lambda_handler",
        Code={"ZipFile": zip_files({"handler.py": PROBE})},
        Environment={"Variables": {"BUCKET": bucket}},
        Timeout=20,
    )
    lam.get_waiter("function_active_v2").wait(
        FunctionName=name, WaiterConfig={"Delay": 0.5, "MaxAttempts": 120}
    )
    yield Probe(localstack, name, bucket, role)
    lam.delete_function(FunctionName=name)
    iam.delete_role_policy(RoleName=role, PolicyName="probe")
    iam.delete_role(RoleName=role)
    for key in [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]:
        s3.delete_object(Bucket=bucket, Key=key)
    s3.delete_bucket(Bucket=bucket)


def test_allowed_call_passes(probe: Probe) -> None:
    assert probe.call("put_object", Key="allowed/a.txt", Body="a") == {"ok": True}


def test_missing_action_is_access_denied_with_the_aws_message(probe: Probe) -> None:
    result = probe.call("delete_object", Key="allowed/a.txt")
    assert result["code"] == "AccessDenied"
    resource = f"arn:aws:s3:::{probe.bucket}/allowed/a.txt"
    why = "because no identity-based policy allows the s3:DeleteObject action"
    assert result["message"] == probe.denied_message("s3:DeleteObject", resource, why)


def test_explicit_deny_wins_over_an_allow(probe: Probe) -> None:
    result = probe.call("put_object", Key="secret/k.txt", Body="s")
    resource = f"arn:aws:s3:::{probe.bucket}/secret/k.txt"
    assert result["code"] == "AccessDenied"
    assert result["message"] == probe.denied_message(
        "s3:PutObject", resource, "with an explicit deny in an identity-based policy"
    )


def put_presigned(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, data=b"via presigned url", method="PUT")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_presigned_url_is_evaluated_as_its_signer(probe: Probe) -> None:
    allowed = probe.call("presign_put", Key="allowed/presigned.txt")["url"]
    assert put_presigned(allowed)[0] == 200
    status, body = put_presigned(probe.call("presign_put", Key="secret/presigned.txt")["url"])
    assert status == 403 and "<Code>AccessDenied</Code>" in body, body
    assert f"assumed-role/{probe.role_name}/{probe.name}" in body and "explicit deny" in body, body


def test_s3_prefix_condition_is_honoured(probe: Probe) -> None:
    assert probe.call("list_objects_v2", Prefix="allowed/") == {"ok": True}
    refused = probe.call("list_objects_v2", Prefix="other/")
    assert refused["code"] == "AccessDenied" and "s3:ListBucket" in refused["message"]


def test_s3_notification_needs_the_lambda_permission(localstack: LocalStack, probe: Probe) -> None:
    s3, lam = localstack.client("s3"), localstack.client("lambda")
    only_incoming = {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming/"}]}}  # not its own seen/
    config = {
        "LambdaFunctionConfigurations": [
            {"LambdaFunctionArn": probe.arn, "Events": ["s3:ObjectCreated:*"], "Filter": only_incoming}
        ]
    }
    # as on AWS: S3 cannot validate a destination it may not invoke
    with pytest.raises(s3.exceptions.ClientError) as refused_config:
        s3.put_bucket_notification_configuration(Bucket=probe.bucket, NotificationConfiguration=config)
    assert "Unable to validate the following destination configurations" in str(refused_config.value)
    lam.add_permission(
        FunctionName=probe.name,
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=f"arn:aws:s3:::{probe.bucket}",
        SourceAccount=ACCOUNT_ID,
    )
    s3.put_bucket_notification_configuration(Bucket=probe.bucket, NotificationConfiguration=config)
    try:
        s3.put_object(Bucket=probe.bucket, Key="incoming/one.txt", Body=b"1")
        deadline = time.monotonic() + 30
        while not probe.seen() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(probe.seen()) == 1, "with the permission S3 must invoke the function"
        lam.remove_permission(FunctionName=probe.name, StatementId="s3")
        s3.put_object(Bucket=probe.bucket, Key="incoming/two.txt", Body=b"2")
        time.sleep(4)  # an invocation would have written a second seen/<id> by now
        assert len(probe.seen()) == 1, "S3 invoked the function although no lambda permission allows it"
        refused = (
            (iam_report(localstack) or {})
            .get("deliveries", {})
            .get("s3.amazonaws.com", {})
            .get("refused", {})
        )
        assert any(probe.arn in key for key in refused), refused
    finally:
        s3.put_bucket_notification_configuration(Bucket=probe.bucket, NotificationConfiguration={})


def test_sns_subscription_without_lambda_permission_does_not_invoke(
    localstack: LocalStack, probe: Probe, unique_name: Callable[[str], str]
) -> None:
    sns = localstack.client("sns")
    topic = sns.create_topic(Name=unique_name("iam-topic"))["TopicArn"]
    try:
        sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=probe.arn)
        before = len(probe.seen())
        sns.publish(TopicArn=topic, Message="hello")
        time.sleep(4)
        assert len(probe.seen()) == before, "SNS invoked the function although no lambda permission allows it"
        refused = (
            (iam_report(localstack) or {})
            .get("deliveries", {})
            .get("sns.amazonaws.com", {})
            .get("refused", {})
        )
        assert any(topic in key for key in refused), refused
    finally:
        sns.delete_topic(TopicArn=topic)


def test_s3_to_sqs_without_queue_policy_is_not_delivered(
    localstack: LocalStack, probe: Probe, unique_name: Callable[[str], str]
) -> None:
    s3, sqs = localstack.client("s3"), localstack.client("sqs")
    url = sqs.create_queue(QueueName=unique_name("iam-queue"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    try:
        try:
            s3.put_bucket_notification_configuration(
                Bucket=probe.bucket,
                NotificationConfiguration={
                    "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]
                },
            )
        except s3.exceptions.ClientError as e:  # AWS refuses to validate the destination: also correct
            assert e.response["Error"]["Code"] == "InvalidArgument"
            return
        s3.put_object(Bucket=probe.bucket, Key="queued/one.txt", Body=b"1")
        time.sleep(3)
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        assert [m for m in messages if "queued/one.txt" in m["Body"]] == [], (
            "delivered without a queue policy"
        )
    finally:
        s3.put_bucket_notification_configuration(Bucket=probe.bucket, NotificationConfiguration={})
        sqs.delete_queue(QueueUrl=url)
