"""Which IAM action(s), resource ARN(s) and condition keys an AWS call needs; pure (no LocalStack imports).

``map_request`` takes the botocore service name, the operation name and the parsed request parameters (what
LocalStack's parser produces) and returns the checks AWS would make, or None for an operation it does not
know (the caller reports those as *unmapped*, never guesses). Sources: the Service Authorization Reference
(action names, resource types and ARN formats per action). The action name is ``<iam prefix>:<Operation>``
for every operation listed in ``SIMPLE`` below; the exceptions (S3's object/bucket split, batch operations,
TransactWriteItems, ...) are spelled out per service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Check:
    action: str
    resources: tuple[str, ...]
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Where:
    region: str
    account: str
    partition: str = "aws"

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        where = f"{self.region if region else ''}:{self.account if account else ''}"
        return f"arn:{self.partition}:{service}:{where}:{resource}"


# -- S3 -----------------------------------------------------------------------------------------------------

S3_OBJECT_ACTIONS = {
    "GetObject": "s3:GetObject",
    "HeadObject": "s3:GetObject",
    "GetObjectAttributes": "s3:GetObjectAttributes",
    "PutObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "ListParts": "s3:ListMultipartUploadParts",
    "DeleteObject": "s3:DeleteObject",
    "GetObjectTagging": "s3:GetObjectTagging",
    "PutObjectTagging": "s3:PutObjectTagging",
    "DeleteObjectTagging": "s3:DeleteObjectTagging",
    "GetObjectAcl": "s3:GetObjectAcl",
    "PutObjectAcl": "s3:PutObjectAcl",
    "RestoreObject": "s3:RestoreObject",
}
S3_BUCKET_ACTIONS = {
    "ListObjects": "s3:ListBucket",
    "ListObjectsV2": "s3:ListBucket",
    "HeadBucket": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
    "ListMultipartUploads": "s3:ListBucketMultipartUploads",
    "GetBucketLocation": "s3:GetBucketLocation",
    "GetBucketTagging": "s3:GetBucketTagging",
    "GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "GetBucketPolicy": "s3:GetBucketPolicy",
    "GetBucketVersioning": "s3:GetBucketVersioning",
    "GetBucketEncryption": "s3:GetEncryptionConfiguration",
}


def _s3(op: str, p: Params, w: Where) -> list[Check] | None:
    bucket = p.get("Bucket", "")
    bucket_arn = f"arn:{w.partition}:s3:::{bucket}"
    if op in S3_OBJECT_ACTIONS:
        action = S3_OBJECT_ACTIONS[op]
        if op in ("GetObject", "HeadObject") and p.get("VersionId"):
            action = "s3:GetObjectVersion"
        return [Check(action, (f"{bucket_arn}/{p.get('Key', '')}",))]
    if op == "CopyObject":
        source = p.get("CopySource")
        if isinstance(source, Mapping):
            source_arn = f"arn:{w.partition}:s3:::{source.get('Bucket', '')}/{source.get('Key', '')}"
        else:
            source_arn = f"arn:{w.partition}:s3:::{str(source or '').lstrip('/').split('?')[0]}"
        return [
            Check("s3:GetObject", (source_arn,)),
            Check("s3:PutObject", (f"{bucket_arn}/{p.get('Key', '')}",)),
        ]
    if op == "DeleteObjects":
        keys = [o.get("Key", "") for o in (p.get("Delete") or {}).get("Objects", [])]
        return [Check("s3:DeleteObject", tuple(f"{bucket_arn}/{k}" for k in keys) or (f"{bucket_arn}/",))]
    if op in S3_BUCKET_ACTIONS:
        context: dict[str, Any] = {}
        if op.startswith("ListObjects"):
            context["s3:prefix"] = p.get("Prefix") or ""
            if p.get("Delimiter"):
                context["s3:delimiter"] = p["Delimiter"]
            if p.get("MaxKeys") is not None:
                context["s3:max-keys"] = str(p["MaxKeys"])
        return [Check(S3_BUCKET_ACTIONS[op], (bucket_arn,), context)]
    if op == "ListBuckets":
        return [Check("s3:ListAllMyBuckets", ("*",))]
    return None


# -- SQS, SNS -----------------------------------------------------------------------------------------------

SQS_BATCH = {
    "SendMessageBatch": "SendMessage",
    "DeleteMessageBatch": "DeleteMessage",
    "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
}
SQS_QUEUE_OPS = {
    "SendMessage",
    "ReceiveMessage",
    "DeleteMessage",
    "ChangeMessageVisibility",
    "GetQueueAttributes",
    "SetQueueAttributes",
    "GetQueueUrl",
    "PurgeQueue",
    "DeleteQueue",
    "ListQueueTags",
    "TagQueue",
    "UntagQueue",
    "ListDeadLetterSourceQueues",
    "CreateQueue",
}


def sqs_queue_arn(queue: str, w: Where) -> str:
    """ARN of a queue named by URL (``http://host/<account>/<name>``, ``.../<region>/<acct>/<name>``)."""
    if queue.startswith("arn:"):
        return queue
    parts = [part for part in queue.split("?")[0].split("/") if part]
    name = parts[-1] if parts else queue
    account = parts[-2] if len(parts) >= 2 and parts[-2].isdigit() else w.account
    return f"arn:{w.partition}:sqs:{w.region}:{account}:{name}"


def _sqs(op: str, p: Params, w: Where) -> list[Check] | None:
    action = SQS_BATCH.get(op, op)
    if action not in SQS_QUEUE_OPS:
        return [Check("sqs:ListQueues", ("*",))] if op == "ListQueues" else None
    queue = p.get("QueueUrl") or p.get("QueueName") or ""
    return [Check(f"sqs:{action}", (sqs_queue_arn(queue, w),))]


def _sns(op: str, p: Params, w: Where) -> list[Check] | None:
    if op in ("Publish", "PublishBatch"):
        target = p.get("TopicArn") or p.get("TargetArn") or ""
        if not target and p.get("PhoneNumber"):
            target = "*"
        return [Check("sns:Publish", (target,))]
    if op in (
        "GetTopicAttributes",
        "ListSubscriptionsByTopic",
        "Subscribe",
        "SetTopicAttributes",
        "DeleteTopic",
    ):
        return [Check(f"sns:{op}", (p.get("TopicArn", ""),))]
    if op == "ListTopics":
        return [Check("sns:ListTopics", ("*",))]
    return None


# -- DynamoDB -----------------------------------------------------------------------------------------------

DYNAMODB_TABLE_OPS = {
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "DescribeTable",
    "ConditionCheckItem",
    "DescribeTimeToLive",
    "ListTagsOfResource",
    "DescribeContinuousBackups",
}
DYNAMODB_TRANSACT = {
    "ConditionCheck": "ConditionCheckItem",
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
}


def _table_arn(name: str, w: Where) -> str:
    return name if name.startswith("arn:") else w.arn("dynamodb", f"table/{name}")


def _dynamodb(op: str, p: Params, w: Where) -> list[Check] | None:
    if op in DYNAMODB_TABLE_OPS:
        arn = _table_arn(p.get("TableName") or p.get("ResourceArn") or "", w)
        if op in ("Query", "Scan") and p.get("IndexName"):
            arn = f"{arn}/index/{p['IndexName']}"
        return [Check(f"dynamodb:{op}", (arn,))]
    if op in ("BatchWriteItem", "BatchGetItem"):
        return [Check(f"dynamodb:{op}", tuple(_table_arn(t, w) for t in (p.get("RequestItems") or {})))]
    if op in ("TransactWriteItems", "TransactGetItems"):
        checks: dict[str, list[str]] = {}
        for item in p.get("TransactItems") or []:
            for kind, body in item.items():
                action = "GetItem" if kind == "Get" else DYNAMODB_TRANSACT.get(kind, kind)
                checks.setdefault(f"dynamodb:{action}", []).append(_table_arn(body.get("TableName", ""), w))
        return [Check(a, tuple(dict.fromkeys(r))) for a, r in checks.items()]
    if op == "ListTables":
        return [Check("dynamodb:ListTables", ("*",))]
    return None


def _dynamodbstreams(op: str, p: Params, w: Where) -> list[Check] | None:
    if op in ("DescribeStream", "GetShardIterator"):
        return [Check(f"dynamodb:{op}", (p.get("StreamArn", ""),))]
    if op == "GetRecords":  # moto's shard iterator starts with the stream ARN: "<stream arn>|1|<id>"
        iterator = str(p.get("ShardIterator", ""))
        stream = (
            iterator.split("|", 1)[0]
            if iterator.startswith("arn:")
            else w.arn("dynamodb", "table/*/stream/*")
        )
        return [Check("dynamodb:GetRecords", (stream,))]
    if op == "ListStreams":
        return [Check("dynamodb:ListStreams", ("*",))]
    return None


def _kinesis(op: str, p: Params, w: Where) -> list[Check] | None:
    if op in (
        "GetRecords",
        "GetShardIterator",
        "DescribeStream",
        "DescribeStreamSummary",
        "ListShards",
        "PutRecord",
        "PutRecords",
    ):
        arn = p.get("StreamARN") or w.arn("kinesis", f"stream/{p.get('StreamName', '*')}")
        return [Check(f"kinesis:{op}", (arn,))]
    if op == "ListStreams":
        return [Check("kinesis:ListStreams", ("*",))]
    return None


# -- Step Functions, EventBridge, Lambda --------------------------------------------------------------------


def _states(op: str, p: Params, w: Where) -> list[Check] | None:
    if op in ("StartExecution", "StartSyncExecution", "DescribeStateMachine", "ListExecutions"):
        return [Check(f"states:{op}", (p.get("stateMachineArn", ""),))]
    if op in ("DescribeExecution", "StopExecution", "GetExecutionHistory"):
        return [Check(f"states:{op}", (p.get("executionArn", ""),))]
    if op in ("SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat", "ListStateMachines"):
        return [Check(f"states:{op}", ("*",))]
    return None


def _event_bus_arn(name: str, w: Where) -> str:
    return name if name.startswith("arn:") else w.arn("events", f"event-bus/{name or 'default'}")


def _events(op: str, p: Params, w: Where) -> list[Check] | None:
    if op == "PutEvents":
        buses = [_event_bus_arn(e.get("EventBusName") or "default", w) for e in p.get("Entries") or []]
        details = [e["DetailType"] for e in p.get("Entries") or [] if e.get("DetailType")]
        sources = [e["Source"] for e in p.get("Entries") or [] if e.get("Source")]
        context = {"events:detail-type": details, "events:source": sources}
        return [
            Check("events:PutEvents", tuple(dict.fromkeys(buses)) or (_event_bus_arn("default", w),), context)
        ]
    if op in ("DescribeEventBus",):
        return [Check(f"events:{op}", (_event_bus_arn(p.get("Name") or "default", w),))]
    return None


def lambda_function_arn(name: str, w: Where, qualifier: str | None = None) -> str:
    """Function ARN from a name, partial ARN (``123:function:f``) or full ARN; keeps a qualifier."""
    if name.startswith("arn:"):
        return name
    if ":function:" in name:
        account, _, rest = name.partition(":function:")
        return w.arn("lambda", f"function:{rest}").replace(f":{w.account}:", f":{account}:", 1)
    base = w.arn("lambda", f"function:{name}")
    return f"{base}:{qualifier}" if qualifier else base


def _lambda(op: str, p: Params, w: Where) -> list[Check] | None:
    if op in ("Invoke", "InvokeAsync", "InvokeWithResponseStream"):
        action = "lambda:InvokeFunction" if op != "InvokeWithResponseStream" else "lambda:InvokeFunction"
        return [Check(action, (lambda_function_arn(p.get("FunctionName", ""), w, p.get("Qualifier")),))]
    if op in ("GetFunction", "GetFunctionConfiguration", "GetPolicy", "ListVersionsByFunction"):
        return [Check(f"lambda:{op}", (lambda_function_arn(p.get("FunctionName", ""), w),))]
    return None


# -- Logs, KMS, STS, CloudWatch, X-Ray ----------------------------------------------------------------------


def _logs(op: str, p: Params, w: Where) -> list[Check] | None:
    group = p.get("logGroupName", "")
    if op == "CreateLogGroup":
        return [Check("logs:CreateLogGroup", (w.arn("logs", f"log-group:{group}"),))]
    if op in ("CreateLogStream", "PutLogEvents"):
        stream = p.get("logStreamName", "")
        return [Check(f"logs:{op}", (w.arn("logs", f"log-group:{group}:log-stream:{stream}"),))]
    if op in ("DescribeLogStreams", "GetLogEvents", "FilterLogEvents", "PutRetentionPolicy"):
        return [Check(f"logs:{op}", (w.arn("logs", f"log-group:{group}:*"),))]
    if op == "DescribeLogGroups":
        return [Check("logs:DescribeLogGroups", ("*",))]
    return None


def kms_key_arn(key: str, w: Where) -> str:
    if key.startswith("arn:"):
        return key
    return w.arn("kms", key if key.startswith("alias/") else f"key/{key}")


def _kms(op: str, p: Params, w: Where) -> list[Check] | None:
    if op in (
        "Encrypt",
        "Decrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
        "ReEncrypt",
        "DescribeKey",
    ):
        context = {f"kms:EncryptionContext:{k}": v for k, v in (p.get("EncryptionContext") or {}).items()}
        key = p.get("KeyId") or p.get("DestinationKeyId") or "*"
        return [Check(f"kms:{op}", (kms_key_arn(key, w),), context)]
    return None


def _sts(op: str, p: Params, w: Where) -> list[Check] | None:
    if op == "GetCallerIdentity":
        return []  # needs no permission
    if op == "AssumeRole":
        return [Check("sts:AssumeRole", (p.get("RoleArn", ""),))]
    return None


def _star(prefix: str, ops: set[str]) -> Callable[[str, Params, Where], list[Check] | None]:
    """Services whose actions only support ``Resource: "*"``."""

    def mapper(op: str, p: Params, w: Where) -> list[Check] | None:
        return [Check(f"{prefix}:{op}", ("*",))] if op in ops else None

    return mapper


MAPPERS: dict[str, Callable[[str, Params, Where], list[Check] | None]] = {
    "s3": _s3,
    "sqs": _sqs,
    "sns": _sns,
    "dynamodb": _dynamodb,
    "dynamodbstreams": _dynamodbstreams,
    "kinesis": _kinesis,
    "stepfunctions": _states,
    "events": _events,
    "lambda": _lambda,
    "logs": _logs,
    "kms": _kms,
    "sts": _sts,
    "cloudwatch": _star("cloudwatch", {"PutMetricData", "GetMetricData", "ListMetrics"}),
    "xray": _star(
        "xray", {"PutTraceSegments", "PutTelemetryRecords", "GetSamplingRules", "GetSamplingTargets"}
    ),
}


def map_request(service: str, operation: str, params: Params, where: Where) -> list[Check] | None:
    """The checks for one call; ``None``: not known here (report as unmapped)."""
    mapper = MAPPERS.get(service)
    return mapper(operation, params or {}, where) if mapper else None
