"""`make dev` end to end: new ingest code reaches the running pipeline through S3 -> SQS -> ingest, no apply.

The test puts a modified ingest zip live the way scripts/dev.py does after a rebuild (UpdateFunctionCode on
$LATEST, wait until Active), then uploads an image: the SQS event source mapping must invoke the new code
(its marker shows in ingest's log group) and the pipeline must still produce the execution. The original
zip goes back afterwards, so later tests see the deployed code.
"""

from __future__ import annotations

import io
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest

pytest.register_assert_rewrite("pipeline_helpers")

from pipeline_helpers import ROOT, Stack, png_with_alpha  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
import dev  # noqa: E402

pytest_plugins = ["pipeline_helpers"]
# exclusive: swaps ingest's code in the shared deployment; runs alone, after the rest
pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.exclusive]

WRAPPER = """

# --- added by test_pipeline_hot_reload.py ---
_deployed_handler = lambda_handler


def lambda_handler(event, context):  # type: ignore[no-redef]
    print("HOT-RELOAD-MARKER {marker}")
    return _deployed_handler(event, context)
"""


def with_marker(zip_bytes: bytes, marker: str) -> bytes:
    """The ingest zip with a handler that logs `marker`, then does what the deployed one does.

    build.py ships unchecked-hash .pyc files (PEP 552: never revalidated against the source), so the
    edited module's .pyc is left out; otherwise Python would import the old bytecode, not the edit."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(zip_bytes)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if info.filename.startswith("__pycache__/handler."):
                continue
            data = src.read(info)
            if info.filename == "handler.py":
                data += WRAPPER.format(marker=marker).encode()
            dst.writestr(info, data)
    return out.getvalue()


def marker_logged(stack: Stack, function_name: str, marker: str, since_ms: int) -> bool:
    logs = stack.client("logs")
    try:
        pages = logs.get_paginator("filter_log_events").paginate(
            logGroupName=f"/aws/lambda/{function_name}", startTime=since_ms
        )
        events = [e for page in pages for e in page["events"]]
    except logs.exceptions.ResourceNotFoundException:
        return False
    return any(marker in e["message"] for e in events)


def test_code_change_reaches_s3_sqs_ingest_without_apply(stack: Stack) -> None:
    lam = stack.client("lambda")
    function_name = stack["function_names"]["ingest"]
    deployed_zip = (Path(dev.BUILD) / dev.manifest()["functions"]["ingest"]["path"]).read_bytes()
    before = lam.get_function_configuration(FunctionName=function_name)["CodeSha256"]

    # warm the deployed code first: the change must replace a running environment, not only a cold one
    warm = stack.upload(
        f"uploads/hot-reload-{uuid.uuid4().hex[:8]}/warm.png", png_with_alpha(64, 48), "image/png"
    )
    assert stack.wait_execution(warm)["status"] == "SUCCEEDED"

    marker = uuid.uuid4().hex
    started = time.monotonic()
    try:
        dev.push_function_code(lam, function_name, with_marker(deployed_zip, marker))
        live_after = time.monotonic() - started
        assert lam.get_function_configuration(FunctionName=function_name)["CodeSha256"] != before
        since = int(time.time() * 1000) - 1000

        name = stack.upload(f"uploads/hot-reload-{marker[:8]}/after.png", png_with_alpha(64, 48), "image/png")
        desc = stack.wait_execution(name)
        assert desc["status"] == "SUCCEEDED", desc
        # ingest has returned (the execution it started is done); its log lines follow within a second
        deadline = time.monotonic() + 15
        while not marker_logged(stack, function_name, marker, since):
            assert time.monotonic() < deadline, "the SQS-triggered ingest did not run the new code"
            time.sleep(0.2)
        print(f"\n[hot-reload] UpdateFunctionCode -> Active in {live_after:.2f} s")
    finally:
        dev.push_function_code(lam, function_name, deployed_zip)
    assert lam.get_function_configuration(FunctionName=function_name)["CodeSha256"] == before
