"""Fixtures for tests against LocalStack (started with `make localstack-up` / `scripts/localstack.sh up`).

- ``localstack``: endpoint + boto3 clients (region us-east-1, test credentials) + deferred cleanups.
- ``run_id`` / ``unique_name``: resource names unique per test run.
- ``lambda_role``: an IAM role for functions (LocalStack does not enforce IAM, AWS would).
- ``deploy_function`` / ``publish_layer``: deploy small functions and layers from in-memory sources.
- ``wait_until``: poll with a deadline, failing with a useful message.

The endpoint is ``LOCALSTACK_ENDPOINT`` or http://127.0.0.1:4566 (port: ``LOCALSTACK_PORT``). Tests using
these fixtures are skipped when LocalStack is not reachable, except under CI (``CI`` set) or with
``REQUIRE_LOCALSTACK=1`` (``make integration`` sets it): a failure there, never a silent skip.

Every test here is bounded by pytest-timeout (``INTEGRATION_TEST_TIMEOUT`` seconds, default 300; a test's
own ``@pytest.mark.timeout`` wins), so a hang fails fast with a stack dump instead of eating CI's time.
"""

from __future__ import annotations

import io
import json
import os
import time
import urllib.request
import uuid
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest
from botocore.config import Config

REGION = "us-east-1"
ACCOUNT_ID = "000000000000"
DEFAULT_ENDPOINT = "http://127.0.0.1:4566"
T = TypeVar("T")

INTEGRATION_TEST_TIMEOUT = int(os.environ.get("INTEGRATION_TEST_TIMEOUT", "300"))


FileMap = Mapping[str, str | bytes]


def localstack_endpoint() -> str:
    """``LOCALSTACK_ENDPOINT``, else the embedded LocalStack (port ``LOCALSTACK_PORT``, default 4566)."""
    if os.environ.get("LOCALSTACK_ENDPOINT"):
        return os.environ["LOCALSTACK_ENDPOINT"].rstrip("/")
    if os.environ.get("LOCALSTACK_PORT"):
        return f"http://127.0.0.1:{os.environ['LOCALSTACK_PORT']}"
    return DEFAULT_ENDPOINT


def localstack_health(endpoint: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"{endpoint}/_localstack/health", timeout=3) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


@dataclass
class LocalStack:
    """A reachable LocalStack: clients, endpoint-derived URLs and teardown callbacks."""

    endpoint: str
    session: boto3.Session
    _clients: dict[str, Any] = field(default_factory=dict)
    _cleanups: list[Callable[[], Any]] = field(default_factory=list)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(
                service,
                endpoint_url=self.endpoint,
                config=Config(
                    retries={"max_attempts": 3, "mode": "standard"},
                    s3={"addressing_style": "path"},
                    read_timeout=120,
                    # urllib3 also bounds each send of the request body by the connect timeout: a
                    # 13 MB layer sent while the load test keeps LocalStack busy needs more than 5 s
                    connect_timeout=60,
                ),
            )
        return self._clients[service]

    def defer(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` at session end (LIFO), ignoring its errors: best-effort cleanup."""
        self._cleanups.append(fn)

    def run_cleanups(self) -> None:
        while self._cleanups:
            fn = self._cleanups.pop()
            try:
                fn()
            except Exception:  # noqa: BLE001 - cleanup must not mask test results
                pass

    def rest_api_url(self, api_id: str, stage: str, path: str = "") -> str:
        """Invoke URL of a REST API stage that works offline (no *.localhost.localstack.cloud DNS)."""
        return f"{self.endpoint}/_aws/execute-api/{api_id}/{stage}/{path.lstrip('/')}"


@pytest.fixture(scope="session")
def localstack() -> Iterator[LocalStack]:
    endpoint = localstack_endpoint()
    if localstack_health(endpoint) is None:
        message = f"LocalStack is not reachable at {endpoint} (start it: make localstack-up)"
        if os.environ.get("CI") or os.environ.get("REQUIRE_LOCALSTACK") == "1":
            pytest.fail(message)
        pytest.skip(message)
    session = boto3.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
    ls = LocalStack(endpoint=endpoint, session=session)
    yield ls
    ls.run_cleanups()


def iam_report_path() -> Path:
    """Where the embedded LocalStack writes its IAM report (scripts/localstack.sh: its state directory)."""
    port = os.environ.get("LOCALSTACK_PORT", "4566")
    root = Path(__file__).resolve().parents[2] / ".local"
    return root / ("localstack" if port == "4566" else f"localstack-{port}") / "iam-report.json"


def iam_report(localstack: LocalStack, settle: float = 1.5) -> dict[str, Any] | None:
    """The IAM report of the embedded LocalStack (after ``settle`` s: it is flushed every second), or None."""
    if localstack.endpoint != localstack_endpoint() or os.environ.get("LOCALSTACK_ENDPOINT"):
        return None
    time.sleep(settle)
    path = iam_report_path()
    return json.loads(path.read_text()) if path.is_file() else None


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="session")
def unique_name(run_id: str) -> Callable[[str], str]:
    """``unique_name("orders")`` -> ``it-<run>-orders``; valid for every service we use (<= 64 chars)."""

    def make(suffix: str) -> str:
        return f"it-{run_id}-{suffix}"[:64]

    return make


def wait_until[T](
    probe: Callable[[], T],
    *,
    timeout: float = 30.0,
    interval: float = 0.25,
    message: str | Callable[[], str] = "condition not met",
) -> T:
    """Call ``probe`` until it returns something truthy and return that; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: T = probe()
    while not last:
        if time.monotonic() > deadline:
            detail = message() if callable(message) else message
            pytest.fail(f"timed out after {timeout:.0f}s: {detail} (last value: {last!r})")
        time.sleep(interval)
        last = probe()
    return last


@pytest.fixture(name="wait_until", scope="session")
def wait_until_fixture() -> Callable[..., Any]:
    return wait_until


def zip_files(files: FileMap, compress: bool = True) -> bytes:
    """A deterministic zip of ``{"path/in/zip": content}``; ``compress=False`` is faster for big files."""
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = method
            content = files[name]
            zf.writestr(info, content.encode() if isinstance(content, str) else content)
    return buf.getvalue()


def files_from_dir(root: Path, prefix: str = "") -> dict[str, bytes]:
    """``{prefix + relative path: bytes}`` for every file under ``root`` (no __pycache__)."""
    return {
        prefix + path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="session")
def lambda_role(localstack: LocalStack, unique_name: Callable[[str], str]) -> str:
    """The smoke functions' role: what they call, on this run's resources only (LocalStack enforces IAM)."""
    iam = localstack.client("iam")
    name = unique_name("lambda-role")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    localstack.defer(lambda: iam.delete_role(RoleName=name))
    mine = unique_name("*")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Logs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"arn:aws:logs:*:*:log-group:/aws/lambda/{mine}",
            },
            {
                "Sid": "Queues",
                "Effect": "Allow",
                "Action": [
                    "sqs:SendMessage",
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                ],
                "Resource": f"arn:aws:sqs:*:*:{mine}",
            },
            {
                "Sid": "Objects",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": f"arn:aws:s3:::{mine}/*",
            },
            {
                "Sid": "Tables",
                "Effect": "Allow",
                "Action": [
                    "dynamodb:PutItem",
                    "dynamodb:GetItem",
                    "dynamodb:DescribeStream",
                    "dynamodb:GetShardIterator",
                ],
                "Resource": [
                    f"arn:aws:dynamodb:*:*:table/{mine}",
                    f"arn:aws:dynamodb:*:*:table/{mine}/stream/*",
                ],
            },
            {
                "Sid": "StreamRecords",
                "Effect": "Allow",
                "Action": ["dynamodb:GetRecords", "dynamodb:ListStreams"],
                "Resource": "*",
            },
        ],
    }
    iam.put_role_policy(RoleName=name, PolicyName="smoke-functions", PolicyDocument=json.dumps(policy))
    localstack.defer(lambda: iam.delete_role_policy(RoleName=name, PolicyName="smoke-functions"))
    return arn


@dataclass(frozen=True)
class DeployedFunction:
    name: str
    arn: str

    def invoke(self, client: Any, payload: Any = None, **kwargs: Any) -> tuple[dict[str, Any], Any]:
        """Invoke synchronously; returns (raw response, decoded JSON payload or None)."""
        body = b"" if payload is None else json.dumps(payload).encode()
        response = client.invoke(FunctionName=self.name, Payload=body, **kwargs)
        raw = response["Payload"].read() if "Payload" in response else b""
        return response, (json.loads(raw) if raw else None)


@pytest.fixture(scope="session")
def publish_layer(localstack: LocalStack, unique_name: Callable[[str], str]) -> Callable[..., str]:
    """``publish_layer("libs", {"python/mod.py": "..."})`` -> layer version ARN."""
    client = localstack.client("lambda")

    def publish(
        suffix: str, files: FileMap, runtimes: tuple[str, ...] = ("python3.12",), compress: bool = True
    ) -> str:
        name = unique_name(suffix)
        response = client.publish_layer_version(
            LayerName=name, Content={"ZipFile": zip_files(files, compress)}, CompatibleRuntimes=list(runtimes)
        )
        version = response["Version"]
        localstack.defer(lambda: client.delete_layer_version(LayerName=name, VersionNumber=version))
        return response["LayerVersionArn"]

    return publish


@pytest.fixture(scope="session")
def deploy_function(
    localstack: LocalStack, lambda_role: str, unique_name: Callable[[str], str]
) -> Callable[..., DeployedFunction]:
    """Create a function from in-memory sources, wait until it is Active, delete it at session end.

    ``deploy_function("probe", {"handler.py": SOURCE}, layers=[arn], env={"K": "V"}, timeout=10)``
    ``wait_active=False`` returns right after CreateFunction (e.g. to observe a Failed state).
    """
    client = localstack.client("lambda")

    def deploy(
        suffix: str,
        files: FileMap,
        *,
        handler: str = "handler.lambda_handler",
        runtime: str = "python3.12",
        layers: list[str] | None = None,
        env: Mapping[str, str] | None = None,
        timeout: int = 10,
        memory: int = 256,
        wait_active: bool = True,
        **extra: Any,
    ) -> DeployedFunction:
        name = unique_name(suffix)
        response = client.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=lambda_role,
            Handler=handler,
            Code={"ZipFile": zip_files(files)},
            Layers=layers or [],
            Environment={"Variables": dict(env or {})},
            Timeout=timeout,
            MemorySize=memory,
            **extra,
        )
        localstack.defer(lambda: client.delete_function(FunctionName=name))
        if wait_active:
            client.get_waiter("function_active_v2").wait(
                FunctionName=name, WaiterConfig={"Delay": 0.5, "MaxAttempts": 120}
            )
        return DeployedFunction(name=name, arn=response["FunctionArn"])

    return deploy


def _long_tests_first(items: list[pytest.Item], workers: int) -> list[pytest.Item]:
    """The collection with the ``long`` tests spread out: each at the head of one of ``workers`` shares.

    Under xdist (scripts/integration.sh, ``--dist loadfile``) whole files go to the workers in the order
    they first appear, two per worker at first, so long tests that are a share apart start on different
    workers at once instead of queueing behind each other.
    """
    long_tests = [item for item in items if item.get_closest_marker("long")]
    rest = iter(item for item in items if not item.get_closest_marker("long"))
    if workers <= 1:
        return long_tests + list(rest)
    ordered: list[pytest.Item] = []
    remaining = len(items)
    for k in range(workers):
        size = remaining // (workers - k)
        remaining -= size
        heads = long_tests[k::workers]
        ordered += heads + [item for _, item in zip(range(size - len(heads)), rest, strict=False)]
    return ordered + list(rest)


@pytest.hookimpl(trylast=True)  # after -m/-k deselection: the shares are of the tests that run
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/integration needs LocalStack: mark it ``integration``, bound its time.

    Tests marked ``long`` (a minute or more of waiting on events) start first; see ``_long_tests_first``.
    """
    here = Path(__file__).parent
    items[:] = _long_tests_first(items, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.integration)
            if item.get_closest_marker("timeout") is None:
                # func_only: session fixtures (the stack deployment) have their own subprocess deadlines.
                item.add_marker(pytest.mark.timeout(INTEGRATION_TEST_TIMEOUT, func_only=True))
