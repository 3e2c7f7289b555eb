"""Fixtures and helpers for the end-to-end suite (tests/integration/test_pipeline_*.py).

The suite runs against the root module applied to the embedded LocalStack. The `stack` fixture
deploys it once per session (`scripts/deploy_local.sh apply`: idempotent, and a no-op apply when
nothing changed) and exposes its outputs and boto3 clients. Test modules load this file as a
plugin, so its fixtures are registered once:

    pytest_plugins = ["pipeline_helpers"]

Environment:
  LOCALSTACK_ENDPOINT       default http://127.0.0.1:4566 (port: LOCALSTACK_PORT); as conftest.py
  PIPELINE_E2E_SKIP_DEPLOY  1 = do not run `deploy_local.sh apply`, use the deployment as it is
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "scripts" / "deploy_local.sh"
ENDPOINT = os.environ.get(
    "LOCALSTACK_ENDPOINT", f"http://127.0.0.1:{os.environ.get('LOCALSTACK_PORT', '4566')}"
).rstrip("/")
REGION = "us-east-1"
CREDENTIALS = Credentials("test", "test")  # LocalStack's test credentials (as aws_client)


def deploy_local(*args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run scripts/deploy_local.sh with the given arguments."""
    proc = subprocess.run(
        ["bash", str(DEPLOY), *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and proc.returncode != 0:
        raise RuntimeError(
            f"deploy_local.sh {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr[-4000:]}"
        )
    return proc


def localstack_up() -> bool:
    try:
        with urllib.request.urlopen(f"{ENDPOINT}/_localstack/health", timeout=5):
            return True
    except OSError:
        return False


def aws_client(service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"mode": "standard", "max_attempts": 5}, max_pool_connections=32),
    )


def signed_request(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> urllib.request.Request:
    """A urllib request to the orders API signed with SigV4 (service execute-api), as api_authorization =
    AWS_IAM requires. LocalStack Community does not check the signature; real API Gateway does."""
    aws = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(CREDENTIALS, "execute-api", REGION).add_auth(aws)
    return urllib.request.Request(url, data=body, method=method, headers=dict(aws.headers.items()))


def execution_name(bucket: str, key: str, etag: str) -> str:
    """Execution name of one object version, as functions/ingest derives it (docs/CONTRACTS.md)."""
    digest = hashlib.sha256(f"{bucket}/{key}/{etag}".encode()).hexdigest()[:40]
    tail = re.sub(r"[^A-Za-z0-9_-]+", "_", key)[-(80 - 40 - 1) :].strip("_-")
    return f"{digest}-{tail}" if tail else digest


def thumbnail_key(source_key: str, size: str, fmt: str) -> str:
    """thumbnails/<name>-<WxH>.<ext>: <name> is the source key under uploads/, extension kept, cut
    and suffixed with ~<16 hex of sha256(key)> when the result would pass 1024 bytes (docs/CONTRACTS.md)."""
    name = source_key.removeprefix("uploads/")
    suffix = f"-{size}.{'jpg' if fmt == 'JPEG' else fmt.lower()}"
    key = f"thumbnails/{name}{suffix}"
    if len(key.encode()) <= 1024:
        return key
    digest = hashlib.sha256(source_key.encode()).hexdigest()[:16]
    head = name.encode()[: 1024 - len("thumbnails/") - len(suffix) - 17].decode("utf-8", "ignore")
    return f"thumbnails/{head}~{digest}{suffix}"


def fit_within(width: int, height: int, box: str) -> tuple[int, int]:
    """Size of an image scaled down to fit the WxH box, aspect ratio kept (as Pillow's thumbnail())."""
    from PIL import Image

    bw, bh = (int(v) for v in box.split("x"))
    img = Image.new("1", (width, height))
    img.thumbnail((bw, bh))
    return img.size


@dataclass
class Stack:
    """The deployed root module: its outputs and clients."""

    outputs: dict[str, Any]
    apply_seconds: float | None = None
    _clients: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __getitem__(self, name: str) -> Any:
        return self.outputs[name]

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = aws_client(service)
            return self._clients[service]

    @property
    def api_url(self) -> str:
        """LocalStack's path-style URL of the API stage (the api_url output is the real-AWS host name)."""
        return f"{ENDPOINT}/_aws/execute-api/{self.outputs['api_id']}/{self.outputs['api_stage_name']}"

    @property
    def thumbnail_sizes(self) -> list[str]:
        env = self.client("lambda").get_function_configuration(
            FunctionName=self.outputs["function_names"]["thumbnail"]
        )
        return env["Environment"]["Variables"]["THUMBNAIL_SIZES"].split(",")

    def execution_arn(self, name: str) -> str:
        return self.outputs["state_machine_arn"].replace(":stateMachine:", ":execution:") + f":{name}"

    def upload(self, key: str, body: bytes, content_type: str = "application/octet-stream") -> str:
        """Put an object into the uploads bucket; returns the execution name the pipeline will use."""
        bucket = self.outputs["uploads_bucket_name"]
        put = self.client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type)
        return execution_name(bucket, key, put["ETag"].strip('"'))

    def wait_execution(self, name: str, timeout: float = 120) -> dict[str, Any]:
        """Describe the execution once it has left RUNNING (waits for it to exist first)."""
        sfn = self.client("stepfunctions")
        arn = self.execution_arn(name)
        deadline = time.monotonic() + timeout
        while True:
            try:
                desc = sfn.describe_execution(executionArn=arn)
                if desc["status"] != "RUNNING":
                    return desc
            except sfn.exceptions.ExecutionDoesNotExist:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"execution {name} did not finish within {timeout}s")
            time.sleep(0.25)

    def visited_states(self, name: str) -> list[str]:
        sfn = self.client("stepfunctions")
        events: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"executionArn": self.execution_arn(name), "maxResults": 1000}
        while True:
            page = sfn.get_execution_history(**kwargs)
            events += page["events"]
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]

    def http(
        self, method: str, path: str, body: Any = None, raw: bytes | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        """Call the orders API (SigV4-signed); returns (status, parsed JSON body or text, headers)."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        req = signed_request(method, f"{self.api_url}{path}", data, {"content-type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, payload, headers = resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as e:
            status, payload, headers = e.code, e.read(), dict(e.headers)
        try:
            parsed: Any = json.loads(payload) if payload else None
        except ValueError:
            parsed = payload.decode(errors="replace")
        return status, parsed, headers


def s3_event(bucket: str, key: str, etag: str, size: int) -> dict[str, Any]:
    """An S3 ObjectCreated:Put notification as S3 sends it to SQS."""
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": "us-east-1",
                "eventTime": "2026-01-01T00:00:00.000Z",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": key, "size": size, "eTag": etag},
                },
            }
        ]
    }


_stack: Stack | None = None
_stack_error: str | None = None
_stack_lock = threading.Lock()


def get_stack() -> Stack:
    """Deploy (once per session) and describe the stack; a failed deploy fails every later test fast."""
    global _stack, _stack_error
    with _stack_lock:
        if _stack_error is not None:
            pytest.fail(f"the deployment failed earlier in this session:\n{_stack_error}", pytrace=False)
        if _stack is None:
            if not localstack_up():
                message = f"LocalStack is not running at {ENDPOINT} (make localstack-up)"
                if os.environ.get("CI"):
                    pytest.fail(message, pytrace=False)
                pytest.skip(message)
            try:
                apply_seconds = None
                if os.environ.get("PIPELINE_E2E_SKIP_DEPLOY") != "1":
                    started = time.monotonic()
                    deploy_local("apply")
                    apply_seconds = time.monotonic() - started
                    print(f"\n[e2e] deploy_local.sh apply took {apply_seconds:.1f}s")
                outputs = json.loads(deploy_local("outputs").stdout)
            except Exception as e:
                _stack_error = str(e)
                raise
            _stack = Stack({k: v["value"] for k, v in outputs.items()}, apply_seconds)
        return _stack


@pytest.fixture(scope="session")
def stack() -> Stack:
    """The root module deployed to LocalStack (applied once per session)."""
    return get_stack()


class QueueCollector:
    """Reads an SQS queue and collects the JSON bodies of its messages by a key of their body."""

    def __init__(self, stack: Stack, queue_url: str, key: Callable[[dict[str, Any]], str]) -> None:
        self._sqs = stack.client("sqs")
        self._key = key
        self._lock = threading.Lock()
        self.url = queue_url
        self.messages: dict[str, list[dict[str, Any]]] = {}

    def drain(self) -> None:
        with self._lock:
            while True:
                resp = self._sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
                msgs = resp.get("Messages", [])
                if not msgs:
                    return
                for m in msgs:
                    body = json.loads(m["Body"])
                    self.messages.setdefault(self._key(body), []).append(body)
                self._sqs.delete_message_batch(
                    QueueUrl=self.url,
                    Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs)],
                )

    def wait_for(self, key: str, timeout: float = 30) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            self.drain()
            if key in self.messages:
                return self.messages[key]
            if time.monotonic() > deadline:
                raise AssertionError(f"no message for {key!r} within {timeout}s")
            time.sleep(0.3)

    def close(self) -> None:
        """Nothing to release for a queue of the deployment."""


class TopicQueue(QueueCollector):
    """A test SQS queue subscribed (raw delivery) to a topic of the deployment."""

    def __init__(self, stack: Stack, topic_arn: str, key: Callable[[dict[str, Any]], str]) -> None:
        sqs = stack.client("sqs")
        url = sqs.create_queue(QueueName=f"e2e-{topic_arn.rsplit(':', 1)[-1]}-{uuid.uuid4().hex[:8]}")[
            "QueueUrl"
        ]
        super().__init__(stack, url, key)
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        delivery = {  # as on AWS, the topic may only deliver with the queue's permission
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
                }
            ],
        }
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(delivery)})
        self._sns = stack.client("sns")
        self._sub = self._sns.subscribe(
            TopicArn=topic_arn,
            Protocol="sqs",
            Endpoint=arn,
            Attributes={"RawMessageDelivery": "true"},
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]

    def close(self) -> None:
        try:
            self._sns.unsubscribe(SubscriptionArn=self._sub)
        finally:
            self._sqs.delete_queue(QueueUrl=self.url)


_collectors: dict[str, QueueCollector] = {}


def _collector(name: str, make: Callable[[], QueueCollector]) -> QueueCollector:
    with _stack_lock:
        if name not in _collectors:
            _collectors[name] = make()
        return _collectors[name]


@pytest.fixture(scope="session")
def errors_topic_queue(stack: Stack) -> Iterator[QueueCollector]:
    """Messages published to processing-errors (through a test queue), by the key of the failed object."""
    yield _collector(
        "errors",
        lambda: TopicQueue(stack, stack["processing_errors_topic_arn"], lambda b: str(b.get("key"))),
    )
    close_collectors()


@pytest.fixture(scope="session")
def audit_messages(stack: Stack) -> QueueCollector:
    """The deployment's audit queue (raw image-processed notifications), by imageId."""
    return _collector(
        "audit", lambda: QueueCollector(stack, stack["audit_queue_url"], lambda b: str(b.get("imageId")))
    )


@pytest.fixture(scope="session")
def alerts_topic_queue(stack: Stack) -> Iterator[QueueCollector]:
    """Messages published to alerts (high-value orders, through a test queue), by orderId."""
    yield _collector(
        "alerts", lambda: TopicQueue(stack, stack["alerts_topic_arn"], lambda b: str(b.get("orderId")))
    )
    close_collectors()


def close_collectors() -> None:
    """Unsubscribe and delete the test queues (best effort)."""
    with _stack_lock:
        for collector in _collectors.values():
            try:
                collector.close()
            except Exception:  # noqa: BLE001 - cleanup must not mask a test result
                pass
        _collectors.clear()


# ---------------------------------------------------------------------------------------------------------
# Test images
# ---------------------------------------------------------------------------------------------------------
def jpeg_with_orientation(width: int = 1600, height: int = 1200, orientation: int = 6) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), (30, 120, 220))
    ImageDraw.Draw(img).rectangle([0, 0, width // 4, height // 4], fill=(250, 40, 40))  # marks the top-left
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85, exif=exif)
    return buf.getvalue()


def png_with_alpha(width: int = 640, height: int = 480) -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(img).ellipse(
        [width // 4, height // 4, 3 * width // 4, 3 * height // 4], fill=(0, 200, 0, 255)
    )
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def gif(width: int = 300, height: int = 500) -> bytes:
    from PIL import Image

    frames = [Image.new("P", (width, height), i * 40) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return buf.getvalue()


def webp(width: int = 800, height: int = 800) -> bytes:
    from PIL import Image

    img = Image.new("RGBA", (width, height), (200, 100, 50, 180))
    buf = io.BytesIO()
    img.save(buf, "WEBP", lossless=True)
    return buf.getvalue()


def small_png(seed: int) -> bytes:
    from PIL import Image

    img = Image.new("RGB", (320, 240), ((seed * 37) % 256, (seed * 91) % 256, (seed * 13) % 256))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def corrupt_jpeg() -> bytes:
    """A JPEG header followed by garbage: identifies as JPEG, cannot be decoded."""
    good = jpeg_with_orientation(400, 300, 1)
    return good[:600] + os.urandom(2000)


def decompression_bomb() -> bytes:
    """A tiny PNG (tens of KB) that decodes to 144 megapixels, above the 40 MP limit."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _rotated_with_icc(fmt: str, width: int = 800, height: int = 600, orientation: int = 6) -> bytes:
    """A real ``fmt`` (HEIF via pillow-heif, AVIF via Pillow) photo stored rotated, with an sRGB ICC profile.

    Displayed upright it is ``height`` x ``width`` with the red marker top-right (orientation 6). pillow-heif
    stores the orientation as HEIF irot/imir transforms, Pillow's AVIF encoder as EXIF.
    """
    import pillow_heif
    from PIL import Image, ImageCms, ImageDraw

    pillow_heif.register_heif_opener()
    img = Image.new("RGB", (width, height), (30, 120, 220))
    ImageDraw.Draw(img).rectangle([0, 0, width // 4, height // 4], fill=(250, 40, 40))  # marks the top-left
    exif = Image.Exif()
    exif[0x0112] = orientation
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buf = io.BytesIO()
    img.save(buf, fmt, quality=85, exif=exif.tobytes(), icc_profile=icc)
    return buf.getvalue()


def heic_with_orientation() -> bytes:
    return _rotated_with_icc("HEIF")


def avif_with_orientation() -> bytes:
    return _rotated_with_icc("AVIF")
