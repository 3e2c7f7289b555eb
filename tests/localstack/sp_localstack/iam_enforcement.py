"""IAM enforcement in the LocalStack gateway: a request handler that evaluates each call as AWS would.

``IAM_ENFORCEMENT=enforce|report|off`` (default ``report``). Who is checked:

- a caller whose access key is an STS session of a role (``arn:aws:sts::<acct>:assumed-role/<role>/<s>``):
  functions (LocalStack hands each execution environment credentials of its execution role), the state
  machine's task calls and the event source mapping pollers (LocalStack assumes their roles too). Its
  role's inline and customer-managed policies and its permissions boundary are evaluated
  (``iam_policy.evaluate``) for the action/resources ``iam_mapping.map_request`` derives from the call;
- a service delivering on a resource's behalf (LocalStack's internal calls carry the service principal and
  the source ARN): S3/SNS/EventBridge/API Gateway -> ``lambda:InvokeFunction`` against the function's
  resource policy, S3/SNS -> ``sqs:SendMessage`` against the queue policy, S3/CloudWatch -> ``sns:Publish``
  against the topic policy;
- everyone else (the static test credentials of Terraform and the tests) is admin.

Denied calls get the service's AccessDenied error (``enforce``) or only a log line (``report``). Every
decision is counted per role; ``iam_report`` writes the report (``$SP_IAM_REPORT_DIR``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from localstack.aws.api import CommonServiceException, RequestContext
from localstack.aws.chain import HandlerChain
from localstack.constants import DEFAULT_AWS_ACCOUNT_ID
from localstack.http import Response
from localstack.services.iam.models import iam_stores
from localstack.services.sts.models import sts_stores

from .iam_mapping import Check, Where, lambda_function_arn, map_request, sqs_queue_arn
from .iam_policy import (
    Decision,
    Policy,
    PolicyKind,
    Principal,
    Request,
    Result,
    denial_message,
    evaluate,
)
from .iam_report import RECORDER

LOG = logging.getLogger("sp_localstack.iam")
MODES = ("enforce", "report", "off")

# error code, HTTP status of an authorization failure per service (the botocore service name)
DENIED_ERRORS: dict[str, tuple[str, int]] = {
    "s3": ("AccessDenied", 403),
    "sqs": ("AccessDenied", 403),
    "sns": ("AuthorizationError", 403),
    "sts": ("AccessDenied", 403),
    "lambda": ("AccessDeniedException", 403),
    "cloudwatch": ("AccessDenied", 403),
}
DEFAULT_DENIED_ERROR = ("AccessDeniedException", 400)  # JSON protocol services: DynamoDB, SFN, Events, ...

SERVICE_PRINCIPALS = {
    "s3": "s3.amazonaws.com",
    "sns": "sns.amazonaws.com",
    "events": "events.amazonaws.com",
    "apigateway": "apigateway.amazonaws.com",
    "cloudwatch": "cloudwatch.amazonaws.com",
    "lambda": "lambda.amazonaws.com",
    "states": "states.amazonaws.com",
    "sqs": "sqs.amazonaws.com",
    "pipes": "pipes.amazonaws.com",
    "scheduler": "scheduler.amazonaws.com",
}


def mode() -> str:
    value = os.environ.get("IAM_ENFORCEMENT", "report").strip().lower() or "report"
    if value not in MODES:
        raise ValueError(f"IAM_ENFORCEMENT must be one of {'|'.join(MODES)}, not {value!r}")
    return value


@dataclass(frozen=True)
class Caller:
    arn: str  # arn:aws:sts::<acct>:assumed-role/<role>/<session>
    role_name: str
    account: str

    @property
    def role_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:role/{self.role_name}"

    def principal(self) -> Principal:
        return Principal(arn=self.arn, account=self.account, role_arn=self.role_arn)


def _access_key(context: RequestContext) -> str | None:
    # a presigned URL first: LocalStack injects a placeholder Authorization header when there is none
    credential = context.request.args.get("X-Amz-Credential")
    if credential:
        return credential.split("/", 1)[0]
    auth = context.request.headers.get("Authorization") or ""
    if "Credential=" in auth:
        return auth.split("Credential=", 1)[1].split("/", 1)[0].strip()
    return None


def identify(context: RequestContext) -> Caller | None:
    """The assumed-role session behind the request's access key, if it is one."""
    key = _access_key(context)
    if not key or len(key) < 16:
        return None
    creds = sts_stores[DEFAULT_AWS_ACCOUNT_ID]["us-east-1"].credentials.get(key)
    if creds is None or ":assumed-role/" not in creds.arn:
        return None
    role_name = creds.arn.split(":assumed-role/", 1)[1].split("/", 1)[0]
    return Caller(arn=creds.arn, role_name=role_name, account=creds.account_id)


@lru_cache(maxsize=2048)
def _parsed(name: str, document: str, kind: PolicyKind) -> Policy:
    from urllib.parse import unquote

    text = document if document.lstrip().startswith("{") else unquote(document)
    return Policy.parse(name, text, kind)


def _document(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _managed_policy(store: Any, arn: str, kind: PolicyKind) -> Policy | None:
    entity = store.MANAGED_POLICIES.get(arn)
    if entity is None:
        return None
    version = entity.versions.get(entity.policy.get("DefaultVersionId") or "v1")
    if not version or version.get("Document") is None:
        return None
    return _parsed(arn, _document(version["Document"]), kind)


def role_policies(account: str, role_name: str) -> tuple[list[Policy], Policy | None, bool]:
    """(identity policies, permissions boundary, every attached policy known) of a role."""
    store = iam_stores[account]["us-east-1"]
    entity = store.ROLES.get(role_name)
    if entity is None:
        return [], None, True
    policies = [
        _parsed(f"{role_name}/{name}", _document(doc), PolicyKind.IDENTITY)
        for name, doc in entity.inline_policies.items()
    ]
    complete = True
    for arn in entity.attached_policy_arns:
        policy = _managed_policy(store, arn, PolicyKind.IDENTITY)
        if policy is None:
            complete = False  # an AWS managed policy: LocalStack has no document for it
            LOG.warning("IAM: role %s: attached policy %s has no document here; ignored", role_name, arn)
        else:
            policies.append(policy)
    boundary = None
    boundary_arn = (entity.role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
    if boundary_arn:
        boundary = _managed_policy(store, boundary_arn, PolicyKind.BOUNDARY)
    return policies, boundary, complete


def all_roles() -> dict[str, list[Policy]]:
    """Every role of the default account with its identity policies (for the unused-grant report)."""
    store = iam_stores[DEFAULT_AWS_ACCOUNT_ID]["us-east-1"]
    return {name: role_policies(DEFAULT_AWS_ACCOUNT_ID, name)[0] for name in list(store.ROLES)}


def _deny(service: str, caller_arn: str, result: Result) -> CommonServiceException:
    code, status = DENIED_ERRORS.get(service, DEFAULT_DENIED_ERROR)
    return CommonServiceException(
        code, denial_message(caller_arn, result), status_code=status, sender_fault=True
    )


def _where(context: RequestContext) -> Where:
    return Where(region=context.region or "us-east-1", account=context.account_id or DEFAULT_AWS_ACCOUNT_ID)


def _common_context(context: RequestContext, caller: Caller | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "aws:SecureTransport": context.request.scheme == "https",
        "aws:CurrentTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "aws:EpochTime": str(int(time.time())),
        "aws:RequestedRegion": context.region or "us-east-1",
    }
    if caller is not None:
        values.update(
            {
                "aws:PrincipalArn": caller.role_arn,
                "aws:PrincipalAccount": caller.account,
                "aws:PrincipalType": "AssumedRole",
                "aws:userid": caller.arn.rsplit("/", 1)[-1],
            }
        )
    return values


# -- resource policies of service deliveries ----------------------------------------------------------------


def _arn_parts(arn: str) -> tuple[str, str, str]:
    """(region, account, resource) of an ARN."""
    parts = arn.split(":", 5)
    return (parts[3], parts[4], parts[5]) if len(parts) == 6 else ("", "", arn)


def _lambda_policy(function_arn: str, where: Where) -> Policy | None:
    from localstack.services.lambda_.invocation.models import lambda_stores

    region, account, resource = _arn_parts(function_arn)
    name, _, qualifier = resource.removeprefix("function:").partition(":")
    function = lambda_stores[account or where.account][region or where.region].functions.get(name)
    permission = function.permissions.get(qualifier or "$LATEST") if function else None
    if permission is None:
        return None
    document = json.dumps(dataclasses.asdict(permission.policy), sort_keys=True)
    return _parsed(f"lambda:{function_arn}", document, PolicyKind.RESOURCE)


def _queue_policy(queue_arn: str, where: Where) -> Policy | None:
    from localstack.services.sqs.models import sqs_stores

    region, account, name = _arn_parts(queue_arn)
    queue = sqs_stores[account or where.account][region or where.region].queues.get(name)
    document = queue.attributes.get("Policy") if queue else None
    return _parsed(f"sqs:{queue_arn}", document, PolicyKind.RESOURCE) if document else None


def _topic_policy(topic_arn: str, where: Where) -> Policy | None:
    from localstack.services.sns.models import sns_stores

    region, account, _ = _arn_parts(topic_arn)
    topic = sns_stores[account or where.account][region or where.region].topics.get(topic_arn)
    document = topic["attributes"].get("Policy") if topic else None
    return _parsed(f"sns:{topic_arn}", document, PolicyKind.RESOURCE) if document else None


def _delivery_policy(service: str, op: str, params: Any, where: Where) -> tuple[Check, Policy | None] | None:
    """The resource policy a service delivery is checked against, or None when AWS checks none."""
    if service == "lambda" and op in ("Invoke", "InvokeAsync"):
        arn = lambda_function_arn(params.get("FunctionName", ""), where, params.get("Qualifier"))
        return Check("lambda:InvokeFunction", (arn,)), _lambda_policy(arn, where)
    if service == "sqs" and op in ("SendMessage", "SendMessageBatch"):
        arn = sqs_queue_arn(params.get("QueueUrl", ""), where)
        return Check("sqs:SendMessage", (arn,)), _queue_policy(arn, where)
    if service == "sns" and op == "Publish":
        arn = params.get("TopicArn") or ""
        return Check("sns:Publish", (arn,)), _topic_policy(arn, where)
    return None


# -- the handler --------------------------------------------------------------------------------------------


class IamEnforcementHandler:
    """Request handler (LocalStack's ``serve_custom_service_request_handlers``)."""

    def __init__(self, mode_name: str) -> None:
        self.mode = mode_name

    def __call__(self, chain: HandlerChain, context: RequestContext, response: Response) -> None:
        if self.mode == "off" or context.service is None or context.operation is None:
            return
        started = time.perf_counter()
        try:
            caller = identify(context)
            if caller is not None:
                self._check_identity(context, caller)
            else:
                self._check_delivery(context)
        finally:
            RECORDER.timed(context.service.service_name, time.perf_counter() - started)

    def _check_identity(self, context: RequestContext, caller: Caller) -> None:
        assert context.service is not None and context.operation is not None
        service, op = context.service.service_name, context.operation.name
        params = context.service_request or {}
        if op == "CreateLogGroup" and str(params.get("logGroupName", "")).startswith("/aws/lambda/"):
            # LocalStack's Lambda log shipper (running as the function's role) calls CreateLogGroup again
            # whenever a stream is missing; Lambda on AWS does not (the root creates every group)
            RECORDER.skipped(caller.role_name, "logs:CreateLogGroup (Lambda log shipping)")
            return
        checks = map_request(service, op, params, _where(context))
        if checks is None:
            RECORDER.unmapped(caller.role_name, f"{service}:{op}")
            return
        policies, boundary, _ = role_policies(caller.account, caller.role_name)
        common = _common_context(context, caller)
        for check in checks:
            ctx = {**common, **check.context}
            result = evaluate(Request(check.action, check.resources, ctx), policies, boundary)
            RECORDER.decision(caller.role_name, result, policies)
            if result.decision is not Decision.ALLOW:
                message = denial_message(caller.arn, result)
                LOG.warning("IAM %s: %s", "DENY" if self.mode == "enforce" else "would deny", message)
                if self.mode == "enforce":
                    raise _deny(service, caller.arn, result)

    def _check_delivery(self, context: RequestContext) -> None:
        params = context.internal_request_params or {}
        principal_name = params.get("service_principal")
        if not principal_name:
            return  # admin: the static test credentials
        assert context.service is not None and context.operation is not None
        service, op = context.service.service_name, context.operation.name
        where = _where(context)
        found = _delivery_policy(service, op, context.service_request or {}, where)
        if found is None:
            return
        check, policy = found
        source_arn = params.get("source_arn") or ""
        source_account = source_arn.split(":")[4] if source_arn.count(":") >= 5 else ""
        service_principal = SERVICE_PRINCIPALS.get(principal_name, f"{principal_name}.amazonaws.com")
        # services call each other over TLS on AWS (the emulator's internal calls are plain HTTP)
        ctx = {**_common_context(context, None), "aws:SourceArn": source_arn, "aws:SecureTransport": True}
        ctx["aws:SourceAccount"] = source_account or where.account
        if policy is None:
            result = Result(
                Decision.IMPLICIT_DENY, check.action, check.resources[0], missing=PolicyKind.RESOURCE
            )
        else:
            result = evaluate(
                Request(check.action, check.resources, ctx),
                resource_policy=policy,
                principal=Principal(service=service_principal),
            )
        RECORDER.delivery(service_principal, source_arn, result)
        if result.decision is not Decision.ALLOW:
            LOG.warning(
                "IAM %s delivery: %s -> %s on %s (source %s): no resource-based policy statement allows it",
                "REFUSED" if self.mode == "enforce" else "would refuse",
                service_principal,
                check.action,
                result.resource,
                source_arn or "-",
            )
            if self.mode == "enforce":
                raise _deny(service, service_principal, result)


def install() -> None:
    """Called from the plugin hook at startup: put the handler into LocalStack's gateway chain."""
    from localstack.aws.handlers import serve_custom_service_request_handlers

    chosen = mode()
    RECORDER.start(os.environ.get("SP_IAM_REPORT_DIR") or "", chosen, all_roles)
    if chosen == "off":
        LOG.info("IAM enforcement off (IAM_ENFORCEMENT=off)")
        return
    serve_custom_service_request_handlers.append(IamEnforcementHandler(chosen))
    LOG.info("IAM enforcement: %s (report: %s)", chosen, RECORDER.directory or "not written")
