"""Smoke test: the function URL the embedded LocalStack reports resolves (a `localhost` name) and answers."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest

DeployedFunction = Any
LocalStack = Any

pytestmark = pytest.mark.integration

ECHO = """
import json

def lambda_handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps({"path": event["rawPath"], "query": event.get("rawQueryString", "")})}
"""


def test_reported_function_url_resolves_and_answers(
    localstack: LocalStack, deploy_function: Callable[..., DeployedFunction]
) -> None:
    fn = deploy_function("url-echo", {"handler.py": ECHO})
    lam = localstack.client("lambda")
    url = lam.create_function_url_config(FunctionName=fn.name, AuthType="NONE")["FunctionUrl"]
    assert lam.get_function_url_config(FunctionName=fn.name)["FunctionUrl"] == url

    parts = urlsplit(url)
    assert parts.hostname is not None and parts.hostname.endswith(".localhost"), url  # RFC 6761 loopback
    assert ".lambda-url.us-east-1." in parts.hostname

    # What any client does with that name: connect to loopback, send the name as Host.
    conn = http.client.HTTPConnection("127.0.0.1", parts.port or 80, timeout=30)
    conn.request("GET", "/orders/7?full=1", headers={"Host": parts.netloc})
    response = conn.getresponse()
    assert response.status == 200
    assert json.loads(response.read()) == {"path": "/orders/7", "query": "full=1"}

    if shutil.which("curl"):  # curl resolves *.localhost itself, as browsers do: the pasted URL works
        pasted = url.rstrip("/") + "/pasted"
        out = subprocess.run(["curl", "-fsS", "-m", "30", pasted], capture_output=True, text=True, check=True)
        assert json.loads(out.stdout)["path"] == "/pasted"
