"""Fault injection decisions (tests/localstack/sp_localstack/faults.py), without LocalStack."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "localstack"))

from sp_localstack.faults import (  # noqa: E402 - after the path set-up
    DEFAULT_ERRORS,
    FaultConfigError,
    FaultInjector,
    Request,
    classify_caller,
    parse_document,
)

S3_GET = Request(service="s3", operation="GetObject", caller="function")


def injector(rules: list[dict[str, object]], seed: int = 1) -> FaultInjector:
    inj = FaultInjector()
    inj.load({"seed": seed, "rules": rules})
    return inj


def test_off_by_default_injects_nothing_and_counts_nothing() -> None:
    inj = FaultInjector()
    assert not inj.enabled
    assert all(not inj.decide(S3_GET).injects for _ in range(100))
    assert inj.decide_kill("fn") is None
    assert inj.report() == {
        "enabled": False,
        "rules": [],
        "injected": {"total": 0, "by_kind": {}},
        "traffic": [],
    }


@pytest.mark.parametrize(
    ("service", "code", "status"),
    [
        ("s3", "SlowDown", 503),
        ("dynamodb", "ProvisionedThroughputExceededException", 400),
        ("sns", "Throttling", 400),
        ("lambda", "TooManyRequestsException", 429),
        ("sqs", "InternalError", 500),
    ],
)
def test_default_error_per_service_is_awss_own(service: str, code: str, status: int) -> None:
    inj = injector([{"service": service, "rate": 1.0}])
    decision = inj.decide(Request(service=service, operation="Any", caller="function"))
    assert decision.error is not None
    assert (decision.error.code, decision.error.status) == (code, status)
    assert DEFAULT_ERRORS[service] == decision.error


def test_named_error_resolves_its_status() -> None:
    inj = injector([{"service": "dynamodb", "error": "ThrottlingException"}])
    decision = inj.decide(Request("dynamodb", "PutItem", "role"))
    assert (
        decision.error is not None
        and decision.error.code == "ThrottlingException"
        and decision.error.status == 400
    )


def test_rate_is_honoured_and_seeded() -> None:
    rules: list[dict[str, object]] = [{"service": "s3", "rate": 0.25}]
    runs = []
    for _ in range(2):
        inj = injector(rules, seed=42)
        runs.append([inj.decide(S3_GET).injects for _ in range(2000)])
    assert runs[0] == runs[1], "same seed, same decisions"
    assert 400 < sum(runs[0]) < 600
    report_inj = injector(rules, seed=42)
    for _ in range(2000):
        report_inj.decide(S3_GET)
    rule = report_inj.report()["rules"][0]
    assert rule["matched"] == 2000 and rule["injected"] == sum(runs[0])


def test_matching_by_operation_and_caller() -> None:
    inj = injector(
        [
            {"service": "lambda", "operation": "Invoke", "callers": ["role"], "rate": 1.0},
            {"service": "sqs", "callers": ["service:sns", "client"], "rate": 1.0},
        ]
    )
    assert inj.decide(Request("lambda", "Invoke", "role")).injects
    assert not inj.decide(Request("lambda", "Invoke", "function")).injects
    assert not inj.decide(Request("lambda", "GetFunction", "role")).injects
    assert inj.decide(Request("sqs", "SendMessage", "service:sns")).injects
    assert not inj.decide(Request("sqs", "SendMessage", "service:s3")).injects
    assert inj.decide(Request("sqs", "SendMessage", "client")).injects


def test_default_callers_spare_the_client_and_internal_deliveries() -> None:
    inj = injector([{"service": "s3", "rate": 1.0}])
    assert inj.decide(Request("s3", "PutObject", "function")).injects
    assert inj.decide(Request("s3", "PutObject", "role")).injects
    assert not inj.decide(Request("s3", "PutObject", "client")).injects
    assert not inj.decide(Request("s3", "PutObject", "service:sqs")).injects


def test_service_caller_pattern_matches_any_principal() -> None:
    inj = injector([{"service": "lambda", "callers": ["service"], "rate": 1.0}])
    assert inj.decide(Request("lambda", "Invoke", "service:events")).injects
    assert not inj.decide(Request("lambda", "Invoke", "role")).injects


def test_delay_only_rule() -> None:
    inj = injector([{"service": "sqs", "operation": "ReceiveMessage", "error": None, "delay_ms": 250}])
    decision = inj.decide(Request("sqs", "ReceiveMessage", "role"))
    assert decision.injects and decision.error is None and decision.delay_s == pytest.approx(0.25)
    assert inj.report()["injected"]["by_kind"] == {"sqs:delay": 1}


def test_max_count_caps_injections() -> None:
    inj = injector([{"service": "sns", "rate": 1.0, "max_count": 3}])
    hits = [inj.decide(Request("sns", "Publish", "function")).injects for _ in range(10)]
    assert hits == [True] * 3 + [False] * 7


def test_first_firing_rule_wins_and_counts_are_per_kind() -> None:
    inj = injector(
        [
            {"name": "slow", "service": "s3", "operation": "GetObject", "rate": 1.0, "max_count": 2},
            {"name": "broken", "service": "s3", "error": "InternalError", "rate": 1.0},
        ]
    )
    codes: Counter[str] = Counter()
    for _ in range(5):
        decision = inj.decide(S3_GET)
        assert decision.error is not None
        codes[decision.error.code] += 1
    assert codes == {"SlowDown": 2, "InternalError": 3}
    report = inj.report()
    assert report["injected"] == {"total": 5, "by_kind": {"s3:InternalError": 3, "s3:SlowDown": 2}}
    assert report["traffic"] == [
        {"caller": "function", "service": "s3", "operation": "GetObject", "count": 5}
    ]


def test_kill_rules() -> None:
    inj = injector([{"kill": "imgpipe-dev-thumbnail", "rate": 1.0, "after_ms": 40}])
    assert inj.decide_kill("imgpipe-dev-ingest") is None
    assert inj.decide_kill("imgpipe-dev-thumbnail") == ("kill:imgpipe-dev-thumbnail", 0.04)
    assert not inj.decide(Request("lambda", "Invoke", "role")).injects, "a kill rule never matches requests"
    inj.unkill("kill:imgpipe-dev-thumbnail")
    assert inj.report()["injected"] == {"total": 0, "by_kind": {"kill": 0}}


def test_clear_turns_it_off() -> None:
    inj = injector([{"service": "s3"}])
    inj.clear()
    assert not inj.enabled and not inj.decide(S3_GET).injects


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "expected a JSON object"),
        ({"rules": {}}, "rules: expected a list"),
        ({"rules": [{"rate": 1}]}, "needs 'service'"),
        ({"rules": [{"service": "s3", "rate": 2}]}, "rate: must be 0-1"),
        ({"rules": [{"service": "s3", "rate": True}]}, "rate: expected"),
        ({"rules": [{"service": "s3", "error": "NoSuchThing"}]}, "not an error this harness knows"),
        ({"rules": [{"service": "kinesis"}]}, "no default error"),
        ({"rules": [{"service": "s3", "error": None}]}, "needs delay_ms"),
        ({"rules": [{"service": "s3", "callers": ["everyone"]}]}, "callers"),
        ({"rules": [{"service": "s3", "colour": "red"}]}, "unknown field"),
        ({"rules": [{"service": "s3"}, {"service": "s3"}]}, "unique"),
        ({"rules": [{"kill": "fn", "after_ms": -1}]}, "after_ms"),
        ({"seed": "x", "rules": []}, "seed"),
    ],
)
def test_bad_documents_are_rejected_with_the_field_named(doc: object, message: str) -> None:
    with pytest.raises(FaultConfigError, match=message):
        parse_document(doc)


def test_load_json_rejects_non_json() -> None:
    with pytest.raises(FaultConfigError, match="not JSON"):
        FaultInjector().load_json("{nope")


@pytest.mark.parametrize(
    ("kwargs", "caller"),
    [
        (
            {
                "service_principal": "sns",
                "internal": True,
                "user_agent": "Boto3/1.42",
                "has_session_token": False,
            },
            "service:sns",
        ),
        (
            {"service_principal": None, "internal": True, "user_agent": "", "has_session_token": False},
            "service:localstack",
        ),
        (
            {"service_principal": None, "internal": True, "user_agent": "Boto3", "has_session_token": True},
            "role",
        ),
        (
            {
                "service_principal": None,
                "internal": False,
                "user_agent": "Boto3/1.40 exec-env/AWS_Lambda_python3.12",
                "has_session_token": True,
            },
            "function",
        ),
        (
            {
                "service_principal": None,
                "internal": False,
                "user_agent": "Boto3/1.42 md/Botocore",
                "has_session_token": True,
            },
            "role",
        ),
        (
            {
                "service_principal": None,
                "internal": False,
                "user_agent": "Boto3/1.42",
                "has_session_token": False,
            },
            "client",
        ),
    ],
)
def test_classify_caller(kwargs: dict[str, object], caller: str) -> None:
    assert classify_caller(**kwargs) == caller
