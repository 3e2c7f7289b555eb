"""LocalStack Lambda runtime executor that runs each execution environment as a local process (no Docker).

Selected with ``LAMBDA_RUNTIME_EXECUTOR=process``. Per execution environment: one ``python -m awslambdaric``
process (interpreter matching the function's runtime) talking to its own Runtime API server
(``runtime_api.py``). The function's code directory and its layers (``python/`` and
``python/lib/pythonX.Y/site-packages/``, later layers first, as if merged into ``/opt``) are on
``PYTHONPATH``, followed by a directory with awslambdaric + boto3 standing in for the managed runtime.
"""

from __future__ import annotations

import logging
import os
import platform
import re
import shutil
import signal
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from localstack import config
from localstack.aws.api.lambda_ import PackageType
from localstack.aws.connect import connect_to
from localstack.services.lambda_.invocation.executor_endpoint import StatusErrorException
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)

from .faults import INJECTOR as FAULTS
from .interpreters import ensure_runtime_dir, find_python
from .runtime_api import InitError, LambdaProcess

LOG = logging.getLogger(__name__)

PYTHON_RUNTIME = re.compile(r"^python(\d+\.\d+)$")
BASE_PATH = "/usr/local/bin:/usr/bin:/bin"


def _python_version(function_version: FunctionVersion) -> str:
    cfg = function_version.config
    if cfg.package_type != PackageType.Zip:
        raise LambdaRuntimeException(
            "Container image functions are not supported by the process executor (no Docker); "
            "deploy a zip with a python3.x runtime"
        )
    match = PYTHON_RUNTIME.match(cfg.runtime or "")
    if not match:
        raise LambdaRuntimeException(
            f"Runtime '{cfg.runtime}' is not supported by the process executor (no Docker): "
            "only python3.x runtimes run as local processes"
        )
    return match.group(1)


def _layer_dirs(function_version: FunctionVersion) -> list[Path]:
    return [
        Path(layer.code.get_unzipped_code_location())
        for layer in function_version.config.layers
        if layer.code is not None
    ]


def _python_path(code_dir: Path, layers: list[Path], version: str, runtime_dir: Path) -> list[str]:
    """Import path as in Lambda: /var/task, then /opt/python/lib/pythonX.Y/site-packages, then /opt/python
    (a later layer's files win over an earlier one's), then the runtime's own packages."""
    merged = list(reversed(layers))
    paths = [code_dir]
    paths += [layer / "python" / "lib" / f"python{version}" / "site-packages" for layer in merged]
    paths += [layer / "python" for layer in merged]
    paths.append(runtime_dir)
    return [str(p) for p in paths if p == runtime_dir or p.is_dir()]


def _child_environment(
    env_vars: Mapping[str, object], function_version: FunctionVersion, executor_id: str, tmp_dir: Path
) -> tuple[list[str], dict[str, str], str]:
    cfg = function_version.config
    version = _python_version(function_version)
    python = find_python(version)
    runtime_dir = ensure_runtime_dir(python, version)
    code_dir = Path(cfg.code.get_unzipped_code_location())
    layers = _layer_dirs(function_version)

    env = {key: str(value) for key, value in env_vars.items() if value is not None}
    env.update(
        {
            "LAMBDA_TASK_ROOT": str(code_dir),
            "LAMBDA_RUNTIME_DIR": str(runtime_dir),
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{cfg.runtime}",
            "PYTHONPATH": os.pathsep.join(_python_path(code_dir, layers, version, runtime_dir)),
            "PATH": os.pathsep.join(
                [str(Path(python).parent), BASE_PATH] + [str(layer / "bin") for layer in reversed(layers)]
            ),
            "LD_LIBRARY_PATH": os.pathsep.join(
                [str(code_dir), str(code_dir / "lib")] + [str(layer / "lib") for layer in reversed(layers)]
            ),
            "LANG": "en_US.UTF-8",
            "TMPDIR": str(tmp_dir),
            # never read the host's ~/.aws: the function gets its role's credentials from the environment
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "PYTHONNOUSERSITE": "1",
            # lets `scripts/localstack.sh down` find leftovers of this LocalStack instance
            "SP_LOCALSTACK_OWNER": os.environ.get("SP_LOCALSTACK_OWNER", ""),
            "SP_LOCALSTACK_EXECUTOR_ID": executor_id,
        }
    )
    env.setdefault("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR")
    argv = [python, "-s", "-m", "awslambdaric", cfg.handler or "handler.lambda_handler"]
    return argv, env, str(code_dir)


class ProcessRuntimeExecutor(RuntimeExecutor):
    """A LocalStack execution environment backed by a local runtime process."""

    def __init__(self, id: str, function_version: FunctionVersion) -> None:  # noqa: A002 - base signature
        super().__init__(id=id, function_version=function_version)
        self._process: LambdaProcess | None = None
        self._tmp_dir = Path(config.dirs.tmp) / "lambda-envs" / id
        self._env_vars: dict[str, object] = {}

    # -- lifecycle ----------------------------------------------------------------------------------

    def start(self, env_vars: dict[str, str]) -> None:
        cfg = self.function_version.config
        self._env_vars = dict(env_vars)
        self._tmp_dir.mkdir(parents=True, exist_ok=True)
        argv, env, cwd = _child_environment(env_vars, self.function_version, self.id, self._tmp_dir)
        self._process = LambdaProcess(
            name=f"{self.function_version.id.function_name}-{self.id[:8]}",
            argv=argv,
            env=env,
            cwd=cwd,
            timeout_seconds=cfg.timeout,
            memory_mb=cfg.memory_size,
            version=self.function_version.id.qualifier,
            json_logs=(cfg.logging_config or {}).get("LogFormat") == "JSON",
            startup_timeout=float(config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT),
        )
        try:
            self._process.start()
        except InitError as e:
            self._ship_init_logs(e.logs)
            raise StatusErrorException("Environment startup failed", payload=e.payload) from None

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()
        shutil.rmtree(self._tmp_dir, ignore_errors=True)

    def get_address(self) -> str:
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        return "127.0.0.1"

    def get_runtime_endpoint(self) -> str:
        return f"http://127.0.0.1:{config.GATEWAY_LISTEN[0].port}/_localstack_lambda/{self.id}"

    def get_logs(self) -> str:
        return self._process.history() if self._process else ""

    # -- invocations --------------------------------------------------------------------------------

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        assert self._process is not None, "invoke before start"
        invocation_done = threading.Event()
        planned_kill = FAULTS.decide_kill(self.function_version.id.function_name)  # faults.py; off by default
        if planned_kill is not None:
            threading.Thread(
                target=self._kill_mid_invocation, args=(*planned_kill, invocation_done), daemon=True
            ).start()
        try:
            outcome = self._process.invoke(
                request_id=payload["invoke-id"],
                function_arn=payload["invoked-function-arn"],
                payload=(payload.get("payload") or "").encode("utf-8"),
                trace_id=payload.get("trace-id") or "",
            )
        except InitError as e:  # re-initialisation after a timeout/crash failed
            self._ship_init_logs(e.logs)
            raise StatusErrorException("Environment startup failed", payload=e.payload) from None
        finally:
            invocation_done.set()
        return InvocationResult(
            request_id=outcome.request_id,
            payload=outcome.payload,
            is_error=outcome.is_error,
            logs=outcome.logs,
        )

    def _kill_mid_invocation(self, rule: str, after_s: float, done: threading.Event) -> None:
        """Injected fault: SIGKILL the runtime ``after_s`` into the invocation (Lambda: Runtime.ExitError)."""
        process = self._process
        while process is not None and not process.api.ready.is_set():  # a cold start: wait for init
            if done.wait(0.01):
                break
        if process is None or done.wait(after_s) or process.proc is None:
            FAULTS.unkill(rule)  # ended before the kill: not injected
            return
        LOG.info(
            "fault %s: killing the runtime of %s mid-invocation", rule, self.function_version.id.function_name
        )
        try:
            os.killpg(process.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            FAULTS.unkill(rule)

    def _ship_init_logs(self, logs: str) -> None:
        """Init failures never reach LocalStack's log handler; put them into CloudWatch Logs like Lambda."""
        group = str(self._env_vars.get("AWS_LAMBDA_LOG_GROUP_NAME") or "")
        stream = str(self._env_vars.get("AWS_LAMBDA_LOG_STREAM_NAME") or "")
        if not (logs.strip() and group and stream):
            return
        fid = self.function_version.id
        lines = [line for line in logs.splitlines() if line.strip()]

        def ship() -> None:
            try:
                client = connect_to(aws_access_key_id=fid.account, region_name=fid.region).logs
                try:
                    client.create_log_group(logGroupName=group)
                except client.exceptions.ResourceAlreadyExistsException:
                    pass
                try:
                    client.create_log_stream(logGroupName=group, logStreamName=stream)
                except client.exceptions.ResourceAlreadyExistsException:
                    pass
                now = int(time.time() * 1000)
                client.put_log_events(
                    logGroupName=group,
                    logStreamName=stream,
                    logEvents=[{"timestamp": now, "message": line} for line in lines],
                )
            except Exception as e:  # noqa: BLE001 - best effort
                LOG.debug("could not store init logs of %s: %s", fid.function_name, e)

        threading.Thread(target=ship, name="lambda-init-logs", daemon=True).start()

    # -- versions -----------------------------------------------------------------------------------

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        version = _python_version(function_version)  # rejects unsupported runtimes: function state Failed
        python = find_python(version)
        ensure_runtime_dir(python, version)
        cfg = function_version.config
        if cfg.code:
            cfg.code.prepare_for_execution()
        for layer in cfg.layers:
            if layer.code:
                layer.code.prepare_for_execution()
        host = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(
            platform.machine()
        )
        if cfg.architectures and host and cfg.architectures[0] != host:
            LOG.warning(
                "%s is built for %s but runs on this %s host: compiled wheels in it or its layers won't load",
                function_version.qualified_arn,
                cfg.architectures[0],
                host,
            )

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        pass

    @classmethod
    def validate_environment(cls) -> bool:
        return True
