"""scripts/tf_progress.py: progress of a terraform apply read from its output."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "tf_progress.py"


@pytest.fixture(scope="module")
def tf_progress() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tf_progress", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["tf_progress"] = module
    spec.loader.exec_module(module)
    return module


APPLY = """\
Plan: 3 to add, 1 to change, 0 to destroy.
aws_sqs_queue.this["audit"]: Creating...
aws_s3_bucket.this["uploads"]: Creating...
aws_s3_bucket.this["uploads"]: Creation complete after 1s [id=b]
aws_lambda_function.f: Modifying... [id=f]
aws_sqs_queue.this["audit"]: Still creating... [10s elapsed]
aws_lambda_function.f: Modifications complete after 2s [id=f]
data.aws_iam_policy_document.x: Reading...
data.aws_iam_policy_document.x: Read complete after 0s [id=1]
"""


def test_counts_done_of_total_and_names_the_resource_in_flight(tf_progress: ModuleType) -> None:
    progress = tf_progress.Progress()
    for line in APPLY.splitlines():
        progress.feed(line)
    status = progress.status()
    assert "2/4 done" in status  # a data source read is not a planned change
    assert 'slowest: aws_sqs_queue.this["audit"]' in status
    progress.feed('aws_sqs_queue.this["audit"]: Creation complete after 1m5s [id=q]')
    summary = progress.summary(2)
    assert summary.startswith("3/4 resources in ")
    assert 'aws_sqs_queue.this["audit"] 65 s' in summary.splitlines()[1]


@pytest.mark.parametrize(("text", "seconds"), [("0s", 0), ("55s", 55), ("1m5s", 65), ("1h2m3s", 3723)])
def test_terraform_durations(tf_progress: ModuleType, text: str, seconds: int) -> None:
    assert tf_progress._seconds(text) == seconds
