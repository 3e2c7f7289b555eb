#!/usr/bin/env python3
"""Keep the Inputs/Outputs tables of each module's README in sync with its variables and outputs.

A small stand-in for terraform-docs (a Go binary, not installable everywhere): it reads every `*.tf` of a
module with python-hcl2 and renders terraform-docs' "markdown table" Inputs and Outputs sections between
`<!-- BEGIN_TF_DOCS -->` and `<!-- END_TF_DOCS -->` in `<module>/README.md`.

    scripts/tfdocs.py --check            # exit 1 and list the modules whose README is out of date
    scripts/tfdocs.py --write            # rewrite the out-of-date sections (README created if missing)
    scripts/tfdocs.py modules/layer      # print the generated section of one module

The check compares content, not layout: a section written by terraform-docs itself (anchors, <pre>
blocks, extra Requirements/Providers/Resources sections) passes as long as every input's description,
type, default and required flag and every output's description match. So the terraform_docs pre-commit
hook and this script agree, and `--write` leaves a README alone when it is already in sync.

Exit status: 0 in sync (or written), 1 out of date (--check), 2 on a parse error or bad arguments.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "<!-- BEGIN_TF_DOCS -->"
END = "<!-- END_TF_DOCS -->"
INPUTS_HEADER = (
    "| Name | Description | Type | Default | Required |\n|------|-------------|------|---------|:--------:|"
)
OUTPUTS_HEADER = "| Name | Description |\n|------|-------------|"


class DocsError(Exception):
    """A module cannot be read."""


# --------------------------------------------------------------------------------------------------
# Reading the module
# --------------------------------------------------------------------------------------------------


@dataclass
class Variable:
    name: str
    description: str
    type: str
    default: Any
    has_default: bool


@dataclass
class Output:
    name: str
    description: str
    sensitive: bool


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def unquote(value: Any) -> Any:
    """python-hcl2 keeps string literals quoted (`'"text"'`); return the text, escapes decoded."""
    if not isinstance(value, str) or len(value) < 2 or not (value[0] == value[-1] == '"'):
        return value
    body, out, i = value[1:-1], [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
        out.append(ch)
        i += 1
    return "".join(out).replace("$${", "${").replace("%%{", "%{")


def expression(value: str) -> str:
    """`${map(string)}` -> `map(string)`; a bare keyword (`string`) stays as it is."""
    if value.startswith("${") and value.endswith("}"):
        return value[2:-1]
    return value


def plain(value: Any) -> Any:
    """A default value as plain data: strings unquoted, expressions as their source text."""
    if isinstance(value, dict):
        return {str(unquote(k)): plain(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        if value.startswith('"'):
            return unquote(value)
        return expression(value)
    return value


def _blocks(parsed: dict[str, Any], kind: str) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for block in parsed.get(kind, []) or []:
        for label, body in block.items():
            out.append((str(unquote(label)), body if isinstance(body, dict) else {}))
    return out


def read_module(path: Path) -> tuple[list[Variable], list[Output]]:
    import hcl2  # python-hcl2, in the project venv

    options = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, preserve_heredocs=False)
    variables: list[Variable] = []
    outputs: list[Output] = []
    for tf in sorted(path.glob("*.tf")):
        try:
            with tf.open(encoding="utf-8") as fh:
                parsed = hcl2.load(fh, serialization_options=options)
        except Exception as e:  # python-hcl2 raises lark errors of many kinds
            raise DocsError(f"{tf}: cannot parse: {e}") from e
        for name, body in _blocks(parsed, "variable"):
            variables.append(
                Variable(
                    name=name,
                    description=str(unquote(body.get("description", "")) or ""),
                    type=expression(str(body["type"])) if "type" in body else "any",
                    default=plain(body.get("default")),
                    has_default="default" in body,
                )
            )
        for name, body in _blocks(parsed, "output"):
            outputs.append(
                Output(
                    name=name,
                    description=str(unquote(body.get("description", "")) or ""),
                    sensitive=body.get("sensitive") is True,
                )
            )
    return sorted(variables, key=lambda v: v.name), sorted(outputs, key=lambda o: o.name)


# --------------------------------------------------------------------------------------------------
# Rendering (terraform-docs "markdown table" style)
# --------------------------------------------------------------------------------------------------


def _split_top_level(text: str) -> list[str]:
    """Split at commas that are not nested in (), {}, [] or strings."""
    parts, depth, start, quoted = [], 0, 0, False
    for i, ch in enumerate(text):
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def _matching(text: str, open_at: int) -> int:
    """Index of the bracket closing the one at open_at."""
    depth, quoted = 0, False
    for i in range(open_at, len(text)):
        ch = text[i]
        if ch == '"' and text[i - 1] != "\\":
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i
    return len(text) - 1


def format_type(text: str, indent: int = 0) -> str:
    """Lay out `object({...})` attributes one per line, aligned like `terraform fmt` does."""
    text = " ".join(text.split())
    at = text.find("object({")
    if at < 0:
        return text
    brace = at + len("object(")
    close = _matching(text, brace)
    inner = text[brace + 1 : close].strip()
    items = _split_top_level(inner)
    pairs = []
    for item in items:
        key, sep, value = item.partition("=")
        pairs.append((key.strip(), value.strip()) if sep else (item, ""))
    if not pairs:
        body = "{}"
    else:
        width = max(len(k) for k, _ in pairs)
        pad = " " * (indent + 2)
        lines = [
            f"{pad}{k.ljust(width)} = {format_type(v, indent + 2)}" if v else f"{pad}{k}" for k, v in pairs
        ]
        body = "{\n" + "\n".join(lines) + "\n" + " " * indent + "}"
    return text[:brace] + body + format_type(text[close + 1 :], indent)


def _pre(text: str) -> str:
    """A cell value: inline code, or a <pre> block when it spans lines (as terraform-docs does)."""
    if "\n" not in text:
        return f"`{text}`"
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    return "<pre>" + escaped.replace("\n", "<br/>") + "</pre>"


def format_default(value: Any) -> str:
    if isinstance(value, dict | list) and value:
        return _pre(json.dumps(value, indent=2))
    return _pre(json.dumps(value))


def _cell(text: str) -> str:
    text = text.strip()
    if not text:
        return "n/a"
    return text.replace("|", "\\|").replace("\r\n", "\n").replace("\n", "<br/>")


def _anchor(kind: str, name: str) -> str:
    escaped = name.replace("_", "\\_")
    return f'<a name="{kind}_{name}"></a> [{escaped}](#{kind}\\_{escaped})'


def render(variables: list[Variable], outputs: list[Output]) -> str:
    lines = ["## Inputs", ""]
    if variables:
        lines.append(INPUTS_HEADER)
        for v in variables:
            default = format_default(v.default) if v.has_default else "n/a"
            required = "no" if v.has_default else "yes"
            cells = [
                _anchor("input", v.name),
                _cell(v.description),
                _pre(format_type(v.type)),
                default,
                required,
            ]
            lines.append("| " + " | ".join(cells) + " |")
    else:
        lines.append("No inputs.")
    lines += ["", "## Outputs", ""]
    if outputs:
        lines.append(OUTPUTS_HEADER)
        for o in outputs:
            lines.append(f"| {_anchor('output', o.name)} | {_cell(o.description)} |")
    else:
        lines.append("No outputs.")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Comparing with what a README holds (content, not layout)
# --------------------------------------------------------------------------------------------------


def _norm(cell: str) -> str:
    cell = re.sub(r"<a name=\"[^\"]*\"></a>", "", cell)
    cell = re.sub(r"\[([^\]]*)\]\(#[^)]*\)", r"\1", cell)
    for tag in ("<br/>", "<br>", "<br />", "<pre>", "</pre>", "&nbsp;"):
        cell = cell.replace(tag, " ")
    cell = cell.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    cell = cell.replace("\\|", "|").replace("\\_", "_").replace("`", "")
    return "".join(cell.split())


def _rows(section: str, heading: str) -> dict[str, tuple[str, ...]] | None:
    """Rows of the table under `## <heading>`, keyed by name (None when the heading is absent)."""
    match = re.search(rf"^#+\s*{heading}\s*$", section, flags=re.MULTILINE)
    if not match:
        return None
    rows: dict[str, tuple[str, ...]] = {}
    for line in section[match.end() :].splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            break
        if not stripped.startswith("|") or re.fullmatch(r"\|[\s:|-]+\|", stripped):
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", stripped)[1:-1]]
        if not cells or _norm(cells[0]) == "Name":
            continue
        rows[_norm(cells[0])] = tuple(_norm(c) for c in cells[1:])
    return rows


def in_sync(existing: str, wanted: str) -> bool:
    for heading in ("Inputs", "Outputs"):
        have, want = _rows(existing, heading), _rows(wanted, heading)
        if have is None or have != want:
            return False
    return True


def current_section(readme: str) -> str | None:
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        return None
    return readme[start + len(BEGIN) : end]


def updated_readme(readme: str | None, module: Path, section: str) -> str:
    block = f"{BEGIN}\n{section}\n{END}"
    if readme is None:
        return f"# {module.name}\n\n{block}\n"
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        return readme.rstrip("\n") + "\n\n" + block + "\n"
    return readme[:start] + block + readme[end + len(END) :]


# --------------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------------


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def module_dirs(root: Path) -> list[Path]:
    return sorted(p for p in (root / "modules").glob("*") if p.is_dir() and any(p.glob("*.tf")))


def check_module(module: Path) -> tuple[str, str | None]:
    """(generated section, problem or None)."""
    section = render(*read_module(module))
    readme_path = module / "README.md"
    if not readme_path.exists():
        return section, "no README.md"
    existing = current_section(readme_path.read_text(encoding="utf-8"))
    if existing is None:
        return section, f"no {BEGIN} ... {END} section in README.md"
    if not in_sync(existing, section):
        return section, "README.md inputs/outputs differ from variables/outputs"
    return section, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="exit 1 listing modules whose README is out of date"
    )
    mode.add_argument("--write", action="store_true", help="update the out-of-date README sections")
    parser.add_argument("modules", nargs="*", type=Path, help="module directories (default: modules/*)")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    modules = args.modules or module_dirs(args.root)
    stale = []
    try:
        for module in modules:
            if not module.is_dir():
                raise DocsError(f"{module}: not a directory")
            section, problem = check_module(module)
            if not args.check and not args.write:
                print(f"{BEGIN}\n{section}\n{END}")
                continue
            if problem is None:
                continue
            if args.write:
                readme_path = module / "README.md"
                old = readme_path.read_text(encoding="utf-8") if readme_path.exists() else None
                readme_path.write_text(updated_readme(old, module, section), encoding="utf-8")
                print(f"tfdocs: updated {_rel(readme_path)}")
            else:
                stale.append(f"{_rel(module)}: {problem}")
    except DocsError as e:
        print(f"tfdocs: error: {e}", file=sys.stderr)
        return 2
    if stale:
        print("tfdocs: out of date (run `python scripts/tfdocs.py --write`):", file=sys.stderr)
        for line in stale:
            print(f"  {line}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
