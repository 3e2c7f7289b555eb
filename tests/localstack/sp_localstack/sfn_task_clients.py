"""Step Functions speed: a task reuses its role's client instead of assuming the role and building a new one.

LocalStack 2026.3 calls ``boto_client_for`` for every task it runs: ``connect_to.with_assumed_role`` makes
an STS AssumeRole call and builds a new botocore client (new credentials, so no client cache hit; botocore
loads the service model's shapes again). That is four AssumeRole calls and four clients per image-pipeline
execution, and it was the hottest frame left in LocalStack's profile of a burst (``get_shape_by_name``
under ``boto_client_for``). The client for a (service, region, role) is now kept for ``TTL_SECONDS``,
well inside the assumed-role session's hour, so calls still carry that role's session credentials (IAM
enforcement and fault callers see the same principal). botocore clients are thread-safe.
``SP_SFN_CLIENT_CACHE=0`` turns it off. Installed by ``plugins.install_sfn_task_clients``.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import Any

LOG = logging.getLogger(__name__)
TTL_SECONDS = 600.0


def install() -> None:
    if os.environ.get("SP_SFN_CLIENT_CACHE", "1") == "0":
        LOG.info("Step Functions task client cache off (SP_SFN_CLIENT_CACHE=0)")
        return
    from localstack.services.stepfunctions.asl.utils import boto_client

    original = boto_client.boto_client_for
    if getattr(original, "_sp_cached", False):
        return
    clients: dict[tuple[str, str, str], tuple[float, Any]] = {}
    lock = threading.Lock()

    def boto_client_for(service: str, region: str, state_credentials: Any) -> Any:
        key = (service, region, state_credentials.role_arn)
        now = time.monotonic()
        with lock:
            hit = clients.get(key)
        if hit is not None and now - hit[0] < TTL_SECONDS:
            return hit[1]
        client = original(service, region, state_credentials)
        with lock:
            clients[key] = (now, client)
        return client

    boto_client_for._sp_cached = True  # type: ignore[attr-defined]
    boto_client.boto_client_for = boto_client_for
    # the task modules imported the function by name
    for name, module in list(sys.modules.items()):
        if (
            name.startswith("localstack.services.stepfunctions")
            and getattr(module, "boto_client_for", None) is original
        ):
            setattr(module, "boto_client_for", boto_client_for)  # noqa: B010 - a module's global
