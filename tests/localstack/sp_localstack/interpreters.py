"""Interpreters for Lambda runtimes and the runtime-side packages every function gets.

The managed Python runtime provides an interpreter, the runtime interface client and boto3. Here:
- ``find_python("3.12")``: a working ``python3.12`` on PATH, else a pyenv installation (the same rules as
  ``scripts/find_python.sh``); ``LAMBDA_PYTHON_3_12=/path/to/python`` overrides.
- ``ensure_runtime_dir(python)``: a ``pip --target`` directory with awslambdaric + boto3 (pinned in
  ``lambda-runtime-requirements.txt``) for that interpreter, cached under
  ``$SP_CACHE_DIR/lambda-runtime/<version>-<hash>`` (default ``~/.cache/serverless-pipeline``), built once
  under a file lock.

CLI (used by scripts/localstack.sh): ``python -m sp_localstack.interpreters ensure 3.12`` prints the dir.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

REQUIREMENTS = Path(__file__).with_name("lambda-runtime-requirements.txt")
_found: dict[str, str] = {}
_runtime_dirs: dict[str, Path] = {}
_lock = threading.Lock()


class InterpreterNotFound(RuntimeError):
    pass


def cache_root() -> Path:
    base = os.environ.get("SP_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "serverless-pipeline"
    )
    return Path(base)


def _version_of(python: str) -> str | None:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _pyenv_candidates(version: str) -> list[str]:
    pyenv = shutil.which("pyenv")
    if not pyenv:
        return []
    try:
        listed = subprocess.run(
            [pyenv, "versions", "--bare"], capture_output=True, text=True, timeout=30, check=False
        ).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        return []
    pattern = re.compile(rf"^{re.escape(version)}(\.\d+)?$")
    matches = sorted(
        (v for v in listed if pattern.match(v)),
        key=lambda v: [int(p) for p in v.split(".")],
        reverse=True,
    )
    candidates = []
    for v in matches:
        prefix = subprocess.run(
            [pyenv, "prefix", v], capture_output=True, text=True, timeout=30, check=False
        ).stdout.strip()
        if prefix:
            candidates.append(os.path.join(prefix, "bin", f"python{version}"))
    return candidates


def _lazy_candidates(first: list[str], version: str, with_pyenv: bool) -> Iterator[str]:
    yield from first
    if with_pyenv:
        yield from _pyenv_candidates(version)


def find_python(version: str) -> str:
    """Path of a working CPython ``version`` ("3.12"); raises ``InterpreterNotFound`` with a clear message."""
    with _lock:
        if version in _found:
            return _found[version]
        override = os.environ.get(f"LAMBDA_PYTHON_{version.replace('.', '_')}")
        memo = cache_root() / "lambda-runtime" / f"python{version}.path"
        if override:
            candidates = [override]
        else:
            # the last interpreter found (pyenv lookups are slow), re-validated below
            candidates = [memo.read_text().strip()] if memo.is_file() else []
            on_path = shutil.which(f"python{version}")
            if on_path:
                candidates.append(on_path)
        for candidate in _lazy_candidates(candidates, version, with_pyenv=not override):
            if candidate and _version_of(candidate) == version:
                _found[version] = candidate
                if not override:
                    memo.parent.mkdir(parents=True, exist_ok=True)
                    memo.write_text(candidate + "\n")
                return candidate
        raise InterpreterNotFound(
            f"No working Python {version} interpreter found for the python{version} Lambda runtime "
            f"(tried LAMBDA_PYTHON_{version.replace('.', '_')}, python{version} on PATH and pyenv). "
            f"Install it (e.g. 'pyenv install {version}') and restart LocalStack."
        )


def _runtime_key(python: str) -> str:
    vv = subprocess.run([python, "-VV"], capture_output=True, text=True, check=True).stdout
    digest = hashlib.sha256(REQUIREMENTS.read_bytes() + vv.encode()).hexdigest()[:16]
    return digest


def ensure_runtime_dir(python: str, version: str) -> Path:
    """The awslambdaric + boto3 directory for this interpreter, built once (flock-protected)."""
    with _lock:
        if python in _runtime_dirs:
            return _runtime_dirs[python]
    target = cache_root() / "lambda-runtime" / f"{version}-{_runtime_key(python)}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{target}.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        if not (target / ".complete").exists():
            print(
                f"==> installing Lambda runtime packages for Python {version} into {target}", file=sys.stderr
            )
            shutil.rmtree(target, ignore_errors=True)
            tmp = Path(f"{target}.tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            proc = subprocess.run(
                [
                    python,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    "--no-compile",
                    "--only-binary=:all:",
                    "--target",
                    str(tmp),
                    "-r",
                    str(REQUIREMENTS),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                noise = "is ignored: it is neither a file nor a directory"
                err = "\n".join(line for line in proc.stderr.splitlines() if noise not in line)
                raise RuntimeError(f"pip could not install the Lambda runtime packages for {python}:\n{err}")
            tmp.rename(target)
            (target / ".complete").touch()
    with _lock:
        _runtime_dirs[python] = target
    return target


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("find", "ensure"):
        print("usage: python -m sp_localstack.interpreters find|ensure <python-version>", file=sys.stderr)
        return 2
    try:
        python = find_python(argv[1])
        print(python if argv[0] == "find" else ensure_runtime_dir(python, argv[1]))
    except (InterpreterNotFound, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
