"""At most ``SP_LAMBDA_MAX_ENVIRONMENTS`` execution environments per function version; more invocations wait.

LocalStack starts a new execution environment whenever an invocation finds none idle, as Lambda does.
On Lambda each one gets its own share of a fleet. Here each is a Python process on the same few cores,
and its init (Powertools, boto3, Pillow: ~0.4 s of CPU alone, several seconds under load) takes CPU
from the invocations already running. A 100-upload burst started ~60 environments on two cores, and
the cold starts were a large part of its latency. So an on-demand invocation that finds no idle
environment while its function already has the cap running (or starting) waits for one to be released
(up to the function's timeout, then it starts one anyway). Concurrency accounting is untouched: the
invocation holds its concurrency lease while it waits, so reserved concurrency and throttling behave as
before. Default: max(4, 2 x CPUs); 0 turns the cap off. Installed by ``plugins.install_environment_cap``.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from localstack.services.lambda_.invocation.assignment import AssignmentService
from localstack.services.lambda_.invocation.execution_environment import (
    ExecutionEnvironment,
    InvalidStatusException,
    RuntimeStatus,
)
from localstack.services.lambda_.invocation.lambda_models import InitializationType
from localstack.utils.patch import patch

LOG = logging.getLogger(__name__)
ENDED = {RuntimeStatus.STOPPED, RuntimeStatus.STARTUP_FAILED, RuntimeStatus.STARTUP_TIMED_OUT}

_room = threading.Condition()
_starting: collections.Counter[str] = collections.Counter()  # version manager id -> environments starting


def max_environments() -> int:
    default = max(4, 2 * (os.cpu_count() or 1))
    return max(0, int(os.environ.get("SP_LAMBDA_MAX_ENVIRONMENTS", str(default))))


def _reserve_idle(service: AssignmentService, manager_id: str) -> ExecutionEnvironment | None:
    for env in list(service.environments[manager_id].values()):
        if env.initialization_type == InitializationType.on_demand:
            try:
                env.reserve()
                return env
            except InvalidStatusException:
                pass
    return None


def _running(service: AssignmentService, manager_id: str) -> int:
    live = [e for e in list(service.environments[manager_id].values()) if e.status not in ENDED]
    return len(live) + _starting[manager_id]


def _started(manager_id: str) -> None:
    with _room:
        _starting[manager_id] -= 1
        _room.notify_all()


def _notify() -> None:
    with _room:
        _room.notify_all()


@contextlib.contextmanager
def _capped_environment(
    cap: int, fn: Any, service: AssignmentService, manager_id: str, function_version: Any, provisioning: Any
) -> Iterator[Any]:
    deadline = time.monotonic() + float(function_version.config.timeout or 3)
    env = None
    with _room:  # reserving under the lock: one waiter per released environment
        while (env := _reserve_idle(service, manager_id)) is None:
            if _running(service, manager_id) < cap or time.monotonic() >= deadline:
                _starting[manager_id] += 1  # counted until LocalStack's start is done
                break
            _room.wait(min(max(deadline - time.monotonic(), 0.01), 1.0))
    if env is None:  # LocalStack's own path: starts an environment (or finds one idle by now)
        counted = True
        try:
            with fn(service, manager_id, function_version, provisioning) as env:
                _started(manager_id)
                counted = False
                yield env
        finally:
            if counted:
                _started(manager_id)
        return
    try:  # as LocalStack's get_environment does with an on-demand environment it reserved
        yield env
        env.release()
    except InvalidStatusException as e:
        LOG.error("InvalidStatusException: %s", e)
    except Exception as e:
        LOG.error("Failed invocation <%s>: %s", type(e), e, exc_info=LOG.isEnabledFor(logging.DEBUG))
        service.stop_environment(env)
        raise


def install() -> None:
    cap = max_environments()
    if not cap:
        LOG.info("execution environments per function: no cap (SP_LAMBDA_MAX_ENVIRONMENTS=0)")
        return

    @patch(AssignmentService.get_environment)
    def get_environment(
        fn: Any, self: AssignmentService, manager_id: str, function_version: Any, provisioning: Any
    ) -> Any:
        if provisioning != InitializationType.on_demand:
            return fn(self, manager_id, function_version, provisioning)
        return _capped_environment(cap, fn, self, manager_id, function_version, provisioning)

    @patch(ExecutionEnvironment.release)
    def release(fn: Any, self: ExecutionEnvironment) -> None:
        fn(self)
        _notify()

    @patch(ExecutionEnvironment.stop)
    def stop(fn: Any, self: ExecutionEnvironment) -> None:
        fn(self)
        _notify()

    LOG.debug("at most %d execution environments per function version", cap)
