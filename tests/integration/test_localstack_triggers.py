"""Smoke tests of event sources on the embedded LocalStack: each trigger runs real handler code.

S3 notification, SQS mapping (partial batch failure -> DLQ), DynamoDB stream (with a filter), SNS,
EventBridge (numeric matching), Step Functions (Retry and Catch) and API Gateway REST proxy. Every test
asserts on what the handler did (object written, item written, message sent, HTTP response).
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

# conftest fixtures are typed loosely here: conftest is not importable by name
DeployedFunction = Any
LocalStack = Any

pytestmark = pytest.mark.integration

HANDLER = """
import json
import os

import boto3

sqs = boto3.client("sqs")
s3 = boto3.client("s3")
dynamodb = boto3.client("dynamodb")
SINK = os.environ["SINK_QUEUE_URL"]


class TransientError(Exception):
    pass


class ValidationError(Exception):
    pass


def record(via, **data):
    sqs.send_message(QueueUrl=SINK, MessageBody=json.dumps({"via": via, **data}))


def on_s3(records):
    for r in records:
        bucket, key = r["s3"]["bucket"]["name"], r["s3"]["object"]["key"]
        s3.put_object(Bucket=bucket, Key=f"processed/{key}", Body=key.encode(),
                      Metadata={"event-name": r["eventName"], "size": str(r["s3"]["object"].get("size"))})


def on_sqs(records):
    failures = []
    for r in records:
        record("sqs", body=r["body"], receiveCount=r["attributes"]["ApproximateReceiveCount"])
        if r["body"] == "poison":
            failures.append({"itemIdentifier": r["messageId"]})
    return {"batchItemFailures": failures}


def on_dynamodb(records):
    for r in records:
        pk = r["dynamodb"]["Keys"]["pk"]["S"]
        dynamodb.put_item(TableName=os.environ["SINK_TABLE"], Item={
            "pk": {"S": f"{pk}#{r['eventName']}"},
            "newImage": {"S": json.dumps(r["dynamodb"].get("NewImage"))},
        })


def on_api(event):
    return {
        "statusCode": 201,
        "headers": {"Content-Type": "application/json", "X-Probe": "yes"},
        "body": json.dumps({
            "method": event["httpMethod"], "path": event["path"], "resource": event["resource"],
            "proxy": (event.get("pathParameters") or {}).get("proxy"),
            "query": event.get("queryStringParameters"), "body": json.loads(event["body"] or "null"),
            "stage": event["requestContext"]["stage"],
        }),
    }


def flaky(event):
    record("sfn", attempt=event["attempt"], input=event)
    if event.get("fatal"):
        raise ValidationError("not an image")
    if event["attempt"] < event["failTimes"]:
        raise TransientError(f"attempt {event['attempt']} failed")
    return {"attempt": event["attempt"]}


def lambda_handler(event, context):
    if "httpMethod" in event:
        return on_api(event)
    if "detail-type" in event:
        record("events", detailType=event["detail-type"], detail=event["detail"])
        return None
    if event.get("action") == "flaky":
        return flaky(event)
    records = event.get("Records") or [{}]
    source = records[0].get("eventSource") or records[0].get("EventSource")
    if source == "aws:s3":
        return on_s3(records)
    if source == "aws:sqs":
        return on_sqs(records)
    if source == "aws:dynamodb":
        return on_dynamodb(records)
    if source == "aws:sns":
        for r in records:
            record("sns", message=r["Sns"]["Message"], subject=r["Sns"].get("Subject"),
                   attributes=r["Sns"].get("MessageAttributes"))
        return None
    raise ValueError(f"unexpected event: {json.dumps(event)[:500]}")
"""


class Sink:
    """The queue every trigger's handler reports to; messages are collected and kept across polls."""

    def __init__(self, sqs: Any, url: str) -> None:
        self.sqs, self.url = sqs, url
        self.seen: list[dict[str, Any]] = []

    def poll(self) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in response.get("Messages", []):
            self.seen.append(json.loads(message["Body"]))
            self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        return self.seen

    def matching(self, predicate: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        return [m for m in self.poll() if predicate(m)]


@pytest.fixture(scope="module")
def sink(localstack: LocalStack, unique_name: Callable[[str], str]) -> Sink:
    sqs = localstack.client("sqs")
    url = sqs.create_queue(QueueName=unique_name("trigger-sink"))["QueueUrl"]
    localstack.defer(lambda: sqs.delete_queue(QueueUrl=url))
    return Sink(sqs, url)


@pytest.fixture(scope="module")
def sink_table(localstack: LocalStack, unique_name: Callable[[str], str]) -> str:
    ddb = localstack.client("dynamodb")
    name = unique_name("stream-sink")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    localstack.defer(lambda: ddb.delete_table(TableName=name))
    return name


@pytest.fixture(scope="module")
def probe(deploy_function: Callable[..., DeployedFunction], sink: Sink, sink_table: str) -> DeployedFunction:
    return deploy_function(
        "trigger-probe", {"handler.py": HANDLER}, env={"SINK_QUEUE_URL": sink.url, "SINK_TABLE": sink_table}
    )


@pytest.fixture(scope="module")
def lam(localstack: LocalStack) -> Any:
    return localstack.client("lambda")


def allow(lam: Any, fn: DeployedFunction, principal: str, source_arn: str) -> None:
    lam.add_permission(
        FunctionName=fn.name,
        StatementId=f"allow-{principal.split('.')[0]}-{time.time_ns()}",
        Action="lambda:InvokeFunction",
        Principal=principal,
        SourceArn=source_arn,
    )


def test_s3_notification_invokes_the_function(
    localstack: LocalStack,
    lam: Any,
    probe: DeployedFunction,
    unique_name: Callable[[str], str],
    wait_until: Any,
) -> None:
    s3 = localstack.client("s3")
    bucket = unique_name("uploads")
    s3.create_bucket(Bucket=bucket)
    allow(lam, probe, "s3.amazonaws.com", f"arn:aws:s3:::{bucket}")
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {
                    "LambdaFunctionArn": probe.arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {
                        "Key": {
                            "FilterRules": [
                                {"Name": "prefix", "Value": "incoming/"},
                                {"Name": "suffix", "Value": ".txt"},
                            ]
                        }
                    },
                }
            ]
        },
    )
    s3.put_object(Bucket=bucket, Key="incoming/ignored.bin", Body=b"x")
    s3.put_object(Bucket=bucket, Key="incoming/hello.txt", Body=b"hello")

    def processed() -> dict[str, Any] | None:
        try:
            return s3.head_object(Bucket=bucket, Key="processed/incoming/hello.txt")
        except s3.exceptions.ClientError:
            return None

    head = wait_until(processed, timeout=30, message="handler never wrote processed/incoming/hello.txt")
    assert head["Metadata"] == {"event-name": "ObjectCreated:Put", "size": "5"}
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="processed/").get("Contents", [])]
    assert keys == ["processed/incoming/hello.txt"], "filter rules: .bin must not trigger"
    localstack.defer(lambda: [s3.delete_object(Bucket=bucket, Key=k) for k in keys + ["incoming/hello.txt"]])


def test_sqs_mapping_retries_only_the_poison_message_then_dead_letters_it(
    localstack: LocalStack,
    lam: Any,
    deploy_function: Callable[..., DeployedFunction],
    sink: Sink,
    sink_table: str,
    unique_name: Callable[[str], str],
    wait_until: Any,
) -> None:
    sqs = localstack.client("sqs")
    # AWS requires the queue's visibility timeout >= the function timeout
    worker = deploy_function(
        "sqs-worker",
        {"handler.py": HANDLER},
        timeout=3,
        env={"SINK_QUEUE_URL": sink.url, "SINK_TABLE": sink_table},
    )
    dlq_url = sqs.create_queue(QueueName=unique_name("work-dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue_url = sqs.create_queue(
        QueueName=unique_name("work"),
        Attributes={
            "VisibilityTimeout": "3",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}),
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    for url in (queue_url, dlq_url):
        localstack.defer(lambda url=url: sqs.delete_queue(QueueUrl=url))
    mapping = lam.create_event_source_mapping(
        FunctionName=worker.name,
        EventSourceArn=queue_arn,
        BatchSize=10,
        MaximumBatchingWindowInSeconds=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    localstack.defer(lambda: lam.delete_event_source_mapping(UUID=mapping["UUID"]))
    bodies = [f"good-{i}-{time.time_ns()}" for i in range(3)]
    sqs.send_message_batch(
        QueueUrl=queue_url,
        Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate([*bodies, "poison"])],
    )

    def dead_lettered() -> list[dict[str, Any]]:
        return sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )

    dead = wait_until(dead_lettered, timeout=60, message="poison message never reached the DLQ")
    assert [m["Body"] for m in dead] == ["poison"]
    seen = [m for m in sink.poll() if m["via"] == "sqs"]
    for body in bodies:
        assert [m["receiveCount"] for m in seen if m["body"] == body] == ["1"], (
            f"{body} processed exactly once"
        )
    assert sorted(m["receiveCount"] for m in seen if m["body"] == "poison") == ["1", "2"]


def test_dynamodb_stream_invokes_the_function_with_filter(
    localstack: LocalStack,
    lam: Any,
    probe: DeployedFunction,
    sink_table: str,
    unique_name: Callable[[str], str],
    wait_until: Any,
) -> None:
    ddb = localstack.client("dynamodb")
    table = unique_name("orders")
    stream_arn = ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]
    localstack.defer(lambda: ddb.delete_table(TableName=table))
    mapping = lam.create_event_source_mapping(
        FunctionName=probe.name,
        EventSourceArn=stream_arn,
        StartingPosition="TRIM_HORIZON",
        BatchSize=10,
        MaximumRetryAttempts=1,
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"eventName": ["INSERT"]})}]},
    )
    localstack.defer(lambda: lam.delete_event_source_mapping(UUID=mapping["UUID"]))
    wait_until(
        lambda: lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Enabled",
        timeout=30,
        message="stream mapping never became Enabled",
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": "order-1"}, "total": {"N": "42"}})
    ddb.update_item(
        TableName=table,
        Key={"pk": {"S": "order-1"}},
        UpdateExpression="SET #t = :t",
        ExpressionAttributeNames={"#t": "total"},
        ExpressionAttributeValues={":t": {"N": "43"}},
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": "order-2"}, "total": {"N": "7"}})

    def sink_item(pk: str) -> dict[str, Any] | None:
        return ddb.get_item(TableName=sink_table, Key={"pk": {"S": pk}}).get("Item")

    item = wait_until(
        lambda: sink_item("order-2#INSERT"), timeout=45, message="stream record never processed"
    )
    assert json.loads(item["newImage"]["S"]) == {"pk": {"S": "order-2"}, "total": {"N": "7"}}
    assert sink_item("order-1#INSERT") is not None
    # records of one shard arrive in order: the MODIFY came before order-2's INSERT and was filtered out
    assert sink_item("order-1#MODIFY") is None


def test_sns_subscription_invokes_the_function(
    localstack: LocalStack,
    lam: Any,
    probe: DeployedFunction,
    sink: Sink,
    unique_name: Callable[[str], str],
    wait_until: Any,
) -> None:
    sns = localstack.client("sns")
    topic_arn = sns.create_topic(Name=unique_name("processed"))["TopicArn"]
    localstack.defer(lambda: sns.delete_topic(TopicArn=topic_arn))
    allow(lam, probe, "sns.amazonaws.com", topic_arn)
    sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=probe.arn)
    marker = f"sns-{time.time_ns()}"
    sns.publish(
        TopicArn=topic_arn,
        Message=json.dumps({"marker": marker}),
        Subject="done",
        MessageAttributes={"kind": {"DataType": "String", "StringValue": "image"}},
    )
    got = wait_until(
        lambda: sink.matching(lambda m: m["via"] == "sns" and marker in m["message"]),
        timeout=30,
        message="SNS delivery never reached the function",
    )
    assert got[0]["subject"] == "done"
    assert got[0]["attributes"]["kind"] == {"Type": "String", "Value": "image"}


def test_eventbridge_rule_with_numeric_filter_invokes_the_function(
    localstack: LocalStack,
    lam: Any,
    probe: DeployedFunction,
    sink: Sink,
    unique_name: Callable[[str], str],
    wait_until: Any,
) -> None:
    events = localstack.client("events")
    bus = unique_name("orders-bus")
    events.create_event_bus(Name=bus)
    rule = unique_name("high-value")
    source = f"it.{unique_name('orders')}"
    rule_arn = events.put_rule(
        Name=rule,
        EventBusName=bus,
        EventPattern=json.dumps(
            {
                "source": [source],
                "detail-type": ["OrderCreated"],
                "detail": {"total": [{"numeric": [">", 100]}]},
            }
        ),
    )["RuleArn"]
    allow(lam, probe, "events.amazonaws.com", rule_arn)
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "probe", "Arn": probe.arn}])
    localstack.defer(lambda: events.delete_event_bus(Name=bus))
    localstack.defer(lambda: events.delete_rule(Name=rule, EventBusName=bus))
    localstack.defer(lambda: events.remove_targets(Rule=rule, EventBusName=bus, Ids=["probe"]))

    def put(order_id: str, total: float) -> None:
        entry = {
            "Source": source,
            "DetailType": "OrderCreated",
            "Detail": json.dumps({"orderId": order_id, "total": total}),
            "EventBusName": bus,
        }
        assert events.put_events(Entries=[entry])["FailedEntryCount"] == 0

    put("low", 99.5)
    put("high", 150.25)
    got = wait_until(
        lambda: sink.matching(lambda m: m["via"] == "events" and m["detail"]["orderId"] == "high"),
        timeout=30,
        message="EventBridge never delivered the matching event",
    )
    assert got[0]["detail"]["total"] == 150.25
    assert not sink.matching(lambda m: m["via"] == "events" and m["detail"]["orderId"] == "low")


@pytest.fixture(scope="module")
def state_machine(localstack: LocalStack, probe: DeployedFunction, unique_name: Callable[[str], str]) -> str:
    iam, sfn = localstack.client("iam"), localstack.client("stepfunctions")
    role = unique_name("sfn-role")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    localstack.defer(lambda: iam.delete_role(RoleName=role))
    invoke = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": [probe.arn, f"{probe.arn}:*"]}
        ],
    }
    iam.put_role_policy(RoleName=role, PolicyName="invoke", PolicyDocument=json.dumps(invoke))
    localstack.defer(lambda: iam.delete_role_policy(RoleName=role, PolicyName="invoke"))
    definition = {
        "StartAt": "Flaky",
        "States": {
            "Flaky": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {
                    "FunctionName": probe.arn,
                    "Payload": {
                        "action": "flaky",
                        "failTimes.$": "$.failTimes",
                        "fatal.$": "$.fatal",
                        "attempt.$": "$$.State.RetryCount",
                    },
                },
                "ResultSelector": {"attempt.$": "$.Payload.attempt"},
                "ResultPath": "$.result",
                "Retry": [
                    {
                        "ErrorEquals": ["TransientError"],
                        "IntervalSeconds": 1,
                        "MaxAttempts": 2,
                        "BackoffRate": 1.0,
                    }
                ],
                "Catch": [{"ErrorEquals": ["ValidationError"], "ResultPath": "$.error", "Next": "Rejected"}],
                "Next": "Done",
            },
            "Rejected": {"Type": "Pass", "Result": "rejected", "ResultPath": "$.outcome", "End": True},
            "Done": {"Type": "Succeed"},
        },
    }
    arn = sfn.create_state_machine(
        name=unique_name("pipeline"), definition=json.dumps(definition), roleArn=role_arn, type="STANDARD"
    )["stateMachineArn"]
    localstack.defer(lambda: sfn.delete_state_machine(stateMachineArn=arn))
    return arn


def run_execution(
    localstack: LocalStack, state_machine: str, payload: dict[str, Any], wait_until: Any
) -> dict[str, Any]:
    sfn = localstack.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=state_machine, input=json.dumps(payload))["executionArn"]

    def finished() -> dict[str, Any] | None:
        described = sfn.describe_execution(executionArn=execution)
        return described if described["status"] != "RUNNING" else None

    return wait_until(finished, timeout=60, interval=0.5, message=f"execution {execution} still running")


def test_step_functions_retry_then_succeed(
    localstack: LocalStack, state_machine: str, sink: Sink, wait_until: Any
) -> None:
    result = run_execution(
        localstack, state_machine, {"failTimes": 1, "fatal": False, "id": time.time_ns()}, wait_until
    )
    assert result["status"] == "SUCCEEDED", result
    assert json.loads(result["output"])["result"] == {"attempt": 1}, "second attempt (RetryCount 1) succeeded"


def test_step_functions_retries_exhausted_fail_the_execution(
    localstack: LocalStack, state_machine: str, wait_until: Any
) -> None:
    result = run_execution(localstack, state_machine, {"failTimes": 5, "fatal": False}, wait_until)
    assert result["status"] == "FAILED"
    assert result["error"] == "TransientError"
    assert "attempt 2 failed" in result["cause"]


def test_step_functions_catch_routes_the_error(
    localstack: LocalStack, state_machine: str, wait_until: Any
) -> None:
    result = run_execution(localstack, state_machine, {"failTimes": 0, "fatal": True}, wait_until)
    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["outcome"] == "rejected"
    assert output["error"]["Error"] == "ValidationError"
    assert json.loads(output["error"]["Cause"])["errorMessage"] == "not an image"


def test_api_gateway_rest_proxy_returns_the_function_response(
    localstack: LocalStack, lam: Any, probe: DeployedFunction, unique_name: Callable[[str], str]
) -> None:
    apigw = localstack.client("apigateway")
    api_id = apigw.create_rest_api(name=unique_name("api"))["id"]
    localstack.defer(lambda: apigw.delete_rest_api(restApiId=api_id))
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    proxy = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="{proxy+}")["id"]
    apigw.put_method(restApiId=api_id, resourceId=proxy, httpMethod="ANY", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api_id,
        resourceId=proxy,
        httpMethod="ANY",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{probe.arn}/invocations",
    )
    allow(
        lam, probe, "apigateway.amazonaws.com", f"arn:aws:execute-api:us-east-1:000000000000:{api_id}/*/*/*"
    )
    apigw.create_deployment(restApiId=api_id, stageName="test")

    request = urllib.request.Request(
        localstack.rest_api_url(api_id, "test", "orders/42?verbose=1"),
        data=json.dumps({"status": "PAID"}).encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 201
        assert response.headers["X-Probe"] == "yes"
        body = json.loads(response.read())
    assert body == {
        "method": "PUT",
        "path": "/orders/42",
        "resource": "/{proxy+}",
        "proxy": "orders/42",
        "query": {"verbose": "1"},
        "body": {"status": "PAID"},
        "stage": "test",
    }
