"""Fault injection wired into LocalStack: a gateway chain handler and the ``/_faults`` endpoint.

The decisions are made by ``faults.INJECTOR`` (pure, unit-tested); this module only builds the
request description from LocalStack's request context and turns a decision into a delay and the
service's AWS error (serialized by LocalStack in the service's own protocol). Installed by
``plugins.install_faults`` at startup; ``SP_FAULTS`` (JSON) may hold rules to start with.

Endpoint: ``GET /_faults`` rules + counters, ``POST /_faults`` replace the rules (JSON document, see
``faults.py``), ``DELETE /_faults`` remove every rule (counters are reset by POST and DELETE).
"""

from __future__ import annotations

import json
import logging
import os
import time

from localstack.aws.api import CommonServiceException, RequestContext
from localstack.aws.chain import HandlerChain
from localstack.http import Request, Response, route

from .faults import INJECTOR, FaultConfigError, classify_caller
from .faults import Request as FaultRequest

LOG = logging.getLogger(__name__)
ENV_RULES = "SP_FAULTS"


def fault_handler(chain: HandlerChain, context: RequestContext, response: Response) -> None:
    """Chain handler (after request parsing): inject the decided delay and error, if any."""
    if not INJECTOR.enabled or context.service is None or context.operation is None:
        return
    params = context.internal_request_params or {}
    headers = context.request.headers
    request = FaultRequest(
        service=context.service.service_name,
        operation=context.operation.name,
        caller=classify_caller(
            service_principal=params.get("service_principal"),
            internal=context.is_internal_call,
            user_agent=headers.get("User-Agent", ""),
            has_session_token=bool(
                headers.get("X-Amz-Security-Token") or context.request.args.get("X-Amz-Security-Token")
            ),
        ),
    )
    decision = INJECTOR.decide(request)
    if not decision.injects:
        return
    if decision.delay_s:
        time.sleep(decision.delay_s)
    if decision.error is not None:
        LOG.info(
            "fault %s: %s %s.%s -> %s",
            decision.rule,
            request.caller,
            request.service,
            request.operation,
            decision.error.code,
        )
        raise CommonServiceException(
            decision.error.code,
            decision.error.message,
            status_code=decision.error.status,
            sender_fault=decision.error.status < 500,
        )


def _json(status: int, doc: object) -> Response:
    return Response(json.dumps(doc, indent=1), status=status, mimetype="application/json")


class FaultsEndpoint:
    """``/_faults`` on the gateway."""

    @route("/_faults", methods=["GET"])
    def get(self, request: Request) -> Response:
        return _json(200, INJECTOR.report())

    @route("/_faults", methods=["POST"])
    def post(self, request: Request) -> Response:
        try:
            INJECTOR.load_json(request.get_data(as_text=True))
        except FaultConfigError as e:
            return _json(400, {"error": str(e)})
        return _json(200, INJECTOR.report())

    @route("/_faults", methods=["DELETE"])
    def delete(self, request: Request) -> Response:
        INJECTOR.clear()
        return _json(200, INJECTOR.report())


def install() -> None:
    from localstack.aws import handlers
    from localstack.services.edge import ROUTER

    handlers.serve_custom_service_request_handlers.append(fault_handler)
    ROUTER.add(FaultsEndpoint())
    if os.environ.get(ENV_RULES):
        INJECTOR.load_json(os.environ[ENV_RULES])  # a bad document stops startup, with its message
        LOG.warning("fault injection ON from %s: %d rule(s)", ENV_RULES, len(INJECTOR.report()["rules"]))
