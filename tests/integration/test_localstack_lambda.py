"""Smoke tests of the embedded LocalStack's Lambda executor: invocation semantics as on AWS.

Sync/async/dry-run invokes, layers on the import path (later layers win; a compiled Pillow wheel
imports), environment variables and context values, warm reuse and parallel environments, timeouts,
handler and init errors, CloudWatch Logs, and a clear failure for runtimes that cannot run here.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

# conftest fixtures (clients, deploy helpers) are typed loosely here: conftest is not importable by name
DeployedFunction = Any
LocalStack = Any

pytestmark = pytest.mark.integration

PROBE = """
import json
import os
import sys
import time

import boto3

INIT_AT = time.time()
INVOCATIONS = 0
print("probe: init", flush=True)
sqs = boto3.client("sqs")


class ValidationError(Exception):
    pass


def describe(context):
    import layered
    import shared_pkg

    keys = [
        "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_LOG_GROUP_NAME", "_HANDLER",
        "LAMBDA_TASK_ROOT", "AWS_ACCESS_KEY_ID", "AWS_ENDPOINT_URL", "_X_AMZN_TRACE_ID", "GREETING", "TZ",
    ]
    return {
        "env": {key: os.environ.get(key) for key in keys},
        "context": {
            "function_name": context.function_name,
            "function_version": context.function_version,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "invoked_function_arn": context.invoked_function_arn,
            "aws_request_id": context.aws_request_id,
            "log_group_name": context.log_group_name,
            "log_stream_name": context.log_stream_name,
            "remaining_ms": context.get_remaining_time_in_millis(),
        },
        "layers": {"layered": layered.WHO, "shared_pkg": shared_pkg.VERSION, "only_a": layered.only_a()},
        "python": "%d.%d" % sys.version_info[:2],
        "cwd": os.getcwd(),
    }


def lambda_handler(event, context):
    global INVOCATIONS
    INVOCATIONS += 1
    action = event.get("action", "describe")
    if action == "describe":
        result = describe(context)
    elif action == "sleep":
        time.sleep(event["seconds"])
        result = {}
    elif action == "fail":
        raise ValidationError(f"bad input: {event.get('what')}")
    elif action == "log":
        print(f"probe: marker {event['marker']}")
        result = {}
    elif action == "record":
        sqs.send_message(QueueUrl=os.environ["SINK_QUEUE_URL"], MessageBody=json.dumps(event))
        result = {}
    elif action == "pillow":
        import io

        from PIL import Image, features

        image = Image.new("RGB", (64, 48), "red")
        image.thumbnail((32, 32))
        out = io.BytesIO()
        image.save(out, "JPEG")
        result = {"size": list(image.size), "jpeg_bytes": len(out.getvalue()), "pil": Image.__version__,
                  "webp": features.check("webp")}
    else:
        raise ValueError(f"unknown action {action}")
    return {**result, "pid": os.getpid(), "initAt": INIT_AT, "invocations": INVOCATIONS}
"""

LAYER_A = {
    "python/layered.py": "WHO = 'A'\n\ndef only_a():\n    return 'from A'\n",
    "python/lib/python3.12/site-packages/shared_pkg/__init__.py": "VERSION = 'a'\n",
}
# a later layer overrides files of an earlier one, as when Lambda extracts them into /opt in order
LAYER_B = {
    "python/layered.py": "from only_a_helper import only_a\n\nWHO = 'B'\n",
    "python/only_a_helper.py": ("def only_a():\n    return 'from A'\n"),
}


@pytest.fixture(scope="module")
def sink_queue(localstack: LocalStack, unique_name: Callable[[str], str]) -> str:
    sqs = localstack.client("sqs")
    url = sqs.create_queue(QueueName=unique_name("lambda-sink"))["QueueUrl"]
    localstack.defer(lambda: sqs.delete_queue(QueueUrl=url))
    return url


@pytest.fixture(scope="module")
def probe(
    deploy_function: Callable[..., DeployedFunction],
    publish_layer: Callable[..., str],
    sink_queue: str,
) -> DeployedFunction:
    layers = [publish_layer("layer-a", LAYER_A), publish_layer("layer-b", LAYER_B)]
    return deploy_function(
        "probe",
        {"handler.py": PROBE},
        layers=layers,
        env={"GREETING": "hello", "SINK_QUEUE_URL": sink_queue},
        timeout=10,
        memory=256,
    )


@pytest.fixture(scope="module")
def lam(localstack: LocalStack) -> Any:
    return localstack.client("lambda")


def test_sync_invoke_returns_the_handler_result(probe: DeployedFunction, lam: Any) -> None:
    response, body = probe.invoke(lam, {"action": "describe"})
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert response["ExecutedVersion"] == "$LATEST"
    assert body["python"] == "3.12"


def test_layers_are_on_the_import_path_and_later_layers_win(probe: DeployedFunction, lam: Any) -> None:
    _, body = probe.invoke(lam, {"action": "describe"})
    assert body["layers"] == {"layered": "B", "shared_pkg": "a", "only_a": "from A"}


def test_environment_variables_and_context(probe: DeployedFunction, lam: Any) -> None:
    response, body = probe.invoke(lam, {"action": "describe"})
    env, ctx = body["env"], body["context"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == probe.name
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert env["_HANDLER"] == "handler.lambda_handler"
    assert env["GREETING"] == "hello"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{probe.name}"
    assert env["AWS_ACCESS_KEY_ID"], "the function gets its role's credentials"
    assert env["AWS_ENDPOINT_URL"], "boto3 inside the function must reach LocalStack"
    assert (env["_X_AMZN_TRACE_ID"] or "").startswith("Root=1-"), "X-Ray trace id set per invocation"
    assert env["LAMBDA_TASK_ROOT"] == body["cwd"]
    assert ctx["function_name"] == probe.name
    assert ctx["function_version"] == "$LATEST"
    assert ctx["memory_limit_in_mb"] == "256"
    assert ctx["invoked_function_arn"] == probe.arn
    assert ctx["log_group_name"] == f"/aws/lambda/{probe.name}"
    assert ctx["log_stream_name"]
    assert len(ctx["aws_request_id"]) == 36
    assert 0 < ctx["remaining_ms"] <= 10_000
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_warm_environment_is_reused(probe: DeployedFunction, lam: Any) -> None:
    _, first = probe.invoke(lam, {"action": "describe"})
    _, second = probe.invoke(lam, {"action": "describe"})
    assert second["pid"] == first["pid"]
    assert second["initAt"] == first["initAt"], "init ran once"
    assert second["invocations"] == first["invocations"] + 1


def test_concurrent_invocations_run_in_parallel_environments(probe: DeployedFunction, lam: Any) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(
            pool.map(lambda _: probe.invoke(lam, {"action": "sleep", "seconds": 1.5})[1], range(3))
        )
    assert len({r["pid"] for r in results}) == 3, results


def test_async_invoke_runs_the_handler(
    probe: DeployedFunction, lam: Any, localstack: LocalStack, sink_queue: str, wait_until: Any
) -> None:
    marker = f"async-{time.time_ns()}"
    response = lam.invoke(
        FunctionName=probe.name,
        InvocationType="Event",
        Payload=json.dumps({"action": "record", "marker": marker}),
    )
    assert response["StatusCode"] == 202
    sqs = localstack.client("sqs")

    def received() -> list[dict[str, Any]]:
        messages = sqs.receive_message(QueueUrl=sink_queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
        return [json.loads(m["Body"]) for m in messages if marker in m["Body"]]

    assert wait_until(received, timeout=30, message="async invocation never ran")[0]["marker"] == marker


def test_dry_run_validates_without_running(probe: DeployedFunction, lam: Any) -> None:
    response = lam.invoke(FunctionName=probe.name, InvocationType="DryRun", Payload=b"{}")
    assert response["StatusCode"] == 204


def test_handler_exception_is_reported_like_lambda(probe: DeployedFunction, lam: Any) -> None:
    response, body = probe.invoke(lam, {"action": "fail", "what": "x"})
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "ValidationError"
    assert body["errorMessage"] == "bad input: x"
    assert any("handler.py" in frame for frame in body["stackTrace"])


def test_logs_reach_cloudwatch(
    probe: DeployedFunction, lam: Any, localstack: LocalStack, wait_until: Any
) -> None:
    marker = f"marker-{time.time_ns()}"
    response, _ = probe.invoke(lam, {"action": "log", "marker": marker}, LogType="Tail")
    tail = base64.b64decode(response["LogResult"]).decode()
    assert marker in tail and "REPORT RequestId:" in tail
    logs = localstack.client("logs")

    def messages() -> list[str]:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{probe.name}", filterPattern=marker)[
            "events"
        ]
        return [e["message"] for e in events]

    found = wait_until(messages, timeout=30, message=f"{marker} not in CloudWatch Logs")
    assert any(f"probe: marker {marker}" in m for m in found)


def test_timeout_kills_the_environment_and_the_next_call_starts_fresh(
    deploy_function: Callable[..., DeployedFunction], lam: Any
) -> None:
    fn = deploy_function("timeout", {"handler.py": PROBE}, timeout=1, env={"SINK_QUEUE_URL": "unused"})
    _, before = fn.invoke(lam, {"action": "sleep", "seconds": 0})
    started = time.monotonic()
    response, body = fn.invoke(lam, {"action": "sleep", "seconds": 5})
    assert time.monotonic() - started < 4.5
    assert response["FunctionError"] == "Unhandled"
    assert "Task timed out after 1.00 seconds" in body["errorMessage"]
    _, after = fn.invoke(lam, {"action": "sleep", "seconds": 0})
    assert after["pid"] != before["pid"], "a timed-out environment is replaced"


def test_init_error_is_reported(deploy_function: Callable[..., DeployedFunction], lam: Any) -> None:
    fn = deploy_function("init-error", {"handler.py": "import not_installed_anywhere\n"})
    response, body = fn.invoke(lam, {})
    assert response["FunctionError"] == "Unhandled"
    assert body["errorType"] == "Runtime.ImportModuleError"
    assert "No module named 'not_installed_anywhere'" in body["errorMessage"]


def _files_under(root: Path, prefix: str) -> dict[str, bytes]:
    return {
        prefix + p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def _pillow_layer_files() -> dict[str, bytes]:
    """Pillow as installed in this (Python 3.12, manylinux) venv, laid out as a layer."""
    spec = importlib.util.find_spec("PIL")
    if spec is None or not spec.submodule_search_locations or sys.version_info[:2] != (3, 12):
        pytest.skip("needs Pillow installed in a Python 3.12 test venv")
    site = Path(next(iter(spec.submodule_search_locations))).parent
    prefix = "python/lib/python3.12/site-packages/"
    files = _files_under(site / "PIL", prefix + "PIL/")
    libs = site / "pillow.libs"
    if libs.is_dir():
        files.update(_files_under(libs, prefix + "pillow.libs/"))
    return files


def test_compiled_wheel_from_a_layer_imports(
    deploy_function: Callable[..., DeployedFunction], publish_layer: Callable[..., str], lam: Any
) -> None:
    layer = publish_layer("pillow", _pillow_layer_files(), compress=False)
    fn = deploy_function("pillow", {"handler.py": PROBE}, layers=[layer], env={"SINK_QUEUE_URL": "unused"})
    response, body = fn.invoke(lam, {"action": "pillow"})
    assert "FunctionError" not in response, body
    assert body["size"] == [32, 24]
    assert body["jpeg_bytes"] > 0


def test_unsupported_runtime_fails_with_a_clear_reason(
    deploy_function: Callable[..., DeployedFunction], lam: Any, wait_until: Any
) -> None:
    fn = deploy_function(
        "node",
        {"index.js": "exports.handler = async () => 1;\n"},
        runtime="nodejs20.x",
        handler="index.handler",
        wait_active=False,
    )

    def failed() -> dict[str, Any] | None:
        config = lam.get_function_configuration(FunctionName=fn.name)
        return config if config["State"] == "Failed" else None

    config = wait_until(failed, timeout=30, message="function never reached state Failed")
    assert "nodejs20.x" in config["StateReason"] and "not supported" in config["StateReason"]
