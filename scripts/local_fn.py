"""Invoke a function of the local deployment, or tail its logs (`make invoke`, `make logs`).

    python scripts/local_fn.py invoke <fn> [--event FILE|-]   result, error and that invocation's logs
    python scripts/local_fn.py logs <fn> [--follow] [--since SECONDS]

<fn> is a function's short name (`ingest`, `functions/<fn>/`) or its deployed name. Without --event, the
function's sample event from tests/events/ is used (SAMPLE_EVENTS). The endpoint is LOCALSTACK_ENDPOINT, else
http://127.0.0.1:${LOCALSTACK_PORT:-4566}; deployed names come from `terraform output function_names`
of .local/deploy (scripts/deploy_local.sh), else from ListFunctions.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "tests" / "events"
REGION = "us-east-1"

# The real event shape each function receives (tests/events/, shared with the unit tests).
SAMPLE_EVENTS = {
    "ingest": "sqs_s3_notifications.json",
    "validate_input": "sfn_validate_input.json",
    "thumbnail": "sfn_generate_thumbnail.json",
    "notify": "sns_image_processed.json",
    "orders_api": "apigw_get_orders.json",
    "order_stream": "ddb_orders_stream_batch.json",
    "high_value_order": "eventbridge_order_created.json",
    "daily_report": "schedule_daily_report.json",
}


def endpoint() -> str:
    if os.environ.get("LOCALSTACK_ENDPOINT"):
        return os.environ["LOCALSTACK_ENDPOINT"].rstrip("/")
    return f"http://127.0.0.1:{os.environ.get('LOCALSTACK_PORT', '4566')}"


def client(service: str) -> Any:
    return boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION
    ).client(
        service,
        endpoint_url=endpoint(),
        config=Config(retries={"max_attempts": 2, "mode": "standard"}, read_timeout=900),
    )


STATE = ROOT / ".local" / "deploy" / "terraform.tfstate"
DEV_LAYERS = ROOT / ".local" / "dev-layers.json"  # layer versions `make dev` published since the last apply


def _output(name: str) -> dict[str, str]:
    if not STATE.is_file():
        return {}
    try:
        outputs = json.loads(STATE.read_text()).get("outputs", {})
    except ValueError:
        return {}
    value = outputs.get(name, {}).get("value", {})
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def deployed_names() -> dict[str, str]:
    """short name -> deployed name, from the local deployment's outputs (empty when there is none)."""
    return _output("function_names")


def deployed_layer_arns() -> dict[str, str]:
    """layer name -> the version functions use now: the apply's, or the one `make dev` published since."""
    arns = _output("layer_version_arns")
    if DEV_LAYERS.is_file() and STATE.is_file() and DEV_LAYERS.stat().st_mtime > STATE.stat().st_mtime:
        arns.update(json.loads(DEV_LAYERS.read_text()))
    return arns


def remember_layer_arn(name: str, arn: str) -> None:
    known = json.loads(DEV_LAYERS.read_text()) if DEV_LAYERS.is_file() else {}
    known[name] = arn
    DEV_LAYERS.write_text(json.dumps(known, indent=2) + "\n")


def resolve(fn: str) -> str:
    names = deployed_names()
    if fn in names:
        return names[fn]
    if fn in names.values():
        return fn
    deployed = [
        f["FunctionName"]
        for page in client("lambda").get_paginator("list_functions").paginate()
        for f in page["Functions"]
    ]
    if fn in deployed:
        return fn
    endings = ("-" + fn, "-" + fn.replace("_", "-"))
    suffix = [name for name in deployed if name.endswith(endings)]
    if len(suffix) == 1:
        return suffix[0]
    known = ", ".join(sorted(names) or sorted(deployed)) or "none (run: make deploy-local)"
    raise SystemExit(f"no deployed function {fn!r}; deployed: {known}")


def read_event(fn: str, event: str | None) -> bytes:
    if event == "-":
        return sys.stdin.buffer.read()
    if event:
        return Path(event).read_bytes()
    sample = SAMPLE_EVENTS.get(fn)
    if sample is None:
        raise SystemExit(f"no sample event for {fn!r}: pass EVENT=<file> (or EVENT=- for stdin)")
    print(f"event: tests/events/{sample}", file=sys.stderr)
    return (EVENTS / sample).read_bytes()


def cmd_invoke(args: argparse.Namespace) -> int:
    name = resolve(args.fn)
    payload = read_event(args.fn, args.event)
    json.loads(payload)  # a clear error for a malformed event, before anything is invoked
    started = time.monotonic()
    response = client("lambda").invoke(FunctionName=name, Payload=payload, LogType="Tail")
    took = time.monotonic() - started
    body = response["Payload"].read().decode("utf-8", "replace")
    logs = base64.b64decode(response.get("LogResult") or b"").decode("utf-8", "replace")
    print(f"--- logs ({name}, request {response['ResponseMetadata']['RequestId']}) ---", file=sys.stderr)
    print(logs.rstrip() or "(none)", file=sys.stderr)
    error = response.get("FunctionError")
    print(f"--- {'error (' + error + ')' if error else 'result'} after {took:.2f} s ---", file=sys.stderr)
    try:
        print(json.dumps(json.loads(body), indent=2))
    except ValueError:
        print(body)
    return 1 if error else 0


def cmd_logs(args: argparse.Namespace) -> int:
    name = resolve(args.fn)
    group = f"/aws/lambda/{name}"
    logs = client("logs")
    start = int((time.time() - args.since) * 1000)
    seen: set[str] = set()
    print(f"--- {group} ---", file=sys.stderr)
    while True:
        kwargs: dict[str, Any] = {"logGroupName": group, "startTime": start}
        try:
            while True:
                page = logs.filter_log_events(**kwargs)
                for event in page.get("events", []):
                    if event["eventId"] in seen:
                        continue
                    seen.add(event["eventId"])
                    stamp = time.strftime("%H:%M:%S", time.localtime(event["timestamp"] / 1000))
                    print(f"{stamp} {event['message'].rstrip()}", flush=True)
                    start = max(start, event["timestamp"])
                if not page.get("nextToken"):
                    break
                kwargs["nextToken"] = page["nextToken"]
        except logs.exceptions.ResourceNotFoundException:
            if not args.follow:
                print(f"{group} does not exist yet (no invocation so far)", file=sys.stderr)
                return 0
        if not args.follow:
            return 0
        time.sleep(1)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    invoke = sub.add_parser("invoke", help="invoke with an event; print result, error and logs")
    invoke.add_argument("fn")
    invoke.add_argument("--event", help="event file, or - for stdin (default: the sample in tests/events/)")
    invoke.set_defaults(run=cmd_invoke)
    tail = sub.add_parser("logs", help="print (or follow) the function's log group")
    tail.add_argument("fn")
    tail.add_argument("--follow", action="store_true")
    tail.add_argument("--since", type=float, default=3600, help="seconds of history (default 3600)")
    tail.set_defaults(run=cmd_logs)
    args = parser.parse_args()
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
