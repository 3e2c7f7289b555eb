"""Push one photo through the pipeline deployed to the embedded LocalStack and show what happened.

Run after `scripts/deploy_local.sh apply` (`make demo` does both):
  1. read the deployment's outputs (`scripts/deploy_local.sh outputs`),
  2. generate a 1600x1200 JPEG photo whose EXIF orientation (6) says "rotate 90 degrees",
  3. upload it to the uploads bucket under uploads/,
  4. wait for its image-pipeline execution (the name is derived from bucket/key/etag, as ingest does),
  5. print the thumbnails (keys and dimensions read back from S3), the metadata item and the
     image-processed notification from the audit queue,
  6. one API round trip: POST /orders, then GET /orders/{id}, SigV4-signed (the API is IAM-authorized by
     default: api_authorization = "AWS_IAM").

Environment: LOCALSTACK_ENDPOINT (default http://127.0.0.1:4566; port: LOCALSTACK_PORT).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
ENDPOINT = os.environ.get(
    "LOCALSTACK_ENDPOINT", f"http://127.0.0.1:{os.environ.get('LOCALSTACK_PORT', '4566')}"
).rstrip("/")
REGION = "us-east-1"
EXECUTION_TIMEOUT_S = 120

_started = time.monotonic()


def step(message: str) -> None:
    print(f"[{time.monotonic() - _started:6.1f}s] {message}", flush=True)


def detail(message: str) -> None:
    print(f"           {message}", flush=True)


def fail(message: str) -> None:
    print(f"\nDEMO FAILED: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def read_outputs() -> dict[str, Any]:
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "deploy_local.sh"), "outputs"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        fail(f"cannot read the deployment's outputs (run `make deploy-local` first):\n{proc.stderr}")
    return {k: v["value"] for k, v in json.loads(proc.stdout).items()}


def client(service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"mode": "standard", "max_attempts": 5}),
    )


def execution_name(bucket: str, key: str, etag: str) -> str:
    """Same derivation as functions/ingest (docs/CONTRACTS.md): sha256 prefix + sanitized key tail."""
    digest = hashlib.sha256(f"{bucket}/{key}/{etag}".encode()).hexdigest()[:40]
    tail = re.sub(r"[^A-Za-z0-9_-]+", "_", key)[-(80 - 40 - 1) :].strip("_-")
    return f"{digest}-{tail}" if tail else digest


def make_photo() -> bytes:
    """A 1600x1200 landscape JPEG with EXIF orientation 6 (displayed rotated 90 degrees clockwise)."""
    img = Image.new("RGB", (1600, 1200))
    draw = ImageDraw.Draw(img)
    for y in range(0, 1200, 8):  # sky-to-ground gradient, so orientation mistakes are visible
        shade = int(255 * y / 1200)
        draw.rectangle([0, y, 1600, y + 8], fill=(shade // 3, 120 + shade // 3, 255 - shade))
    draw.ellipse([1200, 100, 1450, 350], fill=(255, 220, 40))  # a sun in the top-right corner
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "serverless-pipeline demo"  # Make
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88, exif=exif)
    return buf.getvalue()


def local_api_url(outputs: dict[str, Any]) -> str:
    """LocalStack's path-style invoke URL of the stage (the api_url output is the real-AWS host name)."""
    return f"{ENDPOINT}/_aws/execute-api/{outputs['api_id']}/{outputs['api_stage_name']}"


def signed_request(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> urllib.request.Request:
    """SigV4-signed (execute-api) request, as tests/integration/pipeline_helpers.signed_request."""
    aws = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(Credentials("test", "test"), "execute-api", REGION).add_auth(aws)
    return urllib.request.Request(url, data=body, method=method, headers=dict(aws.headers.items()))


def http(method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = signed_request(method, url, data, {"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait_for_execution(sfn: Any, arn: str) -> dict[str, Any]:
    deadline = time.monotonic() + EXECUTION_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            desc = sfn.describe_execution(executionArn=arn)
        except sfn.exceptions.ExecutionDoesNotExist:
            time.sleep(0.2)
            continue
        if desc["status"] != "RUNNING":
            return desc
        time.sleep(0.2)
    fail(f"execution {arn} did not finish within {EXECUTION_TIMEOUT_S}s")
    raise AssertionError  # unreachable


def find_notification(sqs: Any, queue_url: str, image_id: str, timeout_s: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        resp = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for msg in resp.get("Messages", []):
            body = json.loads(msg["Body"])
            if body.get("imageId") == image_id:
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=msg["ReceiptHandle"])
                return body
    fail(f"no image-processed notification for {image_id} in the audit queue within {timeout_s}s")
    raise AssertionError  # unreachable


def main() -> None:
    step("reading the LocalStack deployment's outputs")
    out = read_outputs()
    s3, sfn, ddb, sqs = client("s3"), client("stepfunctions"), client("dynamodb"), client("sqs")
    bucket = out["uploads_bucket_name"]

    step("generating a 1600x1200 JPEG photo with EXIF orientation 6 (shown rotated: 1200x1600)")
    photo = make_photo()
    key = f"uploads/demo/photo-{time.strftime('%Y%m%d-%H%M%S')}.jpg"
    detail(f"{len(photo):,} bytes")

    step(f"uploading s3://{bucket}/{key}")
    t_upload = time.monotonic()
    put = s3.put_object(Bucket=bucket, Key=key, Body=photo, ContentType="image/jpeg")
    etag = put["ETag"].strip('"')

    name = execution_name(bucket, key, etag)
    arn = out["state_machine_arn"].replace(":stateMachine:", ":execution:") + f":{name}"
    step(f"waiting for execution {name}")
    desc = wait_for_execution(sfn, arn)
    detail(f"status {desc['status']} after {time.monotonic() - t_upload:.1f}s from upload")
    if desc["status"] != "SUCCEEDED":
        fail(f"execution ended {desc['status']}: {desc.get('error')} {desc.get('cause')}")
    result = json.loads(desc["output"])

    step("thumbnails (read back from S3)")
    thumbs = result["thumbnails"]
    for item in thumbs["items"]:
        body = s3.get_object(Bucket=thumbs["bucket"], Key=item["key"])["Body"].read()
        with Image.open(io.BytesIO(body)) as im:
            where = f"s3://{thumbs['bucket']}/{item['key']}"
            detail(f"{where}  {im.width}x{im.height} {im.format}  {len(body):,} bytes")

    step("metadata item")
    image_id = f"{bucket}/{key}"
    item = ddb.get_item(
        TableName=out["metadata_table_name"], Key={"imageId": {"S": image_id}}, ConsistentRead=True
    )
    if "Item" not in item:
        fail(f"no metadata item {image_id}")
    for attr, value in sorted(item["Item"].items()):
        detail(f"{attr:16} {next(iter(value.values()))}")

    step("image-processed notification (audit queue)")
    note = find_notification(sqs, out["audit_queue_url"], image_id)
    detail(json.dumps(note, indent=2).replace("\n", "\n           "))

    api = local_api_url(out)
    step(f"API round trip: POST {api}/orders")
    status, order = http(
        "POST",
        f"{api}/orders",
        {"customerId": "demo-customer", "items": [{"sku": "PRINT-A4", "quantity": 3, "unitPrice": 12.5}]},
    )
    if status != 201:
        fail(f"POST /orders answered {status}: {order}")
    detail(f"201 Created: orderId={order['orderId']} total={order['total']} status={order['status']}")
    status, fetched = http("GET", f"{api}/orders/{order['orderId']}")
    if status != 200 or fetched.get("orderId") != order["orderId"]:
        fail(f"GET /orders/{order['orderId']} answered {status}: {fetched}")
    detail(f"GET /orders/{order['orderId']} -> 200: {json.dumps(fetched)}")

    step(f"demo finished in {time.monotonic() - _started:.1f}s")


if __name__ == "__main__":
    main()
