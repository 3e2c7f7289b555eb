"""Function URLs that resolve: ``http://<id>.lambda-url.<region>.localhost:<port>/``.

LocalStack builds a function URL from LOCALSTACK_HOST (``127.0.0.1:<port>`` here), which gives a host
name like ``<id>.lambda-url.us-east-1.127.0.0.1`` that no resolver answers. Names under ``localhost`` are
loopback (RFC 6761): curl and browsers resolve them without DNS, and LocalStack's router serves any
``<id>.lambda-url.<region>.<anything>`` host. So the stored URL gets ``localhost`` in place of an IP
literal, and every API that returns it (Create/Get/Update/ListFunctionUrlConfigs) reports that one.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from typing import Any

from localstack.services.lambda_.invocation.models import lambda_stores
from localstack.services.lambda_.provider import LambdaProvider
from localstack.utils.patch import patch

URL = re.compile(
    r"^(?P<scheme>https?)://(?P<prefix>[^/]+?\.lambda-url\.[a-z0-9-]+)\.(?P<host>[^/:]+)(?P<rest>(:\d+)?/.*)$"
)


def resolvable(url: str) -> str:
    """The same URL with ``localhost`` as its base host when LocalStack put an IP literal there."""
    match = URL.match(url)
    if not match:
        return url
    try:
        ipaddress.ip_address(match["host"])
    except ValueError:
        return url  # a name (e.g. localhost.localstack.cloud): leave it as configured
    return f"{match['scheme']}://{match['prefix']}.localhost{match['rest']}"


def _rewrite_stored_urls() -> None:
    for regions in lambda_stores.values():
        for store in regions.values():
            for fn in store.functions.values():
                for qualifier, cfg in list(fn.function_url_configs.items()):
                    fixed = resolvable(cfg.url)
                    if fixed != cfg.url:
                        fn.function_url_configs[qualifier] = dataclasses.replace(cfg, url=fixed)


def install() -> None:
    """Patch LambdaProvider.create_function_url_config (once, at LocalStack start)."""

    @patch(LambdaProvider.create_function_url_config)
    def create_function_url_config(fn: Any, self: Any, context: Any, *args: Any, **kwargs: Any) -> Any:
        response = fn(self, context, *args, **kwargs)
        _rewrite_stored_urls()
        response["FunctionUrl"] = resolvable(response["FunctionUrl"])
        return response
