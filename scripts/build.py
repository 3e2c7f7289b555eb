#!/usr/bin/env python3
"""Build every Lambda function zip and layer zip, deterministically and incrementally.

    python scripts/build.py [--arch x86_64|arm64] [--python 3.12|3.13] [--out build]
                            [--only name,...] [--force] [--quiet]

Output (contract: docs/CONTRACTS.md, "Build output"):

    <out>/manifest.json
    <out>/functions/<name>.zip     zip root = contents of functions/<name>/
    <out>/layers/<name>.zip        zip root holds python/

Properties:
- Deterministic: entries sorted, fixed timestamps (1980-01-01), modes normalised to 0644/0755,
  no directory entries, no extra fields, DEFLATE at a fixed level. pip-installed trees are
  normalised too (no __pycache__/*.pyc, no REQUESTED/direct_url.json, no pip script dir whose
  shebangs name the local interpreter, RECORD rewritten to match). Same inputs -> same bytes,
  so Terraform's source_code_hash only changes on a real change.
- Incremental: each target has an inputs_sha256 over (relative path, normalised mode, content) of
  its input files + arch + python + BUILDER_VERSION. A target whose manifest entry has the same
  inputs_sha256 and whose zip still has the recorded sha256 is not rebuilt ("unchanged").
- Layer zips with requirements are also cached across checkouts under
  ~/.cache/serverless-pipeline/layers/<key>.zip (override: --layer-cache DIR|off or
  $SERVERLESS_PIPELINE_LAYER_CACHE), so a fresh clone on a warm machine does not reinstall.
- Lambda limits are enforced: 50 MB zipped (direct upload; not with --package-store s3, where
  Terraform uploads the zips to S3: the root's artifacts_bucket), 250 MB unzipped for a function plus
  its layers, at most 5 layers per function.

- Locked: requirements are hashed locks (`make lock`), or a layer's pyproject.toml + uv.lock (exported
  by `uv export --frozen`); installed binary-only for the Lambda platform (manylinux_2_28, both
  arches), --no-deps, hashes checked, by uv when found (--installer auto) else pip: same bytes.
- Bytecode: PEP 552 unchecked-hash .pyc for the target Python (its own interpreter compiles them),
  beside the sources; co_filename names /var/task or /opt.
- Described: per-file sha256 of every zip in the manifest, a CycloneDX SBOM per target in <out>/sbom/.

Runs on Python >= 3.11: the standard library, plus cyclonedx-python-lib for the SBOMs and uv when
present (both pinned in requirements-dev.txt). pip is the running interpreter's pip.
"""

from __future__ import annotations

# Only what a no-op build needs is imported here (it must stay well under 0.1 s of process wall time);
# the rest (zipfile, subprocess, shutil, tempfile, csv, email, concurrent.futures, ...) is imported where
# a target is actually built or described.
import argparse
import contextlib
import hashlib
import json
import os
import re
import stat
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import subprocess

# Bump when anything that shapes the zips changes (layout, normalisation, layer logic): it is part
# of every inputs_sha256 and of the layer cache key, so old manifests entries and cached layers
# are rebuilt instead of being trusted.
BUILDER_VERSION = "5"
MANIFEST_VERSION = 1

ROOT = Path(__file__).resolve().parent.parent
ARCHES = ("x86_64", "arm64")
PYTHONS = ("3.12", "3.13")
PIP_ARCH = {"x86_64": "x86_64", "arm64": "aarch64"}

ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
# zlib level 4: half the CPU of level 6 for 3% more bytes (the Pillow layer: 13.97 vs 13.55 MB zipped,
# 0.8 vs 1.6 s to compress its 48 MB). Part of the bytes: changing it is a builder change.
ZIP_COMPRESSLEVEL = 4
MODE_FILE = 0o644
MODE_EXEC = 0o755

# Lambda quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
MAX_ZIPPED_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024
MAX_LAYERS = 5

# functions/<name>/layers.txt (one layer name per line, in order; absent = no layers) is the single
# source of the layers a function uses: the build checks sizes with them and records them in the
# manifest, from which the root module attaches them.

# Files in a function folder that drive the build but are not shipped in its zip.
FUNCTION_BUILD_FILES = frozenset({"requirements.txt", "layers.txt"})
# Directory names never packaged from source trees (anywhere in the tree).
EXCLUDED_DIRS = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")

# The Lambda Python runtime ships the AWS SDK (docs/CONTRACTS.md: boto3/botocore are not bundled).
# When a requirement pulls these in transitively (aws-xray-sdk -> botocore) they are removed from
# the installed tree: a layer copy would shadow the runtime's botocore and skew it against the
# runtime's boto3. Listing one explicitly in requirements.txt keeps it.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer"})
# dist-info files that say how or by whom a wheel was installed, not what it contains.
VOLATILE_DIST_FILES = ("REQUESTED", "direct_url.json", "INSTALLER", "uv_cache.json", "uv_build.json")

DEFAULT_LAYER_CACHE = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "serverless-pipeline" / "layers"
)


LAYER_CACHE_KEEP = 8
LAYER_WORKERS = 2
# Threads compressing one zip's entries (CPU-bound; each entry's stream depends on it alone).
ZIP_WORKERS = max(1, min(4, os.cpu_count() or 1))
# Processes compiling one target's bytecode. A constant, not the machine's core count: marshal may
# share objects between the modules one process compiles, so the split must be the same everywhere.
BYTECODE_WORKERS = 2


class BuildError(Exception):
    """A build failure with a one-line, user-facing message."""


class Target(NamedTuple):
    kind: str  # "functions" | "layers"
    name: str
    src: Path
    requirements: Path | None = None
    layers: tuple[str, ...] = ()
    uv_lock: Path | None = None  # a layer declared by pyproject.toml + uv.lock (exported by uv at build)

    @property
    def label(self) -> str:
        return f"{self.kind[:-1]} '{self.name}'"


class Result(NamedTuple):
    target: Target
    status: str  # built | cached | unchanged
    seconds: float
    entry: dict[str, Any]


# --------------------------------------------------------------------------------------------
# discovery and input hashing


def _is_excluded_dir(name: str, *, drop_tests: bool) -> bool:
    return name.startswith(".") or name in EXCLUDED_DIRS or (drop_tests and name == "tests")


def _is_excluded_file(name: str) -> bool:
    return name.startswith(".") or name.endswith(EXCLUDED_SUFFIXES)


def walk_files(root: Path, *, drop_tests: bool) -> Iterator[tuple[str, Path]]:
    """Yield (posix path relative to root, path) for every packaged file under root, sorted."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not _is_excluded_dir(d, drop_tests=drop_tests))
        base = Path(dirpath)
        folder = os.path.relpath(dirpath, root).replace(os.sep, "/")
        prefix = "" if folder == "." else folder + "/"
        for name in sorted(filenames):
            if not _is_excluded_file(name):
                yield prefix + name, base / name


def file_mode(path: Path) -> int:
    return MODE_EXEC if path.stat().st_mode & stat.S_IXUSR else MODE_FILE


def _layer_names_from_file(path: Path) -> tuple[str, ...]:
    names = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.append(line)
    return tuple(names)


def discover(root: Path) -> tuple[list[Target], list[Target]]:
    functions: list[Target] = []
    layers: list[Target] = []
    fdir, ldir = root / "functions", root / "layers"
    for d in sorted(fdir.iterdir()) if fdir.is_dir() else []:
        if not d.is_dir() or d.name.startswith((".", "_")):
            continue
        if not (d / "handler.py").is_file():
            raise BuildError(f"function '{d.name}': functions/{d.name}/handler.py is missing")
        layers_txt = d / "layers.txt"
        used = _layer_names_from_file(layers_txt) if layers_txt.is_file() else ()
        req = d / "requirements.txt"
        functions.append(Target("functions", d.name, d, req if req.is_file() else None, used))
    for d in sorted(ldir.iterdir()) if ldir.is_dir() else []:
        if not d.is_dir() or d.name.startswith((".", "_")):
            continue
        req = d / "requirements.txt"
        uv_lock = d / "uv.lock" if (d / "uv.lock").is_file() and (d / "pyproject.toml").is_file() else None
        if not req.is_file() and uv_lock is None and not (d / "python").is_dir():
            raise BuildError(
                f"layer '{d.name}': layers/{d.name}/ has no requirements.txt, "
                "no pyproject.toml + uv.lock and no python/"
            )
        if req.is_file() and uv_lock is not None:
            raise BuildError(f"layer '{d.name}': both requirements.txt and uv.lock; keep one")
        layers.append(Target("layers", d.name, d, req if req.is_file() else None, uv_lock=uv_lock))
    return functions, layers


def input_files(target: Target) -> list[tuple[str, Path]]:
    """Every file whose path, mode or content determines the target's zip."""
    if target.kind == "functions":
        return list(walk_files(target.src, drop_tests=True))
    files: list[tuple[str, Path]] = []
    if target.requirements:
        files.append(("requirements.txt", target.requirements))
    if target.uv_lock:
        files += [("pyproject.toml", target.src / "pyproject.toml"), ("uv.lock", target.uv_lock)]
    py = target.src / "python"
    if py.is_dir():
        files += [(f"python/{rel}", p) for rel, p in walk_files(py, drop_tests=False)]
    return files


def inputs_sha256(target: Target, arch: str, python: str, bytecode: bool = True) -> str:
    h = hashlib.sha256(
        f"builder={BUILDER_VERSION}\0kind={target.kind}\0arch={arch}\0python={python}"
        f"\0bytecode={int(bytecode)}\n".encode()
    )
    for rel, path in input_files(target):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        h.update(f"{rel}\0{file_mode(path):o}\0{digest}\n".encode())
    return h.hexdigest()


DIGEST_CACHE = ".zip-digests.json"  # local to one output dir, not part of the manifest


def _stat_key(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def zip_sha256(path: Path, digests: dict[str, list[Any]]) -> str:
    """file_sha256 of an output zip, trusted from digests while its stat is unchanged."""
    key, stat_now = str(path), _stat_key(path)
    cached = digests.get(key)
    if cached and cached[:-1] == stat_now:
        return str(cached[-1])
    digest = file_sha256(path)
    digests[key] = [*stat_now, digest]
    return digest


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# deterministic zips


def _deflate(data: bytes) -> bytes:
    """The raw DEFLATE stream zipfile writes for ZIP_DEFLATED at ZIP_COMPRESSLEVEL."""
    import zlib

    compressor = zlib.compressobj(ZIP_COMPRESSLEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


class _Replay:
    """Stands in for zipfile's compressor: returns the stream _deflate computed beforehand."""

    def __init__(self, stream: bytes) -> None:
        self._stream = stream

    def compress(self, _data: bytes) -> bytes:
        stream, self._stream = self._stream, b""
        return stream

    def flush(self) -> bytes:
        return b""


def write_zip(dest: Path, entries: dict[str, Path]) -> tuple[int, dict[str, str]]:
    """Write entries {arcname: file} to dest deterministically; return (the unzipped size, {arcname:
    sha256 of its content}).

    Entries are read, hashed and compressed on ZIP_WORKERS threads (zlib and hashlib release the GIL),
    biggest first; zipfile then writes them in sorted order, replaying each precomputed stream, so the
    bytes are exactly those of a serial zipfile.writestr of every entry (a unit test compares them).
    If zipfile's internals ever differ, the replay is not used and zipfile compresses as usual.
    """
    import concurrent.futures
    import zipfile

    class ReplayZipFile(zipfile.ZipFile):
        streams: dict[str, bytes]

        def _open_to_write(self, zinfo: zipfile.ZipInfo, force_zip64: bool = False) -> Any:
            dest = super()._open_to_write(zinfo, force_zip64)  # type: ignore[misc]
            if hasattr(dest, "_compressor"):
                dest._compressor = _Replay(self.streams.pop(zinfo.filename))
            return dest

    def prepare(arcname: str) -> tuple[bytes, bytes, str]:
        data = entries[arcname].read_bytes()
        return data, _deflate(data), hashlib.sha256(data).hexdigest()

    biggest_first = sorted(entries, key=lambda a: (-entries[a].stat().st_size, a))
    with concurrent.futures.ThreadPoolExecutor(max_workers=ZIP_WORKERS) as pool:
        prepared = dict(zip(biggest_first, pool.map(prepare, biggest_first), strict=True))
    unzipped = 0
    with ReplayZipFile(dest, "w") as zf:
        zf.streams = {arcname: stream for arcname, (_, stream, _) in prepared.items()}
        for arcname in sorted(entries):
            data = prepared[arcname][0]
            info = zipfile.ZipInfo(arcname, date_time=ZIP_DATE_TIME)
            info.create_system = 3  # Unix, so external_attr carries the mode
            info.external_attr = (stat.S_IFREG | file_mode(entries[arcname])) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            unzipped += len(data)
            zf.writestr(info, data, compresslevel=ZIP_COMPRESSLEVEL)
    return unzipped, {arcname: digest for arcname, (_, _, digest) in sorted(prepared.items())}


def zip_unzipped_size(path: Path) -> int:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return sum(i.file_size for i in zf.infolist())


def manifest_entry(zip_path: Path, rel: str, inputs: str, unzipped: int) -> dict[str, Any]:
    import base64

    data = zip_path.read_bytes()
    digest = hashlib.sha256(data)
    return {
        "path": rel,
        "sha256": digest.hexdigest(),
        "base64sha256": base64.b64encode(digest.digest()).decode(),
        "zipped_size": len(data),
        "unzipped_size": unzipped,
        "inputs_sha256": inputs,
    }


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def check_zip_limits(target: Target, zipped: int, unzipped: int, direct_upload: bool = True) -> None:
    """Lambda's quotas; the 50 MB zipped one only binds a direct upload (S3-stored zips may be larger)."""
    if direct_upload and zipped > MAX_ZIPPED_BYTES:
        raise BuildError(
            f"{target.label}: zip is {_mb(zipped)}, above Lambda's {_mb(MAX_ZIPPED_BYTES)} zipped limit "
            "for a direct upload (store it in S3: --package-store s3 and the root's artifacts_bucket)"
        )
    if unzipped > MAX_UNZIPPED_BYTES:
        raise BuildError(
            f"{target.label}: unzipped size is {_mb(unzipped)}, above Lambda's "
            f"{_mb(MAX_UNZIPPED_BYTES)} unzipped limit"
        )


# --------------------------------------------------------------------------------------------
# pip


def canonical_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(req: Path) -> set[str]:
    names = set()
    for line in req.read_text().splitlines():
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
        if m and not line.lstrip().startswith("-"):
            names.add(canonical_name(m.group(1)))
    return names


def _pinned(req: Path) -> set[str]:
    pins = set()
    for line in req.read_text().splitlines():
        m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*==\s*([^\s;#]+)", line)
        if m:
            pins.add(canonical_name(m.group(1)))
    return pins


def unhashed_requirements(req: Path) -> list[str]:
    """Requirement lines of req that carry no --hash (a lock made by `make lock` has none)."""
    missing: list[str] = []
    logical = ""
    for raw in req.read_text().splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if line.endswith("\\"):
            logical += line[:-1] + " "
            continue
        logical += line
        stripped = logical.strip()
        logical = ""
        if stripped and not stripped.startswith("-") and "--hash=" not in stripped:
            missing.append(stripped.split()[0])
    return missing


def find_uv() -> str | None:
    """uv next to the running interpreter (the project venv pins it), else on PATH."""
    beside = Path(sys.executable).parent / "uv"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    import shutil

    return shutil.which("uv")


def resolve_installer(choice: str) -> tuple[str, str | None]:
    """('uv', path) or ('pip', None) for --installer auto|uv|pip."""
    uv = find_uv() if choice in ("auto", "uv") else None
    if choice == "uv" and uv is None:
        raise BuildError("--installer uv: uv not found (it is pinned in requirements-dev.txt: make venv)")
    return ("uv", uv) if uv else ("pip", None)


def install_command(
    installer: tuple[str, str | None], req: Path, dest: Path, arch: str, python: str, extra: Sequence[str]
) -> list[str]:
    """The install of a hashed lock: binary wheels for the Lambda platform, no resolution, hashes checked.

    Lambda python3.12/3.13 run on Amazon Linux 2023 (glibc 2.34): manylinux_2_28 (and older) wheels.
    --no-deps: the lock is complete; nothing outside it is installed.
    """
    kind, uv = installer
    pip_arch = PIP_ARCH[arch]
    if kind == "uv":
        assert uv is not None
        return [
            uv, "pip", "install", "--quiet", "--no-progress", "--no-config",
            "--python", sys.executable, "--python-platform", f"{pip_arch}-manylinux_2_28",
            "--python-version", python, "--only-binary", ":all:", "--require-hashes", "--no-deps",
            "--target", str(dest), "-r", str(req), *extra,
        ]  # fmt: skip
    return [
        sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--no-compile", "--quiet",
        "--no-input", "--platform", f"manylinux_2_28_{pip_arch}", "--implementation", "cp",
        "--python-version", python, "--only-binary=:all:", "--require-hashes", "--no-deps",
        "--target", str(dest), "-r", str(req), *extra,
    ]  # fmt: skip


def export_uv_lock(target: Target, dest: Path) -> Path:
    """uv.lock -> a hashed requirements file (uv export --frozen: the lock as it is, never re-resolved)."""
    import subprocess

    assert target.uv_lock is not None
    uv = find_uv()
    if uv is None:
        raise BuildError(
            f"{target.label} is declared by pyproject.toml + uv.lock: exporting it needs uv (make venv)"
        )
    cmd = [
        uv, "export", "--quiet", "--frozen", "--no-dev", "--no-emit-project", "--no-header",
        "--format", "requirements-txt", "--project", str(target.src), "--python", sys.executable,
        *(arg for pkg in sorted(RUNTIME_PROVIDED) for arg in ("--no-emit-package", pkg)),
        "--output-file", str(dest),
    ]  # fmt: skip
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=dict(os.environ, UV_PYTHON_DOWNLOADS="never")
    )
    if proc.returncode != 0:
        raise BuildError(f"{target.label}: uv could not export uv.lock: {_error_tail(proc)}")
    return dest


def install_requirements(target: Target, dest: Path, opts: Options, req: Path | None = None) -> None:
    import subprocess

    req = req or target.requirements
    assert req is not None
    rel = (target.uv_lock or req).relative_to(target.src.parent.parent).as_posix()
    missing = unhashed_requirements(req)
    if missing:
        raise BuildError(
            f"{target.label}: {rel} is not a hashed lock ({', '.join(missing[:3])} without --hash); "
            "run 'make lock'"
        )
    cmd = install_command(opts.installer, req, dest, opts.arch, opts.python, opts.pip_extra_args)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        raise BuildError(f"{target.label}: {opts.installer[0]} could not install {rel}: {_error_tail(proc)}")


def _error_tail(proc: subprocess.CompletedProcess[str]) -> str:
    """The installer's error on one line: pip's ERROR lines, or uv's error/× line and what follows it."""
    lines = [ln.strip(" \t│╰─▶") for ln in (proc.stderr or proc.stdout).splitlines() if ln.strip()]
    lines = [ln for ln in lines if ln]
    first = next((i for i, ln in enumerate(lines) if ln.startswith(("ERROR", "error", "×"))), None)
    picked = lines[-3:] if first is None else lines[first : first + 3]
    if any(ln.startswith("ERROR") for ln in lines):
        picked = [ln for ln in lines if ln.startswith("ERROR")][-3:]
    text = " | ".join(picked) or f"exit status {proc.returncode}"
    return text if len(text) <= 400 else text[:397] + "..."


def _remove_distribution(site: Path, dist_info: Path) -> None:
    import csv
    import shutil

    record = dist_info / "RECORD"
    if record.is_file():
        with record.open(newline="") as f:
            for row in csv.reader(f):
                if row:
                    p = (dist_info.parent / row[0]).resolve()
                    if p.is_relative_to(site.resolve()) and p.is_file():
                        p.unlink()
    shutil.rmtree(dist_info, ignore_errors=True)
    # prune directories the removal emptied
    for dirpath, _dirs, _files in sorted(os.walk(site, topdown=False), reverse=True):
        d = Path(dirpath)
        if d != site and not any(d.iterdir()):
            d.rmdir()


def normalise_installed_tree(site: Path, requirements: Path) -> list[str]:
    """Make a `pip install --target` tree reproducible; return unpinned distributions (name==ver)."""
    import shutil

    scripts = site / "bin"
    if scripts.is_dir() and not (scripts / "__init__.py").exists():
        shutil.rmtree(scripts)  # console scripts: shebangs name this machine's interpreter
    for d in list(site.rglob("__pycache__")):
        shutil.rmtree(d, ignore_errors=True)
    for p in list(site.rglob("*.py[co]")):
        p.unlink()
    explicit = requirement_names(requirements)
    pinned = _pinned(requirements)
    unpinned: list[str] = []
    for dist_info in sorted(site.glob("*.dist-info")):
        name, _, version = dist_info.name[: -len(".dist-info")].partition("-")
        cname = canonical_name(name)
        if cname in RUNTIME_PROVIDED and cname not in explicit:
            _remove_distribution(site, dist_info)
            continue
        if cname not in pinned:
            unpinned.append(f"{cname}=={version}")
        for volatile in VOLATILE_DIST_FILES:
            (dist_info / volatile).unlink(missing_ok=True)
    for record in sorted(site.glob("*.dist-info/RECORD")):
        _rewrite_record(site, record)
    return unpinned


def _rewrite_record(site: Path, record: Path) -> None:
    """Rewrite RECORD from the tree: the files it named that are still there, sorted, with their own
    sha256 and size (plus RECORD itself). Whatever installer wrote it (pip, uv), the bytes are the same."""
    import base64
    import csv

    site_resolved = site.resolve()
    rows: dict[str, str] = {}
    with record.open(newline="") as f:
        for row in csv.reader(f):
            if not row or not row[0]:
                continue
            p = (record.parent.parent / row[0]).resolve()
            if p == record.resolve() or not (p.is_relative_to(site_resolved) and p.is_file()):
                continue
            rel = p.relative_to(site_resolved).as_posix()
            digest = base64.urlsafe_b64encode(hashlib.sha256(p.read_bytes()).digest()).rstrip(b"=").decode()
            rows[rel] = f"{rel},sha256={digest},{p.stat().st_size}"
    rows[record.relative_to(site).as_posix()] = f"{record.relative_to(site).as_posix()},,"
    record.write_bytes("".join(f"{rows[k]}\n" for k in sorted(rows)).encode())


# --------------------------------------------------------------------------------------------
# bytecode

# Where Lambda puts a zip's root: co_filename in the .pyc names the file as it is at run time.
RUNTIME_ROOT = {"functions": "/var/task", "layers": "/opt"}

# Runs in the target interpreter: PEP 552 unchecked-hash .pyc (no mtime inside, not revalidated
# against the source at import, so /var/task and /opt being read-only costs nothing). A fresh process
# per fixed share of a target (BYTECODE_WORKERS), files in sorted order: marshal's output then depends
# only on the inputs.
_COMPILER = """
import json, py_compile, sys
failed = 0
for src, cfile, dfile in json.load(sys.stdin):
    try:
        py_compile.compile(src, cfile=cfile, dfile=dfile, doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    except (py_compile.PyCompileError, SyntaxError, ValueError, UnicodeDecodeError):
        failed += 1
print(failed)
"""

_INTERPRETERS: dict[str, str] = {}


def target_interpreter(python: str) -> str:
    """A CPython of the target minor version (the running one, else scripts/find_python.sh)."""
    import subprocess

    if python == f"{sys.version_info[0]}.{sys.version_info[1]}":
        return sys.executable
    if python not in _INTERPRETERS:
        proc = subprocess.run(
            ["bash", str(ROOT / "scripts" / "find_python.sh"), python],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0 or not proc.stdout.strip():
            raise BuildError(
                f"no Python {python} interpreter to compile bytecode with ({proc.stderr.strip()}); "
                "install it or pass --no-bytecode"
            )
        _INTERPRETERS[python] = proc.stdout.strip()
    return _INTERPRETERS[python]


def compile_bytecode(target: Target, entries: dict[str, Path], tmp: Path, python: str) -> dict[str, Path]:
    """{arcname of __pycache__/<mod>.cpython-3XY.pyc: file} for every .py entry that compiles."""
    import subprocess

    tag = "cpython-" + python.replace(".", "")
    jobs: list[tuple[str, str, str]] = []
    pycs: dict[str, Path] = {}
    for arcname in sorted(entries):
        if not arcname.endswith(".py"):
            continue
        folder, _, filename = arcname.rpartition("/")
        pyc_arc = f"{folder + '/' if folder else ''}__pycache__/{filename[:-3]}.{tag}.pyc"
        cfile = tmp / pyc_arc
        jobs.append((str(entries[arcname]), str(cfile), f"{RUNTIME_ROOT[target.kind]}/{arcname}"))
        pycs[pyc_arc] = cfile
    if not jobs:
        return {}
    # Each file compiles on its own (its .pyc depends on it alone), so the jobs are dealt out to
    # BYTECODE_WORKERS processes; a few files are not worth a second interpreter start.
    workers = BYTECODE_WORKERS if len(jobs) >= 100 else 1
    interpreter = target_interpreter(python)
    tmp.mkdir(parents=True, exist_ok=True)
    procs = []
    for index in range(workers):
        job_file = tmp / f".jobs-{index}.json"
        job_file.write_text(json.dumps(jobs[index::workers]))
        with job_file.open() as stdin:
            procs.append(
                subprocess.Popen(
                    [interpreter, "-I", "-c", _COMPILER],
                    stdin=stdin,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
    failures = []
    for proc in procs:
        _, err = proc.communicate()
        if proc.returncode != 0:
            failures.append(err.strip()[-300:])
    if failures:
        raise BuildError(f"{target.label}: compiling bytecode failed: {failures[0]}")
    # a file that does not compile for this Python (e.g. a py2 template) ships as source only
    return {arc: path for arc, path in pycs.items() if path.is_file()}


# --------------------------------------------------------------------------------------------
# what a zip holds: per-file hashes (the manifest) and a CycloneDX SBOM (build/sbom/)


class Distribution(NamedTuple):
    name: str
    version: str
    license: str | None


def _is_metadata(arcname: str) -> bool:
    return re.fullmatch(r"(python/)?[^/]+\.dist-info/METADATA", arcname) is not None


def _distributions(metadata: Iterator[bytes]) -> list[Distribution]:
    import email.parser

    dists = []
    for data in metadata:
        meta = email.parser.BytesHeaderParser().parsebytes(data)
        dists.append(Distribution(meta["Name"], meta["Version"], meta.get("License-Expression")))
    return sorted(dists, key=lambda d: canonical_name(d.name))


def zip_contents(zip_path: Path) -> tuple[dict[str, str], list[Distribution]]:
    """({arcname: sha256} of every entry, the Python distributions installed in it)."""
    import zipfile

    files: dict[str, str] = {}
    metadata: list[bytes] = []
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            data = zf.read(info)
            files[info.filename] = hashlib.sha256(data).hexdigest()
            if _is_metadata(info.filename):
                metadata.append(data)
    return files, _distributions(iter(metadata))


def sbom_json(target: Target, zip_sha256: str, dists: list[Distribution], layers: Sequence[str]) -> str:
    """A CycloneDX 1.6 SBOM of one zip: its Python distributions, and for a function the layers it runs
    with (by name: each layer's own SBOM describes it, so a layer change leaves this one as it is).

    Deterministic: the serial number derives from the zip's hash, the timestamp is the zips' fixed date.
    """
    import datetime as dt
    import uuid

    from cyclonedx.model import HashAlgorithm, HashType
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.model.license import LicenseExpression
    from cyclonedx.output.json import JsonV1Dot6
    from packageurl import PackageURL

    bom = Bom(serial_number=uuid.uuid5(uuid.NAMESPACE_URL, f"sha256:{zip_sha256}"))
    bom.metadata.timestamp = dt.datetime(*ZIP_DATE_TIME, tzinfo=dt.UTC)
    root = Component(
        name=target.name,
        type=ComponentType.APPLICATION if target.kind == "functions" else ComponentType.LIBRARY,
        version=zip_sha256[:12],
        bom_ref=f"{target.kind}/{target.name}",
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=zip_sha256)],
    )
    bom.metadata.component = root
    parts = [
        Component(
            name=canonical_name(d.name),
            version=d.version,
            type=ComponentType.LIBRARY,
            purl=PackageURL("pypi", name=canonical_name(d.name), version=d.version),
            bom_ref=f"pkg:pypi/{canonical_name(d.name)}@{d.version}",
            licenses=[LicenseExpression(d.license)] if d.license else [],
        )
        for d in dists
    ] + [
        Component(name=name, type=ComponentType.LIBRARY, bom_ref=f"layers/{name}", description="Lambda layer")
        for name in layers
    ]
    for part in parts:
        bom.components.add(part)
    bom.register_dependency(root, parts)
    return str(JsonV1Dot6(bom).output_as_string(indent=2)) + "\n"


Contents = tuple[dict[str, str], list[Distribution]]  # what zip_contents returns


def describe_zip(
    target: Target, opts: Options, zip_path: Path, entry: dict[str, Any], contents: Contents | None = None
) -> None:
    """Record the zip's per-file hashes in its manifest entry and write its SBOM (from `contents`, known
    when the zip was just written, else read from the zip)."""
    files, dists = contents or zip_contents(zip_path)
    entry["files"] = files
    write_sbom(target, opts, entry, sbom_json(target, entry["sha256"], dists, target.layers))


def _sbom_intact(out: Path, entry: dict[str, Any]) -> bool:
    path = out / str(entry.get("sbom"))
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == entry.get("sbom_sha256")


def write_sbom(target: Target, opts: Options, entry: dict[str, Any], text: str) -> None:
    rel = f"sbom/{target.kind}/{target.name}.cdx.json"
    path = opts.out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
    entry["sbom"] = rel
    entry["sbom_sha256"] = hashlib.sha256(text.encode()).hexdigest()


# --------------------------------------------------------------------------------------------
# building one target


class Options(NamedTuple):
    root: Path
    out: Path
    arch: str
    python: str
    force: bool
    quiet: bool
    layer_cache: Path | None
    pip_extra_args: list[str]
    # sha256 of output zips by (size, mtime, ctime, inode): a no-op build stats its zips, never reads them
    digests: dict[str, list[Any]]
    installer: tuple[str, str | None] = ("pip", None)
    bytecode: bool = True
    package_store: str = "direct"  # "s3": zips go to S3, so the direct-upload zipped limit does not apply


def _source_entries(target: Target) -> dict[str, Path]:
    if target.kind == "functions":
        return {
            rel: p for rel, p in walk_files(target.src, drop_tests=True) if rel not in FUNCTION_BUILD_FILES
        }
    py = target.src / "python"
    if not py.is_dir():
        return {}
    return {f"python/{rel}": p for rel, p in walk_files(py, drop_tests=False)}


def warn(msg: str) -> None:
    print(f"warning: {msg}", file=sys.stderr)


def _build_zip(target: Target, opts: Options, zip_path: Path) -> tuple[int, Contents]:
    import tempfile

    entries: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix=f"build-{target.name}-") as tmp:
        req = export_uv_lock(target, Path(tmp) / "uv-export.txt") if target.uv_lock else target.requirements
        if req is not None:
            prefix = "python/" if target.kind == "layers" else ""
            site = Path(tmp) / "site"
            install_requirements(target, site, opts, req)
            unpinned = normalise_installed_tree(site, req)
            if unpinned:
                warn(
                    f"{target.label}: transitive dependencies not pinned in requirements.txt "
                    f"(the zip may change when PyPI does): {', '.join(unpinned)}",
                )
            entries.update({prefix + rel: p for rel, p in walk_files(site, drop_tests=False)})
        entries.update(_source_entries(target))  # project sources win over installed files
        if not entries:
            raise BuildError(f"{target.label}: nothing to package")
        if opts.bytecode:
            entries.update(compile_bytecode(target, entries, Path(tmp) / "pyc", opts.python))
        unzipped, files = write_zip(zip_path, entries)
        dists = _distributions(entries[a].read_bytes() for a in sorted(entries) if _is_metadata(a))
        return unzipped, (files, dists)


def _layer_cache_file(target: Target, opts: Options, inputs: str) -> Path | None:
    import shlex

    if opts.layer_cache is None or target.kind != "layers" or (target.requirements or target.uv_lock) is None:
        return None
    key = hashlib.sha256(f"{inputs}\0{shlex.join(opts.pip_extra_args)}".encode()).hexdigest()
    return opts.layer_cache / f"{target.name}-{key[:32]}.zip"


def _prune_layer_cache(folder: Path, name: str) -> None:
    """Keep the LAYER_CACHE_KEEP most recently used zips of one layer (arch x python x history)."""
    zips = sorted(folder.glob(f"{name}-{'[0-9a-f]' * 32}.zip"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in zips[LAYER_CACHE_KEEP:]:
        old.unlink(missing_ok=True)


def _cache_usable(path: Path) -> bool:
    import zipfile

    if not path.is_file():
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            return bool(zf.infolist())
    except (OSError, zipfile.BadZipFile):
        return False


def unchanged_result(target: Target, opts: Options, old: dict[str, Any] | None) -> Result | None:
    """The target's Result when its manifest entry and zip are still right for its inputs, else None."""
    start = time.monotonic()
    inputs = inputs_sha256(target, opts.arch, opts.python, opts.bytecode)
    zip_path = opts.out / target.kind / f"{target.name}.zip"
    if (
        opts.force
        or old is None
        or old.get("inputs_sha256") != inputs
        or old.get("path") != zip_path.relative_to(opts.out).as_posix()
        or not zip_path.is_file()
        or zip_path.stat().st_size != old.get("zipped_size")
        or zip_sha256(zip_path, opts.digests) != old.get("sha256")
    ):
        return None
    entry = dict(old)
    if "files" not in entry or not _sbom_intact(opts.out, entry):
        describe_zip(target, opts, zip_path, entry)
    return Result(target, "unchanged", time.monotonic() - start, entry)


def build_target(target: Target, opts: Options, old: dict[str, Any] | None) -> Result:
    unchanged = unchanged_result(target, opts, old)
    if unchanged is not None:
        return unchanged
    import shutil

    start = time.monotonic()
    inputs = inputs_sha256(target, opts.arch, opts.python, opts.bytecode)
    zip_path = opts.out / target.kind / f"{target.name}.zip"
    rel = zip_path.relative_to(opts.out).as_posix()

    # Build next to the destination and move into place only once the limits pass, so a failed
    # build leaves the previous zip (and its manifest entry) intact.
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = zip_path.with_name(f".{zip_path.name}.{os.getpid()}.tmp")
    cache = _layer_cache_file(target, opts, inputs)
    contents: Contents | None = None
    try:
        if cache is not None and not opts.force and _cache_usable(cache):
            shutil.copyfile(cache, tmp)
            status, unzipped = "cached", zip_unzipped_size(tmp)
        else:
            status = "built"
            unzipped, contents = _build_zip(target, opts, tmp)
        entry = manifest_entry(tmp, rel, inputs, unzipped)
        if target.kind == "functions":
            entry["layers"] = list(target.layers)
        check_zip_limits(target, entry["zipped_size"], unzipped, direct_upload=opts.package_store == "direct")
        os.replace(tmp, zip_path)
    finally:
        tmp.unlink(missing_ok=True)
    describe_zip(target, opts, zip_path, entry, contents)
    if cache is not None:
        with contextlib.suppress(OSError):  # the cache is an optimisation: never fail the build on it
            if status == "built":
                cache.parent.mkdir(parents=True, exist_ok=True)
                ctmp = cache.with_name(f".{cache.name}.{os.getpid()}.tmp")
                shutil.copyfile(zip_path, ctmp)
                os.replace(ctmp, cache)
            else:
                os.utime(cache)  # mark as recently used
            _prune_layer_cache(cache.parent, target.name)
    return Result(target, status, time.monotonic() - start, entry)


def check_function_layers(functions: list[Target], layer_names: set[str]) -> None:
    for fn in functions:
        if len(fn.layers) > MAX_LAYERS:
            raise BuildError(f"{fn.label} uses {len(fn.layers)} layers; Lambda allows at most {MAX_LAYERS}")
        for layer in fn.layers:
            if layer not in layer_names:
                raise BuildError(f"{fn.label} uses layer '{layer}', but layers/{layer}/ does not exist")


def check_function_sizes(functions: list[Target], manifest: dict[str, Any]) -> None:
    for fn in functions:
        entry = manifest["functions"].get(fn.name)
        if entry is None:
            continue
        total = int(entry["unzipped_size"])
        for layer in fn.layers:
            lentry = manifest["layers"].get(layer)
            if lentry is None:
                warn(f"{fn.label}: layer '{layer}' is not built; size check ignores it")
                continue
            total += int(lentry["unzipped_size"])
        if total > MAX_UNZIPPED_BYTES:
            raise BuildError(
                f"{fn.label}: unzipped size with its layers ({', '.join(fn.layers)}) is {_mb(total)}, "
                f"above Lambda's {_mb(MAX_UNZIPPED_BYTES)} limit"
            )


# --------------------------------------------------------------------------------------------
# manifest


def load_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        print(f"warning: ignoring unreadable {path}", file=sys.stderr)
        return {}
    return data if isinstance(data, dict) else {}


def write_manifest(path: Path, manifest: dict) -> None:
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    if path.is_file() and path.read_text() == text:
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def remove_stale_zips(out: Path, manifest: dict) -> None:
    for kind in ("functions", "layers"):
        keep = {e["path"] for e in manifest[kind].values()}
        folder = out / kind
        if not folder.is_dir():
            continue
        for z in folder.glob("*.zip"):
            if z.relative_to(out).as_posix() not in keep:
                z.unlink()
        sboms = {e.get("sbom") for e in manifest[kind].values()}
        for sbom in (out / "sbom" / kind).glob("*.cdx.json"):
            if sbom.relative_to(out).as_posix() not in sboms:
                sbom.unlink()
        for t in folder.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                t.unlink()


# --------------------------------------------------------------------------------------------
# CLI


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Build Lambda function and layer zips (see docs/CONTRACTS.md).")
    p.add_argument("--arch", choices=ARCHES, default="x86_64")
    p.add_argument("--python", choices=PYTHONS, default="3.12")
    p.add_argument("--out", default="build", help="output directory (relative to --root), default: build")
    p.add_argument("--only", default="", help="comma-separated function/layer names to build")
    p.add_argument(
        "--force", action="store_true", help="rebuild even if unchanged (and bypass the layer cache)"
    )
    p.add_argument("--quiet", action="store_true", help="print nothing but errors and warnings")
    p.add_argument("--root", default=str(ROOT), help=argparse.SUPPRESS)
    p.add_argument(
        "--layer-cache",
        default=os.environ.get("SERVERLESS_PIPELINE_LAYER_CACHE") or str(DEFAULT_LAYER_CACHE),
        help="directory caching built layer zips, or 'off' (env SERVERLESS_PIPELINE_LAYER_CACHE)",
    )
    p.add_argument(
        "--pip-extra-args",
        default=os.environ.get("BUILD_PIP_EXTRA_ARGS", ""),
        help="extra arguments for pip install, e.g. '--no-index --find-links DIR' (env BUILD_PIP_EXTRA_ARGS)",
    )
    p.add_argument(
        "--installer",
        choices=("auto", "uv", "pip"),
        default=os.environ.get("BUILD_INSTALLER", "auto"),
        help="what installs locks: uv when found (auto), or pip; same bytes either way (env BUILD_INSTALLER)",
    )
    p.add_argument(
        "--package-store",
        choices=("direct", "s3"),
        default=os.environ.get("BUILD_PACKAGE_STORE", "direct"),
        help="how Terraform ships the zips: direct upload (50 MB zipped limit) or S3 (the root's "
        "artifacts_bucket; only the 250 MB unzipped limit) (env BUILD_PACKAGE_STORE)",
    )
    p.add_argument(
        "--no-bytecode",
        action="store_true",
        help="ship sources only (no precompiled .pyc for the target Python)",
    )
    return p.parse_args(argv)


def print_table(results: list[Result]) -> None:
    rows = [("name", "kind", "zipped KB", "unzipped KB", "status", "seconds")]
    for r in results:
        rows.append(
            (
                r.target.name,
                r.target.kind[:-1],
                f"{r.entry['zipped_size'] / 1024:.1f}",
                f"{r.entry['unzipped_size'] / 1024:.1f}",
                r.status,
                f"{r.seconds:.2f}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            c.ljust(w) if i in (0, 1, 4) else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())


@contextlib.contextmanager
def _out_lock(out: Path) -> Iterator[None]:
    import fcntl

    out.mkdir(parents=True, exist_ok=True)
    with (out / ".build.lock").open("w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def run(opts: Options, only: set[str]) -> list[Result]:
    functions, layers = discover(opts.root)
    unknown = sorted(only - {t.name for t in functions + layers})
    if unknown:
        raise BuildError(f"--only: no function or layer named {', '.join(unknown)}")
    check_function_layers(functions, {t.name for t in layers})
    manifest_path = opts.out / "manifest.json"
    old = load_manifest(manifest_path)
    same_target = old.get("arch") == opts.arch and old.get("python") == opts.python
    if old and not same_target and not opts.quiet:
        print(f"note: {manifest_path} was for {old.get('arch')}/python{old.get('python')}; replacing it")
    manifest: dict[str, Any] = {"version": MANIFEST_VERSION, "arch": opts.arch, "python": opts.python}
    # Start from the previous entries of targets that still exist (and whose zip is still there):
    # targets outside --only keep theirs, and a target that fails keeps its previous zip and entry.
    for kind, targets in (("layers", layers), ("functions", functions)):
        section = old.get(kind)
        prev: dict[str, Any] = section if same_target and isinstance(section, dict) else {}
        manifest[kind] = {
            t.name: prev[t.name]
            for t in targets
            if isinstance(prev.get(t.name), dict) and (opts.out / str(prev[t.name].get("path"))).is_file()
        }
    digests_on_disk = _load_digests(opts.out)
    opts.digests.update(digests_on_disk)
    results: list[Result] = []
    try:
        # Layers first (function size checks need them). Layer builds are mostly pip waiting on the
        # network, so they run side by side; function zips take milliseconds.
        for kind, targets, workers in (("layers", layers, LAYER_WORKERS), ("functions", functions, 1)):
            selected = [t for t in targets if not only or t.name in only]
            errors: list[BuildError] = []
            for outcome in _build_all(selected, opts, manifest[kind], workers):
                if isinstance(outcome, BuildError):
                    errors.append(outcome)
                    continue
                manifest[kind][outcome.target.name] = outcome.entry
                results.append(outcome)
            if errors:
                raise errors[0]
        check_function_sizes(functions, manifest)
    finally:
        if manifest != old:  # a no-op build writes nothing
            write_manifest(manifest_path, manifest)
        remove_stale_zips(opts.out, manifest)
        _save_digests(opts.out, manifest, opts.digests, digests_on_disk)
    return results


def _build_all(
    targets: list[Target], opts: Options, entries: dict[str, Any], workers: int
) -> list[Result | BuildError]:
    """build_target for each target, in target order (so the table and errors are stable); up to
    `workers` side by side, in threads only when more than one target has to be built."""

    def one(target: Target) -> Result | BuildError:
        try:
            return build_target(target, opts, entries.get(target.name))
        except BuildError as exc:
            return exc

    outcomes: list[Result | BuildError | None] = []
    for target in targets:
        try:
            outcomes.append(unchanged_result(target, opts, entries.get(target.name)))
        except BuildError as exc:
            outcomes.append(exc)
    todo = [i for i, outcome in enumerate(outcomes) if outcome is None]
    if workers <= 1 or len(todo) <= 1:
        built = [one(targets[i]) for i in todo]
    else:
        import concurrent.futures

        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            built = list(pool.map(one, [targets[i] for i in todo]))
    for i, outcome in zip(todo, built, strict=True):
        outcomes[i] = outcome
    return [o for o in outcomes if o is not None]


def _load_digests(out: Path) -> dict[str, list[Any]]:
    data = load_manifest(out / DIGEST_CACHE)
    return {k: v for k, v in data.items() if isinstance(v, list) and len(v) == 5}


def _save_digests(
    out: Path, manifest: dict[str, Any], digests: dict[str, list[Any]], on_disk: dict[str, list[Any]]
) -> None:
    """Record the digest of every zip the manifest names (fresh builds included), for the next no-op."""
    keep: dict[str, list[Any]] = {}
    for kind in ("functions", "layers"):
        for entry in manifest.get(kind, {}).values():
            path = out / str(entry.get("path"))
            with contextlib.suppress(OSError):
                stat_now = _stat_key(path)
                cached = digests.get(str(path))
                if cached and cached[:-1] == stat_now:
                    keep[str(path)] = cached
                elif entry.get("sha256"):
                    keep[str(path)] = [*stat_now, entry["sha256"]]
    if keep != on_disk:
        with contextlib.suppress(OSError):
            write_manifest(out / DIGEST_CACHE, keep)


def _split_args(text: str) -> list[str]:
    if not text.strip():
        return []
    import shlex

    return shlex.split(text)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    root = Path(args.root).resolve()
    out = Path(args.out)
    out = out if out.is_absolute() else root / out
    cache = None if args.layer_cache.strip().lower() in ("", "off", "none", "0") else Path(args.layer_cache)
    opts = Options(
        root=root,
        out=out,
        arch=args.arch,
        python=args.python,
        force=args.force,
        quiet=args.quiet,
        layer_cache=cache,
        pip_extra_args=_split_args(args.pip_extra_args),
        installer=resolve_installer(args.installer),
        bytecode=not args.no_bytecode,
        package_store=args.package_store,
        digests={},
    )
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    start = time.monotonic()
    try:
        with _out_lock(out):
            results = run(opts, only)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    if not opts.quiet:
        print_table(results)
        built = sum(r.status != "unchanged" for r in results)
        print(
            f"{len(results)} targets ({built} built, {len(results) - built} unchanged) for "
            f"{opts.arch}/python{opts.python} in {time.monotonic() - start:.2f}s -> "
            f"{os.path.relpath(out / 'manifest.json')}"
        )
    return 0


def host_arch() -> str | None:
    """The --arch value matching this machine, or None."""
    import platform

    return {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower()
    )


if __name__ == "__main__":
    sys.exit(main())
