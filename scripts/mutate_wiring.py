#!/usr/bin/env python3
"""Wiring mutation harness: break one wire at a time in a copy of the project, run the matching tests.

Each mutant is a fixed, meaningful edit (a string that must occur in the file, replaced by another) and
names the check that must catch it: the root plan tests (tests/wiring.tftest.hcl, offline mock
provider) or a unit test file. A mutant is KILLED when its check fails, SURVIVED when it passes. The
unmutated copy must pass every check first. Prints a table and the score; exits 0 either way unless
--strict (then non-zero when a mutant survived or a baseline failed).

usage: scripts/mutate_wiring.py [--jobs N] [--only ID[,ID...]] [--list] [--strict]
"""

# ruff: noqa: E501  (the mutant table quotes source lines verbatim)
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIRING = "tftest:tests/wiring.tftest.hcl"
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    ".local",
    "mutants",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    "*.tfstate*",
)

CATCH_ALL = '{ "ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "HandleError" }'
CATCH_VALIDATION = '{ "ErrorEquals": ["ValidationError"], "ResultPath": "$.error", "Next": "HandleError" }'


@dataclass(frozen=True)
class Mutant:
    id: str
    description: str
    path: str
    old: str
    new: str
    check: str  # "tftest:<test file>" (root dir) or "pytest:<path>"
    occurrence: int = 1  # which occurrence of `old` to replace (1-based)


MUTANTS = [
    # --- the audit's list (issue 14) -----------------------------------------------------------------
    Mutant(
        "sfn-swap-lambdas",
        "state machine: ValidateInput and GenerateThumbnail ARNs swapped",
        "image_pipeline.tf",
        'validate_input_arn          = module.function["validate_input"].function_arn\n    thumbnail_arn               = module.function["thumbnail"].function_arn',
        'validate_input_arn          = module.function["thumbnail"].function_arn\n    thumbnail_arn               = module.function["validate_input"].function_arn',
        WIRING,
    ),
    Mutant(
        "sfn-validate-no-catch-all",
        "ValidateInput: States.ALL Catch deleted",
        "templates/image_pipeline.asl.json",
        f"{CATCH_VALIDATION},\n        {CATCH_ALL}",
        CATCH_VALIDATION,
        WIRING,
        occurrence=1,
    ),
    Mutant(
        "sfn-thumbnail-no-catch-all",
        "GenerateThumbnail: States.ALL Catch deleted",
        "templates/image_pipeline.asl.json",
        f"{CATCH_VALIDATION},\n        {CATCH_ALL}",
        CATCH_VALIDATION,
        WIRING,
        occurrence=2,
    ),
    Mutant(
        "sfn-store-no-catch-all",
        "StoreMetadata: States.ALL Catch deleted",
        "templates/image_pipeline.asl.json",
        f'"Catch": [\n        {CATCH_ALL}\n      ],',
        '"Catch": [],',
        WIRING,
    ),
    Mutant(
        "ingest-no-batch-failures",
        "ingest mapping: report_batch_item_failures off",
        "image_pipeline.tf",
        "report_batch_item_failures         = true",
        "report_batch_item_failures         = false",
        WIRING,
    ),
    Mutant(
        "stream-no-batch-failures",
        "stream mapping: report_batch_item_failures off",
        "order_events.tf",
        "report_batch_item_failures     = true",
        "report_batch_item_failures     = false",
        WIRING,
    ),
    Mutant(
        "high-value-gte",
        "high-value rule: > threshold became >=",
        "order_events.tf",
        'numeric = [">", var.high_value_threshold]',
        'numeric = [">=", var.high_value_threshold]',
        WIRING,
    ),
    Mutant(
        "orders-api-no-putitem",
        "orders_api role: dynamodb:PutItem dropped (orders table)",
        "functions.tf",
        '"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"',
        '"dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"',
        WIRING,
    ),
    Mutant(
        "validate-no-etag-pin",
        "validate_input: GET no longer pinned to the HEAD's ETag",
        "functions/validate_input/validate_input_s3.py",
        'params["IfMatch"] = etag',
        "pass",
        "pytest:tests/unit/functions/test_validate_input_pinning.py",
    ),
    # --- more wires ----------------------------------------------------------------------------------
    Mutant(
        "validate-etag-not-passed",
        "validate_input service: reads without the ETag",
        "functions/validate_input/validate_input_service.py",
        "min(head.size, HEADER_BYTES), head.etag or None)",
        "min(head.size, HEADER_BYTES), None)",
        "pytest:tests/unit/functions/test_validate_input_pinning.py",
    ),
    Mutant(
        "sfn-validate-retry-attempts",
        "ValidateInput: MaxAttempts 2 -> 5",
        "templates/image_pipeline.asl.json",
        '"MaxAttempts": ${retry_max_attempts}',
        '"MaxAttempts": 5',
        WIRING,
        occurrence=1,
    ),
    Mutant(
        "sfn-notify-catch-added",
        "NotifyComplete: a Catch that swallows publish failures",
        "templates/image_pipeline.asl.json",
        '"ResultPath": null,\n      "Retry": [\n        {\n          "ErrorEquals": ["SNS.ThrottledException"',
        '"ResultPath": null,\n      "Catch": ['
        + CATCH_ALL
        + '],\n      "Retry": [\n        {\n          "ErrorEquals": ["SNS.ThrottledException"',
        WIRING,
    ),
    Mutant(
        "sfn-metadata-wrong-table",
        "StoreMetadata writes the orders table",
        "image_pipeline.tf",
        "metadata_table_name         = aws_dynamodb_table.metadata.name",
        "metadata_table_name         = aws_dynamodb_table.orders.name",
        WIRING,
    ),
    Mutant(
        "sfn-errors-topic-swapped",
        "HandleError publishes to image-processed",
        "image_pipeline.tf",
        'processing_errors_topic_arn = aws_sns_topic.this["processing-errors"].arn',
        'processing_errors_topic_arn = aws_sns_topic.this["image-processed"].arn',
        WIRING,
    ),
    Mutant(
        "stream-no-bisect",
        "stream mapping: bisect_batch_on_function_error off",
        "order_events.tf",
        "bisect_batch_on_function_error = true",
        "bisect_batch_on_function_error = false",
        WIRING,
    ),
    Mutant(
        "stream-wrong-dlq",
        "stream mapping: on-failure destination is high-value-dlq",
        "order_events.tf",
        'on_failure_destination_arn     = aws_sqs_queue.this["stream-dlq"].arn',
        'on_failure_destination_arn     = aws_sqs_queue.this["high-value-dlq"].arn',
        WIRING,
    ),
    Mutant(
        "ingest-no-max-concurrency",
        "ingest mapping: maximum_concurrency dropped",
        "image_pipeline.tf",
        "maximum_concurrency                = var.ingest_maximum_concurrency",
        "maximum_concurrency                = null",
        WIRING,
    ),
    Mutant(
        "queue-audit-wrong-source",
        "audit queue policy: SourceArn is processing-errors",
        "messaging.tf",
        'service = "sns.amazonaws.com", source_arn = aws_sns_topic.this["image-processed"].arn',
        'service = "sns.amazonaws.com", source_arn = aws_sns_topic.this["processing-errors"].arn',
        WIRING,
    ),
    Mutant(
        "queue-ingest-wrong-principal",
        "image-ingest queue policy: principal sns instead of s3",
        "messaging.tf",
        'image-ingest   = { service = "s3.amazonaws.com"',
        'image-ingest   = { service = "sns.amazonaws.com"',
        WIRING,
    ),
    Mutant(
        "notify-subscribes-errors",
        "notify subscribes to processing-errors",
        "image_pipeline.tf",
        'image-processed = { topic_arn = aws_sns_topic.this["image-processed"].arn }',
        'image-processed = { topic_arn = aws_sns_topic.this["processing-errors"].arn }',
        WIRING,
    ),
    Mutant(
        "rule-wrong-detail-type",
        "high-value rule matches OrderStatusChanged",
        "order_events.tf",
        '"detail-type" = ["OrderCreated"]',
        '"detail-type" = ["OrderStatusChanged"]',
        WIRING,
    ),
    Mutant(
        "rule-no-dlq",
        "high-value target: dead-letter queue dropped",
        "order_events.tf",
        'dead_letter_arn = aws_sqs_queue.this["high-value-dlq"].arn',
        "dead_letter_arn = null",
        WIRING,
    ),
    Mutant(
        "alarm-missing-breaching",
        "function alarms: treat_missing_data breaching",
        "alarms.tf",
        'treat_missing_data  = "notBreaching"',
        'treat_missing_data  = "breaching"',
        WIRING,
        occurrence=1,
    ),
    Mutant(
        "alarm-dlq-wrong-metric",
        "DLQ depth alarms: NumberOfMessagesSent instead of visible depth",
        "alarms.tf",
        'metric_name         = "ApproximateNumberOfMessagesVisible"',
        'metric_name         = "NumberOfMessagesSent"',
        WIRING,
    ),
    Mutant(
        "alarm-dlq-threshold",
        "DLQ depth alarms: threshold 0 -> 1",
        "alarms.tf",
        "threshold           = 0\n",
        "threshold           = 1\n",
        WIRING,
        occurrence=1,
    ),
    Mutant(
        "alarm-iterator-wrong-function",
        "IteratorAge alarm watches high_value_order",
        "alarms.tf",
        'dimensions          = { FunctionName = local.function_names["order_stream"] }',
        'dimensions          = { FunctionName = local.function_names["high_value_order"] }',
        WIRING,
    ),
    Mutant(
        "thumbnail-writes-uploads",
        "THUMBNAIL_BUCKET is the uploads bucket (would re-trigger the pipeline)",
        "main.tf",
        'THUMBNAIL_BUCKET = aws_s3_bucket.this["thumbnails"].id',
        'THUMBNAIL_BUCKET = aws_s3_bucket.this["uploads"].id',
        WIRING,
    ),
    Mutant(
        "alerts-topic-swapped",
        "high_value_order alerts go to the alarms topic",
        "main.tf",
        'ALERTS_TOPIC_ARN = aws_sns_topic.this["alerts"].arn',
        'ALERTS_TOPIC_ARN = aws_sns_topic.this["alarms"].arn',
        WIRING,
    ),
    Mutant(
        "thumbnail-iam-wrong-bucket",
        "thumbnail role writes uploads/ instead of thumbnails/",
        "functions.tf",
        'WriteThumbnails = { actions = ["s3:PutObject"], resources = ["${local.thumbnails_arn}/thumbnails/*"] }',
        'WriteThumbnails = { actions = ["s3:PutObject"], resources = ["${local.uploads_arn}/uploads/*"] }',
        WIRING,
    ),
    Mutant(
        "notify-no-getitem",
        "notify role: dynamodb:GetItem dropped",
        "functions.tf",
        'ReadMetadata = { actions = ["dynamodb:GetItem"]',
        'ReadMetadata = { actions = ["dynamodb:DescribeTable"]',
        WIRING,
    ),
    Mutant(
        "idempotency-no-delete",
        "orders_api role: idempotency DeleteItem dropped",
        "functions.tf",
        'actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]',
        'actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]',
        WIRING,
    ),
    Mutant(
        "sfn-role-one-lambda",
        "state machine role: may invoke validate_input only",
        "image_pipeline.tf",
        'lambda_function_arns = [local.known_arns.functions["validate_input"], local.known_arns.functions["thumbnail"]]',
        'lambda_function_arns = [local.known_arns.functions["validate_input"]]',
        WIRING,
    ),
    Mutant(
        "api-unqualified",
        "API integrates with the unqualified function, not the live alias",
        "api.tf",
        'uri                     = module.function["orders_api"].alias_invoke_arn',
        'uri                     = module.function["orders_api"].function_invoke_arn',
        WIRING,
    ),
    # --- orders_api safe deployments (issue 12 item 1) -----------------------------------------------
    Mutant(
        "orders-api-rollout-dropped",
        "orders_api_deployment not passed to the function module (no CodeDeploy rollout)",
        "functions.tf",
        'deployment = each.key == "orders_api" ? local.orders_api_deployment : null',
        "deployment = null",
        "tftest:tests/root_deployment.tftest.hcl",
    ),
    Mutant(
        "orders-api-rollout-alarm-silent",
        "orders_api rollout alarm notifies nobody (alarms topic dropped)",
        "functions.tf",
        "    alarm_actions = local.alarm_actions",
        "    alarm_actions = []",
        "tftest:tests/root_deployment.tftest.hcl",
    ),
]


def apply(copy: Path, m: Mutant) -> str:
    """Apply the mutant in `copy`; returns the original text (to restore)."""
    path = copy / m.path
    text = path.read_text()
    count = text.count(m.old)
    if count < m.occurrence:
        raise SystemExit(
            f"mutant {m.id}: {m.path} has {count} occurrence(s) of its text, needs {m.occurrence}"
        )
    at = -1
    for _ in range(m.occurrence):
        at = text.index(m.old, at + 1)
    path.write_text(text[:at] + m.new + text[at + len(m.old) :])
    return text


def run_check(copy: Path, check: str) -> tuple[bool, str]:
    """Run a check in `copy`: (passed, short reason)."""
    kind, target = check.split(":", 1)
    env = dict(os.environ)
    if kind == "tftest":
        cmd = ["bash", "scripts/terraform.sh", "test", "-no-color", f"-filter={target}"]
    elif kind == "pytest":
        cmd = [str(ROOT / ".venv/bin/python"), "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", target]
    else:
        raise SystemExit(f"unknown check {check}")
    proc = subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True, timeout=900)
    out = proc.stdout + proc.stderr
    if proc.returncode == 0:
        return True, ""
    if "Test assertion failed" in out:
        return False, "assertion"
    if kind == "pytest" and ("AssertionError" in out or "assert " in out or "DID NOT RAISE" in out):
        return False, "assertion"
    return False, "error"


def make_copy(base: Path) -> Path:
    copy = base / "project"
    shutil.copytree(ROOT, copy, ignore=COPY_IGNORE, symlinks=True)
    # Root module's providers: reuse the initialized .terraform of the original when there is one.
    if not (copy / ".terraform").exists():
        subprocess.run(
            ["bash", "scripts/terraform.sh", "init", "-backend=false", "-input=false", "-no-color"],
            cwd=copy,
            check=True,
            capture_output=True,
        )
    return copy


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("MUTATE_JOBS", "2")))
    ap.add_argument("--only", help="comma-separated mutant ids")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--strict", action="store_true", help="exit non-zero when a mutant survives")
    args = ap.parse_args()

    mutants = MUTANTS
    if args.only:
        wanted = set(args.only.split(","))
        mutants = [m for m in MUTANTS if m.id in wanted]
        if missing := wanted - {m.id for m in mutants}:
            raise SystemExit(f"unknown mutant(s): {', '.join(sorted(missing))}")
    if args.list:
        for m in mutants:
            print(f"{m.id:32} {m.path:48} {m.description}")
        return 0

    start = time.monotonic()
    workdirs = [Path(tempfile.mkdtemp(prefix="mutate-wiring-")) for _ in range(max(1, args.jobs))]
    try:
        copies = [make_copy(w) for w in workdirs]
        # Every check must pass on the unmutated copy (and its mutants' texts must be found there).
        for m in mutants:
            apply_restore(copies[0], m)
        baseline_failed = []
        for check in sorted({m.check for m in mutants}):
            ok, _ = run_check(copies[0], check)
            print(f"baseline {check}: {'pass' if ok else 'FAIL'}", flush=True)
            if not ok:
                baseline_failed.append(check)
        if baseline_failed:
            print("baseline failed: fix the tests before measuring mutants", file=sys.stderr)
            return 1

        queue = list(mutants)
        results: dict[str, tuple[bool, str, float]] = {}

        def worker(copy: Path) -> None:
            while queue:
                m = queue.pop(0)
                original = apply(copy, m)
                t0 = time.monotonic()
                try:
                    passed, reason = run_check(copy, m.check)
                finally:
                    (copy / m.path).write_text(original)
                results[m.id] = (passed, reason, time.monotonic() - t0)
                print(f"  {m.id}: {'SURVIVED' if passed else 'killed (' + reason + ')'}", flush=True)

        with ThreadPoolExecutor(len(copies)) as pool:
            list(pool.map(worker, copies))
    finally:
        for w in workdirs:
            shutil.rmtree(w, ignore_errors=True)

    print()
    print(f"{'MUTANT':30} {'RESULT':10} {'BY':10} {'TIME':>6}  {'CHECK':45} DESCRIPTION")
    killed = 0
    for m in mutants:
        passed, reason, secs = results[m.id]
        killed += not passed
        print(
            f"{m.id:30} {'SURVIVED' if passed else 'killed':10} {reason or '-':10} {secs:5.0f}s  {m.check:45} {m.description}"
        )
    total = len(mutants)
    print(
        f"\nwiring mutants: {killed}/{total} killed ({100 * killed / total:.0f}%), {time.monotonic() - start:.0f}s"
    )
    return 1 if args.strict and killed < total else 0


def apply_restore(copy: Path, m: Mutant) -> bool:
    """Check that the mutant applies (its text is found), then undo it."""
    original = apply(copy, m)
    (copy / m.path).write_text(original)
    return True


if __name__ == "__main__":
    sys.exit(main())
