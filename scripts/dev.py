"""`make dev`: watch functions/<name>/ and layers/<name>/ and put each change live in the local deployment.

A change under functions/<name>/ rebuilds that zip (scripts/build.py --only <name>: incremental and
deterministic) and hands it to Lambda with UpdateFunctionCode. A change under layers/<name>/ rebuilds the
layer, publishes it as a new layer version and points every function using it at that version
(UpdateFunctionConfiguration). No Terraform apply: $LATEST changes, so the next invocation from any trigger
(API, SQS/stream mapping, SNS, EventBridge, Step Functions) runs the new code. Each reload prints its
save -> live time (file saved -> function updated and Active again).

Terraform state: dev mode deploys the zips `make build` writes and the root reads, so a later
`make deploy-local` shows each changed function's source_code_hash as an in-place update and re-applies the
same zip (for a layer: one more layer version, functions repointed): a clean re-apply, no drift left.

    python scripts/dev.py [--interval 0.1]    (LOCALSTACK_ENDPOINT / LOCALSTACK_PORT as for make invoke)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import local_fn  # noqa: E402


def _load_builder() -> Any:
    """scripts/build.py as a module (PyPI has a `build` package too): no interpreter start per rebuild."""
    spec = importlib.util.spec_from_file_location("sp_build", Path(__file__).resolve().parent / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["sp_build"] = module
    spec.loader.exec_module(module)
    return module


build = _load_builder()

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
IGNORED_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache", "tests"}


@dataclass(frozen=True)
class Target:
    kind: str  # "functions" | "layers"
    name: str

    @property
    def source(self) -> Path:
        return ROOT / self.kind / self.name


def signature(directory: Path) -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime_ns) of every source file: cheap enough to poll every 100 ms."""
    files: list[tuple[str, int, int]] = []
    for path in directory.rglob("*"):
        rel = path.relative_to(directory)
        if any(part in IGNORED_PARTS or part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if path.suffix in (".pyc", ".swp") or path.name.endswith("~"):
            continue
        st = path.stat()
        files.append((rel.as_posix(), st.st_size, st.st_mtime_ns))
    return tuple(sorted(files))


def targets() -> Iterator[Target]:
    for kind in ("functions", "layers"):
        for directory in sorted((ROOT / kind).iterdir()):
            if directory.is_dir() and not directory.name.startswith((".", "_")):
                yield Target(kind, directory.name)


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((BUILD / "manifest.json").read_text())
    return data


def rebuild(name: str) -> None:
    if build.main(["--only", name, "--quiet", "--root", str(ROOT)]) != 0:
        raise RuntimeError(f"build of {name} failed (see above)")


def wait_updated(lam: Any, function_name: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        cfg = lam.get_function_configuration(FunctionName=function_name)
        status = cfg.get("LastUpdateStatus", "Successful")
        if cfg.get("State") == "Active" and status == "Successful":
            return
        if status == "Failed" or cfg.get("State") == "Failed":
            reason = cfg.get("LastUpdateStatusReason") or cfg.get("StateReason")
            raise RuntimeError(f"{function_name}: update failed: {reason}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{function_name}: still {cfg.get('State')}/{status} after {timeout:.0f} s")
        time.sleep(0.02)


def push_function_code(lam: Any, function_name: str, zip_bytes: bytes) -> None:
    """Put a zip live as $LATEST of a deployed function (what dev mode does after each rebuild)."""
    lam.update_function_code(FunctionName=function_name, ZipFile=zip_bytes)
    wait_updated(lam, function_name)


def reload_function(lam: Any, name: str) -> str:
    deployed = local_fn.resolve(name)
    push_function_code(lam, deployed, (BUILD / manifest()["functions"][name]["path"]).read_bytes())
    return deployed


def reload_layer(lam: Any, name: str) -> list[str]:
    entry = manifest()["layers"][name]
    current = local_fn.deployed_layer_arns().get(name)
    if current is None:
        raise RuntimeError(f"layer {name} is not deployed (run: make deploy-local)")
    layer_name = current.rsplit(":", 1)[0].split(":layer:", 1)[1]
    old = lam.get_layer_version_by_arn(Arn=current)
    published = lam.publish_layer_version(
        LayerName=layer_name,
        Description=old.get("Description", ""),
        Content={"ZipFile": (BUILD / entry["path"]).read_bytes()},
        CompatibleRuntimes=old.get("CompatibleRuntimes", []),
        CompatibleArchitectures=old.get("CompatibleArchitectures", []),
    )
    new_arn = published["LayerVersionArn"]
    base = new_arn.rsplit(":", 1)[0]
    updated = []
    for page in lam.get_paginator("list_functions").paginate():
        for fn in page["Functions"]:
            arns = [layer["Arn"] for layer in fn.get("Layers", [])]
            if not any(arn.rsplit(":", 1)[0] == base for arn in arns):
                continue
            layers = [new_arn if arn.rsplit(":", 1)[0] == base else arn for arn in arns]
            lam.update_function_configuration(FunctionName=fn["FunctionName"], Layers=layers)
            updated.append(fn["FunctionName"])
    for function_name in updated:
        wait_updated(lam, function_name)
    local_fn.remember_layer_arn(name, new_arn)
    return updated


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between scans (default 0.1)")
    args = parser.parse_args()

    lam = local_fn.client("lambda")
    deployed = local_fn.deployed_names()
    if not deployed:
        raise SystemExit("nothing deployed locally (run: make deploy-local)")
    watched = {t: signature(t.source) for t in targets()}
    print(f"dev: watching {len(watched)} functions/layers under {ROOT} (Ctrl-C stops)", flush=True)
    while True:
        time.sleep(args.interval)
        for target, before in list(watched.items()):
            now = signature(target.source)
            if now == before:
                continue
            watched[target] = now
            saved = max((mtime for _, _, mtime in now), default=time.time_ns()) / 1e9
            try:
                rebuild(target.name)
                if target.kind == "functions":
                    if target.name not in deployed:
                        print(f"dev: {target.name} is not deployed; skipped", flush=True)
                        continue
                    what = reload_function(lam, target.name)
                else:
                    what = ", ".join(reload_layer(lam, target.name)) or "no function uses it"
            except Exception as e:  # noqa: BLE001 - report and keep watching
                print(f"dev: {target.kind}/{target.name}: {e}", flush=True)
                continue
            took = time.time() - saved
            print(f"dev: {target.kind}/{target.name} live in {took:.2f} s ({what})", flush=True)


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        raise SystemExit(130) from None
