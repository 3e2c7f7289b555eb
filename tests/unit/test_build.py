"""scripts/build.py: determinism, incrementality, layout, limits and errors.

Every test builds a throw-away project under tmp_path. pip only ever sees local wheels made here
(`--no-index --find-links`), except the real Pillow layer test, which uses PyPI (warm pip and layer
caches make it fast) and skips when PyPI is unreachable.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import os
import random
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_script", ROOT / "scripts" / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_script"] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


build = _load_build()


# ---------------------------------------------------------------------------------------------
# fixtures


def write(path: Path, text: str, mode: int | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    if mode is not None:
        path.chmod(mode)
    return path


def make_wheel(
    folder: Path,
    name: str,
    version: str,
    files: dict[str, str],
    requires: tuple[str, ...] = (),
    scripts: dict[str, str] | None = None,
) -> Path:
    """A minimal py3-none-any wheel, written with zipfile."""
    dist = f"{name}-{version}.dist-info"
    contents = dict(files)
    for script, body in (scripts or {}).items():
        contents[f"{name}-{version}.data/scripts/{script}"] = body
    contents[f"{dist}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires
    )
    contents[f"{dist}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = []
    for path, body in contents.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(body.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(body.encode())}")
    contents[f"{dist}/RECORD"] = "\n".join([*record, f"{dist}/RECORD,,"]) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for path, body in contents.items():
            zf.writestr(path, body)
    return wheel


def lock_line(wheel: Path) -> str:
    """A hashed lock entry for one wheel, as `make lock` writes them."""
    name, version = wheel.name.split("-")[:2]
    return f"{name}=={version} \\\n    --hash=sha256:{hashlib.sha256(wheel.read_bytes()).hexdigest()}\n"


def lock_for(wheels: Path, *names: str) -> str:
    return "".join(lock_line(next(wheels.glob(f"{n}-*.whl"))) for n in names)


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    folder = tmp_path / "wheels"
    make_wheel(
        folder,
        "tinypkg",
        "1.0",
        {"tinypkg/__init__.py": "VALUE = 42\n", "tinypkg/tests/test_tiny.py": "def test(): pass\n"},
        requires=("botocore",),
        scripts={"tinycli": "#!python\nprint('hi')\n"},
    )
    # stands in for the AWS SDK pulled in transitively: the runtime provides it, so it is stripped
    make_wheel(folder, "botocore", "9.9.9", {"botocore/__init__.py": ""})
    return folder


@pytest.fixture(autouse=True)
def isolated_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the machine's pip configuration (indexes, find-links, constraints) out of the tests."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    for var in ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CONSTRAINT", "PIP_NO_INDEX"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("BUILD_PIP_EXTRA_ARGS", raising=False)
    monkeypatch.delenv("SERVERLESS_PIPELINE_LAYER_CACHE", raising=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    fn = root / "functions" / "alpha"
    write(
        fn / "handler.py",
        "from service import run\n\n\ndef lambda_handler(event, context):\n    return run()\n",
    )
    write(fn / "service.py", "def run():\n    return 'alpha'\n")
    write(fn / "pkg" / "__init__.py", "")
    write(fn / "pkg" / "data.json", '{"a": 1}\n')
    write(fn / "tests" / "test_alpha.py", "def test(): pass\n")
    write(fn / "__pycache__" / "service.cpython-312.pyc", "junk")
    write(fn / "pkg" / "__pycache__" / "x.cpython-312.pyc", "junk")
    write(fn / "stale.pyc", "junk")
    write(fn / ".env", "SECRET=1\n")
    write(fn / ".pytest_cache" / "README.md", "cache")
    fb = root / "functions" / "beta"
    write(fb / "handler.py", "def lambda_handler(event, context):\n    return 'beta'\n")
    write(fb / "layers.txt", "# the layers beta uses\npowertools\n")
    write(fb / "bin" / "run.sh", "#!/bin/sh\necho hi\n", mode=0o775)
    write(root / "layers" / "powertools" / "python" / "fake_powertools" / "__init__.py", "NAME = 'pt'\n")
    write(root / "layers" / "powertools" / "python" / "fake_powertools" / "__pycache__" / "a.pyc", "junk")
    return root


@pytest.fixture
def pip_layer(project: Path, wheels: Path) -> Path:
    """A layer installed from a hashed lock (of the local wheels) plus its own python/ sources."""
    layer = project / "layers" / "tiny"
    write(
        layer / "requirements.txt", "# locked\n" + lock_for(wheels, "tinypkg")
    )  # make lock leaves the SDK out
    write(layer / "python" / "extra_mod.py", "X = 1\n")
    return layer


Builder = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run_build(project: Path, wheels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Builder:
    def _run(*args: str, out: str = "build", cache: str = "off") -> tuple[int, str, str]:
        argv = [
            "--root",
            str(project),
            "--out",
            out,
            "--layer-cache",
            cache,
            "--pip-extra-args",
            f"--no-index --find-links {wheels}",
            *args,
        ]
        capsys.readouterr()
        rc = build.main(argv)
        captured = capsys.readouterr()
        return rc, captured.out, captured.err

    return _run


def pyc_of(arcname: str, tag: str = "cpython-312") -> str:
    folder, _, name = arcname.rpartition("/")
    return f"{folder}/__pycache__/{name[:-3]}.{tag}.pyc".lstrip("/")


def statuses(stdout: str) -> dict[str, str]:
    """name -> status from the printed table."""
    result = {}
    for line in stdout.splitlines()[1:]:
        cols = line.split()
        if len(cols) == 6 and cols[1] in ("function", "layer"):
            result[cols[0]] = cols[4]
    return result


def zip_bytes(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.zip"))}


def manifest(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((out / "manifest.json").read_text())
    return data


# ---------------------------------------------------------------------------------------------
# determinism and incrementality


@pytest.mark.usefixtures("pip_layer")
def test_two_builds_are_byte_identical(run_build: Builder, project: Path) -> None:
    assert run_build(out="out1")[0] == 0
    # a second, independent build: different output dir, files re-created with new mtimes
    for path in (project / "functions").rglob("*.py"):
        os.utime(path, (time.time() + 100, time.time() + 100))
    assert run_build(out="out2")[0] == 0
    first, second = zip_bytes(project / "out1"), zip_bytes(project / "out2")
    assert sorted(first) == [
        "functions/alpha.zip",
        "functions/beta.zip",
        "layers/powertools.zip",
        "layers/tiny.zip",
    ]
    assert first == second
    sboms = sorted((project / "out1" / "sbom").rglob("*.cdx.json"))
    assert len(sboms) == 4
    for sbom in sboms:
        assert sbom.read_bytes() == (project / "out2" / sbom.relative_to(project / "out1")).read_bytes()
    assert (project / "out1" / "manifest.json").read_bytes() == (
        project / "out2" / "manifest.json"
    ).read_bytes()


def test_parallel_zip_writer_gives_the_bytes_of_a_serial_zipfile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(7)
    files = {
        "empty.txt": b"",
        "small.py": b"print('hi')\n",
        "pkg/big.so": bytes(rng.getrandbits(8) for _ in range(300_000)) + b"\0" * 200_000,
        "pkg/text.txt": b"lorem ipsum " * 50_000,
        "z/last.bin": bytes(range(256)) * 64,
    }
    entries = {}
    for name, data in files.items():
        path = tmp_path / "src" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        entries[name] = path
    (tmp_path / "src" / "small.py").chmod(0o755)

    serial = tmp_path / "serial.zip"
    with zipfile.ZipFile(serial, "w") as zf:  # what write_zip did before it compressed in threads
        for arcname in sorted(entries):
            info = zipfile.ZipInfo(arcname, date_time=build.ZIP_DATE_TIME)
            info.create_system = 3
            info.external_attr = (0o100000 | build.file_mode(entries[arcname])) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, entries[arcname].read_bytes(), compresslevel=build.ZIP_COMPRESSLEVEL)

    for workers in (1, 3):
        monkeypatch.setattr(build, "ZIP_WORKERS", workers)
        parallel = tmp_path / f"parallel-{workers}.zip"
        unzipped, digests = build.write_zip(parallel, entries)
        assert parallel.read_bytes() == serial.read_bytes()
        assert unzipped == sum(map(len, files.values()))
        assert digests == {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}


def test_bytecode_does_not_depend_on_how_files_are_split_between_compilers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = {}
    for index in range(120):  # enough for more than one compiler process
        source = f"NAME = 'shared constant'\nVALUE = {index}\n\ndef f(x):\n    return (NAME, x, {index})\n"
        entries[f"pkg/mod{index:03}.py"] = write(tmp_path / "src" / f"mod{index:03}.py", source)
    target = build.Target("layers", "probe", tmp_path / "src")
    outputs = []
    for workers in (1, 2):
        monkeypatch.setattr(build, "BYTECODE_WORKERS", workers)
        pycs = build.compile_bytecode(target, entries, tmp_path / f"pyc-{workers}", build.PYTHONS[0])
        assert len(pycs) == len(entries)
        outputs.append({arc: path.read_bytes() for arc, path in pycs.items()})
    assert outputs[0] == outputs[1]


def test_manifest_format(run_build: Builder, project: Path) -> None:
    assert run_build()[0] == 0
    out = project / "build"
    data = manifest(out)
    assert set(data) == {"version", "arch", "python", "functions", "layers"}
    assert (data["version"], data["arch"], data["python"]) == (1, "x86_64", "3.12")
    assert set(data["functions"]) == {"alpha", "beta"}
    assert set(data["layers"]) == {"powertools"}
    assert data["functions"]["alpha"]["layers"] == []
    assert data["functions"]["beta"]["layers"] == ["powertools"]
    for kind, entries in (("functions", data["functions"]), ("layers", data["layers"])):
        for name, entry in entries.items():
            assert set(entry) - {"layers"} == {
                "path",
                "sha256",
                "base64sha256",
                "zipped_size",
                "unzipped_size",
                "inputs_sha256",
                "files",
                "sbom",
                "sbom_sha256",
            }
            assert entry["sbom"] == f"sbom/{kind}/{name}.cdx.json"
            assert entry["sbom_sha256"] == hashlib.sha256((out / entry["sbom"]).read_bytes()).hexdigest()
            assert entry["path"] == f"{kind}/{name}.zip"
            blob = (out / entry["path"]).read_bytes()
            assert entry["sha256"] == hashlib.sha256(blob).hexdigest()
            assert entry["base64sha256"] == base64.b64encode(hashlib.sha256(blob).digest()).decode()
            assert entry["zipped_size"] == len(blob)
            with zipfile.ZipFile(out / entry["path"]) as zf:
                assert entry["unzipped_size"] == sum(i.file_size for i in zf.infolist())
                assert entry["files"] == {
                    i.filename: hashlib.sha256(zf.read(i)).hexdigest() for i in zf.infolist()
                }
    text = (out / "manifest.json").read_text()
    assert text == json.dumps(data, indent=2, sort_keys=True) + "\n"


@pytest.mark.usefixtures("pip_layer")
def test_touching_mtime_is_unchanged_and_noop_rewrites_nothing(run_build: Builder, project: Path) -> None:
    # How fast a no-op build is, is measured by `make bench`; here: it writes no file at all.
    assert run_build()[0] == 0
    before = (project / "build" / "manifest.json").read_bytes()
    written = {
        p: p.stat().st_mtime_ns
        for p in (project / "build").rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }
    later = time.time() + 3600
    for path in project.rglob("*"):
        if path.is_file() and "build" not in path.parts:
            os.utime(path, (later, later))
    rc, out, _ = run_build()
    assert rc == 0
    assert set(statuses(out).values()) == {"unchanged"}, out
    assert (project / "build" / "manifest.json").read_bytes() == before
    assert {
        p: p.stat().st_mtime_ns
        for p in (project / "build").rglob("*")
        if p.is_file() and not p.name.startswith(".")
    } == written


# What a build would import to build or describe a zip; a no-op build needs none of them (its process
# wall time, measured by `make bench`, stays well under 0.1 s).
BUILD_ONLY_MODULES = (
    "zipfile",
    "subprocess",
    "tempfile",
    "csv",
    "email.parser",
    "concurrent.futures",
)


def test_noop_imports_nothing_a_build_needs(run_build: Builder, project: Path) -> None:
    assert run_build()[0] == 0
    probe = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'scripts')!r})\n"
        "import build\n"
        f"rc = build.main(['--root', {str(project)!r}, '--quiet', '--layer-cache', 'off'])\n"
        "print(json.dumps([rc, sorted(sys.modules)]))\n"
    )
    proc = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    rc, modules = json.loads(proc.stdout.splitlines()[-1])
    assert rc == 0
    assert [m for m in BUILD_ONLY_MODULES if m in modules] == []


@pytest.mark.usefixtures("pip_layer")
def test_changing_content_rebuilds_only_that_target(
    run_build: Builder, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_build()[0] == 0
    before = manifest(project / "build")
    (project / "functions" / "alpha" / "service.py").write_text("def run():\n    return 'changed'\n")

    def no_pip(*_a: object, **_k: object) -> None:
        raise AssertionError("pip must not run for an unchanged layer")

    monkeypatch.setattr(build, "install_requirements", no_pip)
    rc, out, _ = run_build()
    assert rc == 0
    assert statuses(out) == {
        "alpha": "built",
        "beta": "unchanged",
        "powertools": "unchanged",
        "tiny": "unchanged",
    }
    after = manifest(project / "build")
    assert after["functions"]["alpha"]["sha256"] != before["functions"]["alpha"]["sha256"]
    assert after["functions"]["beta"] == before["functions"]["beta"]
    assert after["layers"] == before["layers"]


def test_mode_change_rebuilds(run_build: Builder, project: Path) -> None:
    assert run_build()[0] == 0
    (project / "functions" / "beta" / "bin" / "run.sh").chmod(0o644)
    rc, out, _ = run_build()
    assert rc == 0
    assert statuses(out)["beta"] == "built"
    assert statuses(out)["alpha"] == "unchanged"


def test_noop_stats_zips_instead_of_reading_them(
    run_build: Builder, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_build()[0] == 0

    def no_read(_path: Path) -> str:
        raise AssertionError("an unchanged zip must not be re-hashed")

    monkeypatch.setattr(build, "file_sha256", no_read)
    rc, out, _ = run_build()
    assert rc == 0 and set(statuses(out).values()) == {"unchanged"}


def test_tampered_zip_is_rebuilt(run_build: Builder, project: Path) -> None:
    assert run_build()[0] == 0
    zip_path = project / "build" / "functions" / "beta.zip"
    good = zip_path.read_bytes()
    zip_path.write_bytes(good[:-1] + b"x")
    rc, out, _ = run_build()
    assert rc == 0 and statuses(out)["beta"] == "built"
    assert zip_path.read_bytes() == good


def test_force_rebuilds_everything(run_build: Builder, project: Path) -> None:
    assert run_build()[0] == 0
    rc, out, _ = run_build("--force")
    assert rc == 0
    assert set(statuses(out).values()) == {"built"}


def test_only_builds_selection_and_keeps_other_entries(run_build: Builder, project: Path) -> None:
    assert run_build()[0] == 0
    before = manifest(project / "build")
    (project / "functions" / "alpha" / "service.py").write_text("X = 2\n")
    (project / "functions" / "beta" / "handler.py").write_text("Y = 2\n")
    rc, out, _ = run_build("--only", "beta")
    assert rc == 0
    assert statuses(out) == {"beta": "built"}
    after = manifest(project / "build")
    assert after["functions"]["alpha"] == before["functions"]["alpha"]
    assert after["layers"] == before["layers"]
    assert (project / "build" / "functions" / "alpha.zip").is_file()


def test_removed_function_drops_entry_and_zip(run_build: Builder, project: Path) -> None:
    assert run_build()[0] == 0
    assert (project / "build" / "functions" / "beta.zip").is_file()
    for path in sorted((project / "functions" / "beta").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (project / "functions" / "beta").rmdir()
    assert run_build()[0] == 0
    assert "beta" not in manifest(project / "build")["functions"]
    assert not (project / "build" / "functions" / "beta.zip").exists()


def test_arch_and_python_are_part_of_the_inputs(run_build: Builder, project: Path) -> None:
    assert run_build()[0] == 0
    rc, out, _ = run_build("--arch", "arm64", "--python", "3.13")
    assert rc == 0
    assert set(statuses(out).values()) == {"built"}
    data = manifest(project / "build")
    assert (data["arch"], data["python"]) == ("arm64", "3.13")


# ---------------------------------------------------------------------------------------------
# zip layout


def test_function_zip_entries_are_normalised(run_build: Builder, project: Path) -> None:
    assert run_build()[0] == 0
    with zipfile.ZipFile(project / "build" / "functions" / "alpha.zip") as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
    assert names == sorted(names)
    assert names == [
        "__pycache__/handler.cpython-312.pyc",
        "__pycache__/service.cpython-312.pyc",
        "handler.py",
        "pkg/__init__.py",
        "pkg/__pycache__/__init__.cpython-312.pyc",
        "pkg/data.json",
        "service.py",
    ]
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert info.extra == b""
        assert info.compress_type == zipfile.ZIP_DEFLATED
        assert (info.external_attr >> 16) & 0o777 == 0o644
    with zipfile.ZipFile(project / "build" / "functions" / "beta.zip") as zf:
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in zf.infolist()}
    assert modes == {"bin/run.sh": 0o755, "handler.py": 0o644, "__pycache__/handler.cpython-312.pyc": 0o644}


def test_pip_layer_has_python_root_and_is_normalised(
    run_build: Builder, project: Path, pip_layer: Path
) -> None:
    assert run_build()[0] == 0
    with zipfile.ZipFile(project / "build" / "layers" / "tiny.zip") as zf:
        names = zf.namelist()
        record = zf.read("python/tinypkg-1.0.dist-info/RECORD").decode()
    assert names == sorted(names)
    assert all(n.startswith("python/") for n in names), names
    assert "python/tinypkg/__init__.py" in names
    assert "python/tinypkg/tests/test_tiny.py" in names  # packages' own tests dirs are kept
    assert "python/extra_mod.py" in names  # the layer's python/ sources
    # bytecode is ours (one .pyc per shipped .py), never the installer's
    assert {n for n in names if n.endswith(".pyc")} == {pyc_of(n) for n in names if n.endswith(".py")}
    assert not [n for n in names if n.startswith("python/bin/")]  # console scripts (local shebangs)
    assert not [n for n in names if n.endswith(("/REQUESTED", "/direct_url.json", "/INSTALLER"))]
    assert not [n for n in names if n.startswith("python/botocore")]  # provided by the Lambda runtime
    assert "REQUESTED" not in record and "bin/tinycli" not in record
    assert "tinypkg/__init__.py" in record


def test_sbom_lists_installed_distributions_and_function_layers(
    run_build: Builder, project: Path, pip_layer: Path
) -> None:
    assert run_build()[0] == 0
    out = project / "build"
    data = manifest(out)
    layer = json.loads((out / "sbom" / "layers" / "tiny.cdx.json").read_text())
    assert (layer["bomFormat"], layer["specVersion"]) == ("CycloneDX", "1.6")
    assert layer["metadata"]["component"]["name"] == "tiny"
    assert layer["metadata"]["component"]["hashes"] == [
        {"alg": "SHA-256", "content": data["layers"]["tiny"]["sha256"]}
    ]
    assert [(c["name"], c["version"], c["purl"]) for c in layer["components"]] == [
        ("tinypkg", "1.0", "pkg:pypi/tinypkg@1.0")
    ]
    beta = json.loads((out / "sbom" / "functions" / "beta.cdx.json").read_text())
    assert beta["metadata"]["component"]["type"] == "application"
    assert [c["bom-ref"] for c in beta["components"]] == ["layers/powertools"]
    assert beta["dependencies"][0] == {"ref": "functions/beta", "dependsOn": ["layers/powertools"]}
    # a removed SBOM is written again by the next (no-op) build, with the same bytes
    sbom = out / "sbom" / "layers" / "tiny.cdx.json"
    before = sbom.read_bytes()
    sbom.unlink()
    rc, stdout, _ = run_build()
    assert rc == 0 and statuses(stdout)["tiny"] == "unchanged"
    assert sbom.read_bytes() == before


def test_source_layer_has_python_root(run_build: Builder, project: Path) -> None:
    assert run_build()[0] == 0
    with zipfile.ZipFile(project / "build" / "layers" / "powertools.zip") as zf:
        assert zf.namelist() == [
            "python/fake_powertools/__init__.py",
            "python/fake_powertools/__pycache__/__init__.cpython-312.pyc",
        ]


def test_function_requirements_are_installed_at_zip_root(
    run_build: Builder, project: Path, wheels: Path
) -> None:
    write(project / "functions" / "beta" / "requirements.txt", lock_for(wheels, "tinypkg"))
    assert run_build()[0] == 0
    with zipfile.ZipFile(project / "build" / "functions" / "beta.zip") as zf:
        names = zf.namelist()
    assert "tinypkg/__init__.py" in names
    assert "handler.py" in names
    assert "requirements.txt" not in names


def test_layer_cache_reused_by_a_fresh_output_dir(
    run_build: Builder, project: Path, pip_layer: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = str(tmp_path / "layer-cache")
    assert run_build(out="out1", cache=cache)[0] == 0
    assert list((tmp_path / "layer-cache").glob("tiny-*.zip"))

    def no_pip(*_a: object, **_k: object) -> None:
        raise AssertionError("pip must not run on a layer cache hit")

    monkeypatch.setattr(build, "install_requirements", no_pip)
    rc, out, _ = run_build(out="out2", cache=cache)
    assert rc == 0
    assert statuses(out)["tiny"] == "cached"
    assert zip_bytes(project / "out1") == zip_bytes(project / "out2")
    assert manifest(project / "out1") == manifest(project / "out2")


# ---------------------------------------------------------------------------------------------
# locks, installers, bytecode


def test_unhashed_requirements_are_refused(run_build: Builder, project: Path) -> None:
    write(project / "layers" / "loose" / "requirements.txt", "tinypkg==1.0\n")
    rc, _, err = run_build()
    assert_one_line_error(rc, err, "layer 'loose'", "not a hashed lock", "tinypkg==1.0", "make lock")


INSTALLERS = ["pip", pytest.param("uv", marks=pytest.mark.skipif(build.find_uv() is None, reason="no uv"))]


@pytest.mark.parametrize("installer", INSTALLERS)
def test_tampered_wheel_is_refused(
    run_build: Builder, project: Path, pip_layer: Path, wheels: Path, installer: str
) -> None:
    # the lock names the published wheel; the file on the index is then swapped for another build
    tampered = make_wheel(wheels / "evil", "tinypkg", "1.0", {"tinypkg/__init__.py": "import os  # evil\n"})
    tampered.replace(next(wheels.glob("tinypkg-*.whl")))
    rc, _, err = run_build("--installer", installer)
    assert_one_line_error(rc, err, "layer 'tiny'", f"{installer} could not install")
    assert "hash" in err.lower()
    assert not (project / "build" / "layers" / "tiny.zip").exists()


@pytest.mark.skipif(build.find_uv() is None, reason="no uv")
def test_uv_and_pip_install_the_same_lock_to_the_same_bytes(
    run_build: Builder, project: Path, pip_layer: Path, wheels: Path
) -> None:
    write(project / "functions" / "beta" / "requirements.txt", lock_for(wheels, "tinypkg"))
    assert run_build("--installer", "pip", out="by-pip")[0] == 0
    assert run_build("--installer", "uv", out="by-uv")[0] == 0
    by_pip, by_uv = zip_bytes(project / "by-pip"), zip_bytes(project / "by-uv")
    assert sorted(by_pip) == [
        "functions/alpha.zip",
        "functions/beta.zip",
        "layers/powertools.zip",
        "layers/tiny.zip",
    ]
    assert by_pip == by_uv
    with zipfile.ZipFile(project / "by-uv" / "layers" / "tiny.zip") as zf:
        record = zf.read("python/tinypkg-1.0.dist-info/RECORD").decode()
    rows = record.splitlines()
    assert rows == sorted(rows) and "INSTALLER" not in record


UV_LOCK = """version = 1
revision = 3
requires-python = ">=3.12"

[[package]]
name = "tiny-layer"
version = "0"
source = {{ virtual = "." }}
dependencies = [{{ name = "tinypkg" }}]

[package.metadata]
requires-dist = [{{ name = "tinypkg", specifier = "==1.0" }}]

[[package]]
name = "tinypkg"
version = "1.0"
source = {{ registry = "https://pypi.org/simple" }}
wheels = [
    {{ url = "https://files.pythonhosted.org/packages/tinypkg-1.0-py3-none-any.whl", hash = "sha256:{sha}" }},
]
"""


@pytest.mark.skipif(build.find_uv() is None, reason="no uv")
@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_layer_declared_by_pyproject_and_uv_lock(
    run_build: Builder, project: Path, pip_layer: Path, wheels: Path, installer: str
) -> None:
    """pyproject.toml + uv.lock (as `uv lock` writes it for PyPI) builds the bytes requirements.txt does."""
    assert run_build(out="from-requirements")[0] == 0
    (pip_layer / "requirements.txt").unlink()
    sha = hashlib.sha256(next(wheels.glob("tinypkg-*.whl")).read_bytes()).hexdigest()
    write(
        pip_layer / "pyproject.toml",
        '[project]\nname = "tiny-layer"\nversion = "0"\n'
        'requires-python = ">=3.12"\ndependencies = ["tinypkg==1.0"]\n\n[tool.uv]\npackage = false\n',
    )
    write(pip_layer / "uv.lock", UV_LOCK.format(sha=sha))
    rc, _, err = run_build("--installer", installer, out="from-uv-lock")
    assert rc == 0, err
    assert (project / "from-uv-lock" / "layers" / "tiny.zip").read_bytes() == (
        project / "from-requirements" / "layers" / "tiny.zip"
    ).read_bytes()
    # the lock is what is installed: a wheel that does not match its hash is refused
    write(pip_layer / "uv.lock", UV_LOCK.format(sha="0" * 64))
    rc, _, err = run_build("--installer", installer, out="from-uv-lock")
    assert_one_line_error(rc, err, "layer 'tiny'", "uv.lock")


def test_bytecode_is_unchecked_hash_pep552_naming_the_runtime_path(run_build: Builder, project: Path) -> None:
    import importlib.util
    import marshal

    assert run_build()[0] == 0
    with zipfile.ZipFile(project / "build" / "functions" / "alpha.zip") as zf:
        source = zf.read("service.py")
        pyc = zf.read("__pycache__/service.cpython-312.pyc")
    with zipfile.ZipFile(project / "build" / "layers" / "powertools.zip") as zf:
        layer_pyc = zf.read("python/fake_powertools/__pycache__/__init__.cpython-312.pyc")
    assert pyc[:4] == importlib.util.MAGIC_NUMBER  # compiled by a 3.12 interpreter (the one running here)
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # hash-based, check_source off: no mtime, no stat
    assert pyc[8:16] == importlib.util.source_hash(source)
    assert marshal.loads(pyc[16:]).co_filename == "/var/task/service.py"  # tracebacks name the shipped file
    assert marshal.loads(layer_pyc[16:]).co_filename == "/opt/python/fake_powertools/__init__.py"


def test_bytecode_for_the_target_python(run_build: Builder, project: Path) -> None:
    rc, _, err = run_build("--python", "3.13")
    if rc != 0 and "no Python 3.13" in err:
        pytest.skip("no Python 3.13 interpreter on this machine")
    assert rc == 0, err
    with zipfile.ZipFile(project / "build" / "functions" / "alpha.zip") as zf:
        names = zf.namelist()
        pyc = zf.read("__pycache__/service.cpython-313.pyc")
    assert not [n for n in names if "cpython-312" in n]
    assert int.from_bytes(pyc[4:8], "little") == 0b01


def test_no_bytecode_ships_sources_only(run_build: Builder, project: Path) -> None:
    assert run_build()[0] == 0
    rc, out, _ = run_build("--no-bytecode")
    assert rc == 0 and set(statuses(out).values()) == {"built"}  # part of the inputs
    with zipfile.ZipFile(project / "build" / "functions" / "alpha.zip") as zf:
        assert not [n for n in zf.namelist() if n.endswith(".pyc")]


# ---------------------------------------------------------------------------------------------
# errors


def assert_one_line_error(rc: int, err: str, *fragments: str) -> None:
    assert rc != 0
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("warning:")]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_missing_handler_is_a_clear_error(run_build: Builder, project: Path) -> None:
    write(project / "functions" / "gamma" / "service.py", "")
    rc, _, err = run_build()
    assert_one_line_error(rc, err, "gamma", "handler.py")


def test_unresolvable_requirement_is_a_clear_error(run_build: Builder, project: Path) -> None:
    write(
        project / "layers" / "broken" / "requirements.txt",
        "no-such-package-xyz==1.0 --hash=sha256:" + "0" * 64 + "\n",
    )
    rc, _, err = run_build()
    assert_one_line_error(rc, err, "layer 'broken'", "no-such-package-xyz")


def test_layer_without_content_is_a_clear_error(run_build: Builder, project: Path) -> None:
    (project / "layers" / "empty").mkdir(parents=True)
    rc, _, err = run_build()
    assert_one_line_error(rc, err, "layer 'empty'", "requirements.txt")


def test_zipped_size_limit(run_build: Builder, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_build()[0] == 0
    good = (project / "build" / "functions" / "alpha.zip").read_bytes()
    monkeypatch.setattr(build, "MAX_ZIPPED_BYTES", 300)
    (project / "functions" / "alpha" / "big.txt").write_text(os.urandom(2000).hex())
    rc, _, err = run_build()
    assert_one_line_error(rc, err, "function 'alpha'", "zipped limit", "--package-store s3")
    # the failed target keeps its previous zip and manifest entry
    assert (project / "build" / "functions" / "alpha.zip").read_bytes() == good
    entry = manifest(project / "build")["functions"]["alpha"]
    assert entry["sha256"] == hashlib.sha256(good).hexdigest()


def test_zipped_size_limit_does_not_bind_s3_stored_packages(
    run_build: Builder, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "MAX_ZIPPED_BYTES", 300)
    (project / "functions" / "alpha" / "big.txt").write_text(os.urandom(2000).hex())
    rc, _, err = run_build("--package-store", "s3")
    assert rc == 0, err
    entry = manifest(project / "build")["functions"]["alpha"]
    assert entry["zipped_size"] > 300
    zipped = (project / "build" / "functions" / "alpha.zip").read_bytes()
    assert entry["sha256"] == hashlib.sha256(zipped).hexdigest()
    # the unzipped limit still holds with S3
    monkeypatch.setattr(build, "MAX_UNZIPPED_BYTES", 1000)
    (project / "functions" / "alpha" / "big.txt").write_text(os.urandom(2000).hex())
    rc, _, err = run_build("--package-store", "s3")
    assert_one_line_error(rc, err, "function 'alpha'", "unzipped limit")


def test_unzipped_size_limit_counts_layers(
    run_build: Builder, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project / "layers" / "powertools" / "python" / "blob.txt", "x" * 4700)
    monkeypatch.setattr(build, "MAX_UNZIPPED_BYTES", 5050)  # every zip alone fits, not with the layer
    rc, _, err = run_build()
    assert_one_line_error(rc, err, "function 'beta'", "with its layers (powertools)", "unzipped")


def test_too_many_layers(run_build: Builder, project: Path) -> None:
    for i in range(6):
        write(project / "layers" / f"l{i}" / "python" / f"m{i}.py", "")
    write(project / "functions" / "alpha" / "layers.txt", "\n".join(f"l{i}" for i in range(6)) + "\n")
    rc, _, err = run_build()
    assert_one_line_error(rc, err, "function 'alpha'", "6 layers", "at most 5")


def test_unknown_layer_in_layers_txt(run_build: Builder, project: Path) -> None:
    write(project / "functions" / "alpha" / "layers.txt", "powertools\nnope  # comment\n")
    rc, _, err = run_build()
    assert_one_line_error(rc, err, "function 'alpha'", "layer 'nope'")


def test_unknown_only_name(run_build: Builder) -> None:
    rc, _, err = run_build("--only", "nope")
    assert_one_line_error(rc, err, "nope")


def test_cli_runs_as_a_script(project: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build.py"), "--root", str(project), "--layer-cache", "off"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "alpha" in proc.stdout and (project / "build" / "manifest.json").is_file()


# ---------------------------------------------------------------------------------------------
# the real Pillow layer (PyPI through pip's cache), when the host can run it


def _pypi_reachable() -> bool:
    try:
        socket.create_connection(("pypi.org", 443), timeout=3).close()
        return True
    except OSError:
        return False


def _python312() -> str | None:
    finder = ROOT / "scripts" / "find_python.sh"
    proc = subprocess.run(["bash", str(finder), "3.12"], capture_output=True, text=True, check=False)
    return (proc.stdout.strip() or None) if proc.returncode == 0 else None


@pytest.mark.skipif(build.host_arch() is None, reason="host architecture is not x86_64/arm64")
def test_real_pillow_layer_decodes_heic_and_avif_on_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The repository's own Pillow lock, installed for this host's architecture, run by a bare 3.12."""
    python = _python312()
    if python is None:
        pytest.skip("no Python 3.12 interpreter found")
    root = tmp_path / "proj"
    lock = (ROOT / "layers" / "pillow" / "requirements.txt").read_text()
    write(root / "layers" / "pillow" / "requirements.txt", lock)
    rc = build.main(["--root", str(root), "--arch", build.host_arch(), "--python", "3.12", "--quiet"])
    err = capsys.readouterr().err
    if rc != 0 and not _pypi_reachable():
        pytest.skip("PyPI unreachable and Pillow not in the layer cache")
    assert rc == 0, err
    unzipped = tmp_path / "unzipped"
    with zipfile.ZipFile(root / "build" / "layers" / "pillow.zip") as zf:
        assert all(n.startswith("python/") for n in zf.namelist())
        assert "python/PIL/__pycache__/Image.cpython-312.pyc" in zf.namelist()
        zf.extractall(unzipped)
    probe = (
        "import io, sys, PIL, PIL.Image, pillow_heif\n"
        "pillow_heif.register_heif_opener()\n"
        "print(PIL.__version__, PIL.Image.__cached__)\n"
        "for fmt in ('AVIF', 'HEIF'):\n"
        "    buf = io.BytesIO(); PIL.Image.new('RGB', (16, 8), (200, 0, 0)).save(buf, fmt)\n"
        "    im = PIL.Image.open(io.BytesIO(buf.getvalue())); im.load(); print(im.format, im.size)\n"
        "print('PIL.Image' in sys.modules and not sys.dont_write_bytecode)\n"
    )
    proc = subprocess.run(
        [python, "-S", "-B", "-c", probe],  # -S: no site-packages, only the layer; -B: write no .pyc
        env={"PYTHONPATH": str(unzipped / "python"), "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    version_line, avif_line, heif_line, _ = proc.stdout.splitlines()
    assert version_line.split()[0].startswith("13.")
    assert version_line.split()[1].startswith(str(unzipped / "python" / "PIL" / "__pycache__"))
    assert (avif_line, heif_line) == ("AVIF (16, 8)", "HEIF (16, 8)")
