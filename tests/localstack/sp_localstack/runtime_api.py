"""One Lambda execution environment as a local OS process, driven through the Lambda Runtime API.

This module has no LocalStack imports: it is the part Lambda's own init binary (rapid) plays inside a
container. ``LambdaProcess`` starts ``python -m awslambdaric <handler>`` with ``AWS_LAMBDA_RUNTIME_API``
pointing at a ``RuntimeApiServer`` on loopback, hands invocations to the runtime through
``/runtime/invocation/next`` and collects ``/response`` and ``/error``. It enforces the function
timeout (kills the process group, reports ``Sandbox.Timedout``), reports init failures and crashes
with Lambda's error shapes, captures stdout/stderr per invocation and adds the platform
START/END/REPORT lines.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import json
import logging
import math
import os
import queue
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

LOG = logging.getLogger(__name__)

API_PREFIX = "/2018-06-01/runtime"
MAX_KEPT_OUTPUT = 256 * 1024
PR_SET_PDEATHSIG = 1


# --------------------------------------------------------------------------------------------------
# Runtime API server


@dataclass
class PendingInvocation:
    request_id: str
    function_arn: str
    payload: bytes
    trace_id: str
    deadline_ms: int
    result: Future[tuple[bool, bytes]] = field(default_factory=Future)
    client_context: str | None = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Without TCP_NODELAY every response/next round trip costs ~40 ms (Nagle + delayed ACK).
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        LOG.debug("runtime-api %s: " + format, self.server.api.name, *args)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == f"{API_PREFIX}/invocation/next":
            invocation = self.server.api.next_invocation()
            if invocation is None:  # environment is shutting down
                self._reply(HTTPStatus.GONE)
                self.close_connection = True
                return
            headers = {
                "Content-Type": "application/json",
                "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
                "Lambda-Runtime-Trace-Id": invocation.trace_id,
            }
            if invocation.client_context:
                headers["Lambda-Runtime-Client-Context"] = invocation.client_context
            self._reply(HTTPStatus.OK, invocation.payload, headers)
            return
        self._reply(HTTPStatus.NOT_FOUND, b'{"errorMessage":"not found"}')

    def do_POST(self) -> None:
        body = self._body()
        path = self.path
        if path == f"{API_PREFIX}/init/error":
            self.server.api.init_error(body)
            self._reply(HTTPStatus.ACCEPTED)
            return
        prefix = f"{API_PREFIX}/invocation/"
        if path.startswith(prefix):
            request_id, _, action = path[len(prefix) :].partition("/")
            if action in ("response", "error") and self.server.api.complete(
                request_id, action == "error", body
            ):
                self._reply(HTTPStatus.ACCEPTED)
                return
            self._reply(HTTPStatus.BAD_REQUEST, b'{"errorMessage":"unknown request id"}')
            return
        self._reply(HTTPStatus.NOT_FOUND, b'{"errorMessage":"not found"}')


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    api: RuntimeApiServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a runtime killed mid-request (timeout, stop) resets its connection: expected, not an error
        LOG.debug("runtime-api %s: connection from %s ended abruptly", self.api.name, client_address)


class RuntimeApiServer:
    """The Lambda Runtime API of one execution environment, on an ephemeral loopback port."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._cond = threading.Condition()
        self._pending: PendingInvocation | None = None
        self._current: PendingInvocation | None = None
        self._closed = False
        self._generation = 0  # bumped for every (re)started runtime process
        self.ready = threading.Event()
        self.init_error_payload: bytes | None = None
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.api = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name=f"rapi-{name}", daemon=True
        )
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self._server.server_address[1]}"

    # called by the HTTP handler threads
    def next_invocation(self) -> PendingInvocation | None:
        with self._cond:
            # a /next from a runtime process that has since been replaced must not take the work
            generation = self._generation
            self.ready.set()  # the first /next means: init done, ready for work
            while self._pending is None and not self._closed and generation == self._generation:
                self._cond.wait()
            if self._closed or generation != self._generation:
                return None
            self._current, self._pending = self._pending, None
            return self._current

    def init_error(self, body: bytes) -> None:
        with self._cond:
            if self.init_error_payload is None:
                self.init_error_payload = body or b"{}"
        self.ready.set()

    def complete(self, request_id: str, is_error: bool, body: bytes) -> bool:
        with self._cond:
            current = self._current
            if current is None or current.request_id != request_id:
                return False
            self._current = None
        if not current.result.done():
            current.result.set_result((is_error, body))
        return True

    # called by the executor
    def submit(self, invocation: PendingInvocation) -> None:
        with self._cond:
            self._pending = invocation
            self._cond.notify_all()

    def abandon(self) -> PendingInvocation | None:
        """Forget the pending/current invocation (after a timeout or crash); returns it."""
        with self._cond:
            invocation = self._current or self._pending
            self._current = self._pending = None
            return invocation

    def reset(self) -> None:
        """Prepare for a fresh runtime process on the same port (after a timeout or crash)."""
        with self._cond:
            self._generation += 1
            self._current = self._pending = None
            self.init_error_payload = None
            self.ready.clear()
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._server.shutdown()
        self._server.server_close()


# --------------------------------------------------------------------------------------------------
# Spawning: from one long-lived thread, so PR_SET_PDEATHSIG (which fires when the *thread* that forked
# the child exits) only fires when LocalStack itself dies.


try:  # loaded once here: dlopen between fork and exec could deadlock
    _LIBC: ctypes.CDLL | None = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:
    _LIBC = None


def _set_pdeathsig() -> None:  # runs in the child between fork and exec
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class _Spawner:
    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Callable[[], subprocess.Popen[bytes]], Future[Any]]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _run(self) -> None:
        while True:
            factory, future = self._queue.get()
            try:
                future.set_result(factory())
            except BaseException as e:  # noqa: BLE001 - handed back to the caller
                future.set_exception(e)

    def spawn(self, factory: Callable[[], subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="lambda-process-spawner", daemon=True)
                self._thread.start()
        future: Future[subprocess.Popen[bytes]] = Future()
        self._queue.put((factory, future))
        return future.result()


SPAWNER = _Spawner()


# --------------------------------------------------------------------------------------------------
# Output capture


class _Output:
    """Drains a child's stdout/stderr pipe; ``take()`` returns everything written so far.

    A reader thread keeps the pipe from filling up; ``take()`` additionally drains synchronously, so all
    output the runtime wrote before posting its response is attributed to that invocation.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        os.set_blocking(fd, False)
        self._lock = threading.Lock()
        self._buf = bytearray()
        self._history = bytearray()
        self._eof = False
        self._thread = threading.Thread(target=self._loop, name="lambda-output", daemon=True)
        self._thread.start()

    def _drain_locked(self) -> None:
        while not self._eof:
            try:
                chunk = os.read(self._fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                self._eof = True
                os.close(self._fd)
                return
            self._buf += chunk
            self._history += chunk
            if len(self._history) > MAX_KEPT_OUTPUT:
                del self._history[: len(self._history) - MAX_KEPT_OUTPUT]

    def _loop(self) -> None:
        while True:
            with self._lock:
                if self._eof:
                    return
                fd = self._fd
            try:
                select.select([fd], [], [], 1.0)
            except (OSError, ValueError):
                pass
            with self._lock:
                self._drain_locked()

    def take(self) -> str:
        with self._lock:
            self._drain_locked()
            data = bytes(self._buf)
            self._buf.clear()
        return data.decode("utf-8", errors="replace")

    def wait_eof(self, timeout: float) -> None:
        self._thread.join(timeout)

    def history(self) -> str:
        with self._lock:
            return self._history.decode("utf-8", errors="replace")


# --------------------------------------------------------------------------------------------------
# The execution environment


class InitError(Exception):
    """The runtime failed to initialise; ``payload`` is Lambda's error document."""

    def __init__(self, payload: bytes, logs: str) -> None:
        super().__init__(payload.decode("utf-8", errors="replace"))
        self.payload = payload
        self.logs = logs


@dataclass
class InvokeOutcome:
    request_id: str
    payload: bytes
    is_error: bool
    logs: str


def _iso_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _max_rss_mb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return math.ceil(int(line.split()[1]) / 1024)
    except OSError:
        pass
    return 0


class LambdaProcess:
    """One execution environment: a runtime process (respawned lazily after a timeout or a crash)."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        env: dict[str, str],
        cwd: str,
        timeout_seconds: float,
        memory_mb: int = 128,
        version: str = "$LATEST",
        json_logs: bool = False,
        startup_timeout: float = 60.0,
    ) -> None:
        self.name = name
        self.argv = argv
        self.cwd = cwd
        self.timeout_seconds = float(timeout_seconds)
        self.memory_mb = memory_mb
        self.version = version
        self.json_logs = json_logs
        self.startup_timeout = startup_timeout
        self.api = RuntimeApiServer(name)
        self._api_used = False
        self.env = dict(env)
        self.proc: subprocess.Popen[bytes] | None = None
        self.output: _Output | None = None
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._init_ms: float | None = None  # reported once, on the first invocation after a (re)start
        self._history: list[str] = []

    # -- lifecycle ---------------------------------------------------------------------------------

    def _popen(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=dict(self.env, AWS_LAMBDA_RUNTIME_API=self.api.address),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: a timeout kills the handler's children too
            preexec_fn=_set_pdeathsig,  # noqa: PLW1509 - needed for PR_SET_PDEATHSIG; no locks taken
            close_fds=True,
        )

    def start(self) -> None:
        """Start the runtime and wait until it asks for work; raises ``InitError`` if init fails."""
        if self._stopped.is_set():
            raise InitError(_error_doc("Runtime.Stopped", "execution environment stopped"), "")
        if self._api_used:
            # a fresh Runtime API (new port) per runtime process: nothing from a killed one can interfere
            self.api.close()
            self.api = RuntimeApiServer(self.name)
        self._api_used = True
        self.api.reset()
        started = time.perf_counter()
        proc = SPAWNER.spawn(self._popen)
        assert proc.stdout is not None
        self.proc = proc
        # _Output owns a duplicate of the pipe; closing Popen's file object leaves it intact
        self.output = _Output(os.dup(proc.stdout.fileno()))
        proc.stdout.close()
        proc.stdout = None
        deadline = started + self.startup_timeout
        while not self.api.ready.wait(0.05):
            if proc.poll() is not None or self._stopped.is_set() or time.perf_counter() > deadline:
                break
        if self.api.init_error_payload is not None or not self.api.ready.is_set():
            payload = self.api.init_error_payload
            if payload is None:
                if self._stopped.is_set():
                    reason = "execution environment stopped during init"
                elif proc.poll() is None:
                    reason = f"Runtime init did not complete within {self.startup_timeout:.0f} seconds"
                else:
                    reason = f"Runtime exited with error: exit status {proc.returncode}"
                payload = _error_doc("Runtime.ExitError", f"RequestId: Error: {reason}")
            self._kill()
            logs = self._take_output(wait_eof=True)
            raise InitError(payload, logs)
        self._init_ms = (time.perf_counter() - started) * 1000
        LOG.debug("environment %s ready in %.1f ms (pid %s)", self.name, self._init_ms, proc.pid)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _kill(self) -> None:
        proc = self.proc
        if proc is None:
            return
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            LOG.warning("runtime process %s did not exit after SIGKILL", proc.pid)

    def stop(self) -> None:
        self._stopped.set()
        self._kill()
        self.api.close()
        if self.output is not None:
            self.output.wait_eof(1.0)

    def _take_output(self, wait_eof: bool = False) -> str:
        if self.output is None:
            return ""
        if wait_eof:
            self.output.wait_eof(1.0)
        text = self.output.take()
        if text:
            self._history.append(text)
            del self._history[:-200]
        return text

    def history(self) -> str:
        return "".join(self._history)

    # -- invocations --------------------------------------------------------------------------------

    def invoke(
        self,
        request_id: str,
        function_arn: str,
        payload: bytes,
        trace_id: str,
        client_context: str | None = None,
    ) -> InvokeOutcome:
        with self._lock:  # one invocation at a time per environment, as in Lambda
            init_logs = ""
            if not self.alive():
                # cold start after a timeout/crash: Lambda re-initialises the environment
                self.start()  # InitError propagates to the executor
            init_logs = self._take_output()
            return self._invoke_started(
                request_id, function_arn, payload, trace_id, client_context, init_logs
            )

    def _invoke_started(
        self,
        request_id: str,
        function_arn: str,
        payload: bytes,
        trace_id: str,
        client_context: str | None,
        init_logs: str,
    ) -> InvokeOutcome:
        assert self.proc is not None
        proc = self.proc
        started = time.perf_counter()
        invocation = PendingInvocation(
            request_id=request_id,
            function_arn=function_arn,
            payload=payload,
            trace_id=trace_id,
            deadline_ms=int(time.time() * 1000 + self.timeout_seconds * 1000),
            client_context=client_context,
        )
        started_at = _iso_now()
        self.api.submit(invocation)
        status = "ok"
        deadline = started + self.timeout_seconds
        while True:
            try:
                is_error, body = invocation.result.result(
                    timeout=min(0.25, max(0.0, deadline - time.perf_counter()))
                )
                break
            except FutureTimeout:
                pass
            if time.perf_counter() >= deadline:
                status = "timeout"
                break
            if proc.poll() is not None or self._stopped.is_set():
                # the runtime may have posted its result just before exiting
                if invocation.result.done():
                    continue
                status = "crash"
                break
        duration_ms = (time.perf_counter() - started) * 1000
        max_rss = _max_rss_mb(proc.pid)
        if status == "ok":
            logs = self._take_output()
        else:
            self.api.abandon()
            self._kill()
            logs = self._take_output(wait_eof=True)
            if status == "timeout":
                message = f"Task timed out after {self.timeout_seconds:.2f} seconds"
                logs += f"{_iso_now()} {request_id} {message}\n"
                body = _error_doc("Sandbox.Timedout", f"RequestId: {request_id} Error: {message}")
            else:
                reason = (
                    "execution environment stopped"
                    if self._stopped.is_set()
                    else f"Runtime exited with error: {_exit_reason(proc.returncode)}"
                )
                logs += f"{_iso_now()} {request_id} {reason}\n"
                body = _error_doc("Runtime.ExitError", f"RequestId: {request_id} Error: {reason}")
            is_error = True
        init_ms, self._init_ms = self._init_ms, None
        return InvokeOutcome(
            request_id=request_id,
            payload=body,
            is_error=is_error,
            logs=self._frame_logs(
                request_id, init_logs, logs, duration_ms, max_rss, init_ms, status, started_at
            ),
        )

    # -- platform log lines --------------------------------------------------------------------------

    def _frame_logs(
        self,
        request_id: str,
        init_logs: str,
        logs: str,
        duration_ms: float,
        max_rss: int,
        init_ms: float | None,
        status: str,
        started_at: str,
    ) -> str:
        billed = max(1, math.ceil(duration_ms))
        if self.json_logs:
            metrics: dict[str, Any] = {
                "durationMs": round(duration_ms, 2),
                "billedDurationMs": billed,
                "memorySizeMB": self.memory_mb,
                "maxMemoryUsedMB": max_rss,
            }
            if init_ms is not None:
                metrics["initDurationMs"] = round(init_ms, 2)
            start = {
                "time": started_at,
                "type": "platform.start",
                "record": {"requestId": request_id, "version": self.version},
            }
            report_record: dict[str, Any] = {"requestId": request_id, "metrics": metrics, "status": "success"}
            if status != "ok":
                report_record["status"] = "timeout" if status == "timeout" else "error"
            report = {"time": _iso_now(), "type": "platform.report", "record": report_record}
            head = json.dumps(start) + "\n"
            tail = json.dumps(report) + "\n"
        else:
            head = f"START RequestId: {request_id} Version: {self.version}\n"
            report_line = (
                f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms"
                f"\tBilled Duration: {billed} ms\tMemory Size: {self.memory_mb} MB"
                f"\tMax Memory Used: {max_rss} MB"
            )
            if init_ms is not None:
                report_line += f"\tInit Duration: {init_ms:.2f} ms"
            if status == "timeout":
                report_line += "\tStatus: timeout"
            elif status == "crash":
                report_line += "\tStatus: error\tError Type: Runtime.ExitError"
            tail = f"END RequestId: {request_id}\n{report_line}\n"
        if logs and not logs.endswith("\n"):
            logs += "\n"
        if init_logs and not init_logs.endswith("\n"):
            init_logs += "\n"
        return init_logs + head + logs + tail


def _exit_reason(returncode: int | None) -> str:
    if returncode is None:
        return "unknown"
    if returncode < 0:
        try:
            return f"signal: {signal.Signals(-returncode).name}"
        except ValueError:
            return f"signal: {-returncode}"
    return f"exit status {returncode}"


def _error_doc(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()
