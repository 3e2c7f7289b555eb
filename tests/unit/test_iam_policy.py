"""The IAM policy evaluator of the embedded LocalStack (sp_localstack/iam_policy.py), offline."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "localstack"))

from sp_localstack.iam_policy import (  # noqa: E402
    Decision,
    Policy,
    PolicyKind,
    Principal,
    Request,
    conditions_hold,
    denial_message,
    evaluate,
)

ROLE = "arn:aws:sts::000000000000:assumed-role/thumbnail/fn"
BUCKET = "arn:aws:s3:::images"


def policy(*statements: dict[str, Any], kind: PolicyKind = PolicyKind.IDENTITY, name: str = "p") -> Policy:
    return Policy(name, {"Version": "2012-10-17", "Statement": list(statements)}, kind)


def allow(action: Any, resource: Any = "*", sid: str = "", **extra: Any) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource, **extra}
    if sid:
        statement["Sid"] = sid
    return statement


def test_allow_with_action_and_resource_wildcards() -> None:
    p = policy(allow("s3:Get*", f"{BUCKET}/thumbnails/*", sid="ReadThumbs"))
    result = evaluate(Request("s3:GetObject", [f"{BUCKET}/thumbnails/a.png"]), [p])
    assert result.decision is Decision.ALLOW
    assert [ref.sid for ref in result.allowed_by] == ["ReadThumbs"]


def test_actions_match_case_insensitively_resources_do_not() -> None:
    p = policy(allow("S3:getobject", f"{BUCKET}/Key"))
    assert evaluate(Request("s3:GetObject", [f"{BUCKET}/Key"]), [p]).allowed
    assert not evaluate(Request("s3:GetObject", [f"{BUCKET}/key"]), [p]).allowed


def test_no_statement_is_implicit_deny_with_aws_message() -> None:
    p = policy(allow("s3:GetObject", f"{BUCKET}/*"))
    result = evaluate(Request("s3:PutObject", [f"{BUCKET}/k"]), [p])
    assert result.decision is Decision.IMPLICIT_DENY
    assert denial_message(ROLE, result) == (
        f'User: {ROLE} is not authorized to perform: s3:PutObject on resource: "{BUCKET}/k" '
        "because no identity-based policy allows the s3:PutObject action"
    )


def test_explicit_deny_wins_over_allow() -> None:
    deny = {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}
    result = evaluate(Request("s3:DeleteObject", [f"{BUCKET}/k"]), [policy(allow("s3:*")), policy(deny)])
    assert result.decision is Decision.EXPLICIT_DENY
    assert result.denied_by is not None and result.denied_by.sid == "NoDelete"
    assert "with an explicit deny in an identity-based policy" in denial_message(ROLE, result)


def test_not_action_and_not_resource() -> None:
    p = policy(
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "NotResource": [f"{BUCKET}", f"{BUCKET}/*"]},
    )
    assert evaluate(Request("sqs:SendMessage", ["arn:aws:sqs:us-east-1:000000000000:q"]), [p]).allowed
    assert not evaluate(Request("iam:PassRole", ["arn:aws:iam::000000000000:role/r"]), [p]).allowed
    assert evaluate(Request("s3:GetObject", [f"{BUCKET}/k"]), [p]).allowed
    assert evaluate(Request("s3:GetObject", ["arn:aws:s3:::other/k"]), [p]).decision is Decision.EXPLICIT_DENY


def test_every_resource_of_a_request_must_be_allowed() -> None:
    p = policy(allow("dynamodb:BatchWriteItem", "arn:aws:dynamodb:us-east-1:000000000000:table/a"))
    table = "arn:aws:dynamodb:us-east-1:000000000000:table/"
    assert evaluate(Request("dynamodb:BatchWriteItem", [table + "a"]), [p]).allowed
    denied = evaluate(Request("dynamodb:BatchWriteItem", [table + "a", table + "b"]), [p])
    assert not denied.allowed and denied.resource == table + "b"


def test_permissions_boundary_caps_identity_policies() -> None:
    boundary = policy(allow("s3:GetObject"), kind=PolicyKind.BOUNDARY)
    identity = [policy(allow(["s3:GetObject", "s3:PutObject"]))]
    assert evaluate(Request("s3:GetObject", [f"{BUCKET}/k"]), identity, boundary=boundary).allowed
    put = evaluate(Request("s3:PutObject", [f"{BUCKET}/k"]), identity, boundary=boundary)
    assert put.decision is Decision.IMPLICIT_DENY and put.missing is PolicyKind.BOUNDARY
    assert "because no permissions boundary allows the s3:PutObject action" in denial_message(ROLE, put)


def test_policy_variables_in_resources() -> None:
    p = policy(allow("s3:GetObject", BUCKET + "/home/${aws:username}/*"))
    ctx = {"aws:username": "ann"}
    assert evaluate(Request("s3:GetObject", [f"{BUCKET}/home/ann/x"], ctx), [p]).allowed
    assert not evaluate(Request("s3:GetObject", [f"{BUCKET}/home/bob/x"], ctx), [p]).allowed
    assert not evaluate(Request("s3:GetObject", [f"{BUCKET}/home/ann/x"]), [p]).allowed  # unresolved


@pytest.mark.parametrize(
    ("conditions", "context", "expected"),
    [
        ({"StringEquals": {"s3:prefix": ["a/", "b/"]}}, {"s3:prefix": "b/"}, True),
        ({"StringEquals": {"s3:prefix": "a/"}}, {"s3:prefix": "c/"}, False),
        ({"StringEquals": {"s3:prefix": "a/"}}, {}, False),
        ({"StringNotEquals": {"s3:prefix": "a/"}}, {}, True),  # negated operator, key absent: true
        ({"StringNotEquals": {"s3:prefix": "a/"}}, {"s3:prefix": "a/"}, False),
        ({"StringLike": {"s3:prefix": "uploads/*"}}, {"s3:prefix": "uploads/x/"}, True),
        ({"StringNotLike": {"s3:prefix": "uploads/*"}}, {"s3:prefix": "uploads/x/"}, False),
        ({"StringEqualsIfExists": {"s3:prefix": "a/"}}, {}, True),
        ({"StringEqualsIfExists": {"s3:prefix": "a/"}}, {"s3:prefix": "b/"}, False),
        ({"StringEqualsIgnoreCase": {"aws:username": "ANN"}}, {"aws:username": "ann"}, True),
        (
            {"StringEquals": {"AWS:SourceAccount": "123"}},
            {"aws:sourceaccount": "123"},
            True,
        ),  # keys: any case
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::images"}},
            {"aws:SourceArn": "arn:aws:s3:::images"},
            True,
        ),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:events:us-east-1:000000000000:rule/*"}},
            {"aws:SourceArn": "arn:aws:events:us-east-1:000000000000:rule/r1"},
            True,
        ),
        (
            {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:*:*:t"}},
            {"aws:SourceArn": "arn:aws:sns:x:1:u"},
            False,
        ),
        ({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin"}}, {"aws:PrincipalArn": "x"}, True),
        ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": False}, True),
        ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "true"}, False),
        ({"Bool": {"aws:SecureTransport": "false"}}, {}, False),
        ({"Null": {"kms:EncryptionContext:bucket": "true"}}, {}, True),
        ({"Null": {"kms:EncryptionContext:bucket": "false"}}, {}, False),
        ({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, True),
        ({"NumericGreaterThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, False),
        ({"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "ten"}, False),
        (
            {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
            {"aws:CurrentTime": "2026-12-01T00:00:00Z"},
            True,
        ),
        ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "10.1.2.3"}, True),
        ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, {"aws:SourceIp": "10.1.2.3"}, False),
        (
            {"StringEquals": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::images"}},
            {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::images"},
            True,
        ),
        (
            {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}},
            {"kms:ViaService": "s3.us-east-1.amazonaws.com"},
            True,
        ),
        # several keys AND, several operators AND
        (
            {"StringEquals": {"aws:SourceAccount": "1"}, "ArnLike": {"aws:SourceArn": "arn:aws:s3:::b"}},
            {"aws:SourceAccount": "1", "aws:SourceArn": "arn:aws:s3:::other"},
            False,
        ),
        # multi-valued keys and set qualifiers
        ({"ForAnyValue:StringEquals": {"k": ["a", "b"]}}, {"k": ["x", "b"]}, True),
        ({"ForAllValues:StringEquals": {"k": ["a", "b"]}}, {"k": ["a", "x"]}, False),
        ({"ForAllValues:StringEquals": {"k": ["a", "b"]}}, {}, True),
        ({"ForAnyValue:StringEquals": {"k": ["a"]}}, {}, False),
    ],
)
def test_condition_operators(conditions: dict[str, Any], context: dict[str, Any], expected: bool) -> None:
    assert conditions_hold(conditions, context) is expected


def test_condition_on_allow_statement() -> None:
    p = policy(allow("s3:ListBucket", BUCKET, Condition={"StringLike": {"s3:prefix": ["uploads/*"]}}))
    assert evaluate(Request("s3:ListBucket", [BUCKET], {"s3:prefix": "uploads/a"}), [p]).allowed
    assert not evaluate(Request("s3:ListBucket", [BUCKET], {"s3:prefix": "secret/"}), [p]).allowed


def test_tls_only_bucket_policy_denies_plain_http_even_for_an_allowed_role() -> None:
    bucket_policy = policy(
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [BUCKET, f"{BUCKET}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        kind=PolicyKind.RESOURCE,
    )
    caller = Principal(arn=ROLE, account="000000000000", role_arn="arn:aws:iam::000000000000:role/thumbnail")
    identity = [policy(allow("s3:GetObject", f"{BUCKET}/*"))]
    http = Request("s3:GetObject", [f"{BUCKET}/k"], {"aws:SecureTransport": False})
    https = Request("s3:GetObject", [f"{BUCKET}/k"], {"aws:SecureTransport": True})
    denied = evaluate(http, identity, resource_policy=bucket_policy, principal=caller)
    assert denied.decision is Decision.EXPLICIT_DENY
    assert "explicit deny in a resource-based policy" in denial_message(ROLE, denied)
    assert evaluate(https, identity, resource_policy=bucket_policy, principal=caller).allowed


LAMBDA_ARN = "arn:aws:lambda:us-east-1:000000000000:function:ingest"


def lambda_permission(service: str, source_arn: str) -> Policy:
    return policy(
        {
            "Sid": "AllowS3",
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "lambda:InvokeFunction",
            "Resource": LAMBDA_ARN,
            "Condition": {
                "StringEquals": {"AWS:SourceAccount": "000000000000"},
                "ArnLike": {"AWS:SourceArn": source_arn},
            },
        },
        kind=PolicyKind.RESOURCE,
    )


def test_resource_policy_matches_service_principal_source_arn_and_account() -> None:
    perm = lambda_permission("s3.amazonaws.com", BUCKET)
    s3 = Principal(service="s3.amazonaws.com")
    ok = {"aws:SourceArn": BUCKET, "aws:SourceAccount": "000000000000"}
    assert evaluate(
        Request("lambda:InvokeFunction", [LAMBDA_ARN], ok), resource_policy=perm, principal=s3
    ).allowed
    wrong_bucket = {**ok, "aws:SourceArn": "arn:aws:s3:::other"}
    denied = evaluate(
        Request("lambda:InvokeFunction", [LAMBDA_ARN], wrong_bucket), resource_policy=perm, principal=s3
    )
    assert denied.decision is Decision.IMPLICIT_DENY and denied.missing is PolicyKind.RESOURCE
    sns = Principal(service="sns.amazonaws.com")
    assert not evaluate(
        Request("lambda:InvokeFunction", [LAMBDA_ARN], ok), resource_policy=perm, principal=sns
    ).allowed


def test_key_policy_needs_account_delegation_for_identity_grants() -> None:
    key = "arn:aws:kms:us-east-1:000000000000:key/k1"
    caller = Principal(arn=ROLE, account="000000000000", role_arn="arn:aws:iam::000000000000:role/thumbnail")
    identity = [policy(allow("kms:Decrypt", key))]
    delegating = policy(
        {
            "Sid": "EnableIAM",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
            "Action": "kms:*",
            "Resource": "*",
        },
        kind=PolicyKind.RESOURCE,
    )
    closed = policy(
        {
            "Sid": "OnlyAdmin",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::000000000000:role/admin"},
            "Action": "kms:*",
            "Resource": "*",
        },
        kind=PolicyKind.RESOURCE,
    )
    req = Request("kms:Decrypt", [key])
    assert evaluate(req, identity, resource_policy=delegating, principal=caller, key_policy=True).allowed
    assert not evaluate(req, [], resource_policy=delegating, principal=caller, key_policy=True).allowed
    refused = evaluate(req, identity, resource_policy=closed, principal=caller, key_policy=True)
    assert refused.decision is Decision.IMPLICIT_DENY and refused.missing is PolicyKind.RESOURCE


def test_resource_policy_naming_the_role_allows_without_identity_grant() -> None:
    queue = "arn:aws:sqs:us-east-1:000000000000:q"
    caller = Principal(arn=ROLE, account="000000000000", role_arn="arn:aws:iam::000000000000:role/thumbnail")
    queue_policy = policy(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::000000000000:role/thumbnail"},
            "Action": "sqs:SendMessage",
            "Resource": queue,
        },
        kind=PolicyKind.RESOURCE,
    )
    assert evaluate(
        Request("sqs:SendMessage", [queue]), [], resource_policy=queue_policy, principal=caller
    ).allowed


def test_policy_documents_parse_from_json_and_single_statement_objects() -> None:
    p = Policy.parse("inline", '{"Statement": {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}}')
    assert evaluate(Request("sns:Publish", ["arn:aws:sns:us-east-1:000000000000:t"]), [p]).allowed
