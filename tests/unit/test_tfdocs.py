"""scripts/tfdocs.py: module README inputs/outputs tables from variables.tf/outputs.tf (python-hcl2)."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "tfdocs.py"


def _load_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tfdocs", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["tfdocs"] = module
    spec.loader.exec_module(module)
    return module


td = _load_module()

VARIABLES = textwrap.dedent(
    """
    variable "function_name" {
      description = "Name of the function."
      type        = string
    }

    variable "memory_size" {
      description = "Memory in MB | CPU scales with it."
      type        = number
      default     = 128

      validation {
        condition     = var.memory_size >= 128
        error_message = "At least 128."
      }
    }

    variable "triggers" {
      description = <<-EOT
        Triggers keyed by name.
        Each one adds its permission.
      EOT
      type = map(object({
        principal  = string
        source_arn = optional(string)
        batch      = optional(object({ size = optional(number, 10), window = number }))
      }))
      default = {}
    }

    variable "architectures" {
      description = "Instruction set."
      type        = list(string)
      default     = ["x86_64"]
    }

    variable "kms_key_arn" {
      description = "Key for \\"env\\" vars, or null."
      type        = string
      default     = null
    }

    variable "tags" {
      description = "Tags."
      type        = map(string)
      default     = { team = "platform", "cost-center" = "42" }
    }

    variable "untyped" {
      default = "x"
    }
    """
)

OUTPUTS = textwrap.dedent(
    """
    output "function_arn" {
      description = "ARN of the function."
      value       = try(aws_lambda_function.this[0].arn, null)
    }

    output "secret" {
      value     = "x"
      sensitive = true
    }
    """
)


@pytest.fixture
def module(tmp_path: Path) -> Path:
    mod = tmp_path / "modules" / "fn"
    mod.mkdir(parents=True)
    (mod / "variables.tf").write_text(VARIABLES)
    (mod / "outputs.tf").write_text(OUTPUTS)
    (mod / "main.tf").write_text('resource "aws_sqs_queue" "this" {\n  name = var.function_name\n}\n')
    (mod / "README.md").write_text(
        "# fn\n\nWhat it is.\n\n<!-- BEGIN_TF_DOCS -->\nstale\n<!-- END_TF_DOCS -->\n\n## Examples\n\nkept\n"
    )
    return mod


def section(module: Path) -> str:
    return td.render(*td.read_module(module))


def row(text: str, name: str) -> str:
    return next(
        line
        for line in text.splitlines()
        if f'name="input_{name}"' in line or f'name="output_{name}"' in line
    )


def test_reads_variables_and_outputs(module: Path) -> None:
    variables, outputs = td.read_module(module)
    assert [v.name for v in variables] == [
        "architectures",
        "function_name",
        "kms_key_arn",
        "memory_size",
        "tags",
        "triggers",
        "untyped",
    ]
    by_name = {v.name: v for v in variables}
    assert by_name["function_name"].has_default is False
    assert by_name["kms_key_arn"].has_default is True and by_name["kms_key_arn"].default is None
    assert by_name["kms_key_arn"].description == 'Key for "env" vars, or null.'
    assert by_name["triggers"].description == "Triggers keyed by name.\nEach one adds its permission."
    assert by_name["tags"].default == {"team": "platform", "cost-center": "42"}
    assert by_name["untyped"].type == "any"
    assert [(o.name, o.sensitive) for o in outputs] == [("function_arn", False), ("secret", True)]


def test_tables_in_terraform_docs_style(module: Path) -> None:
    text = section(module)
    assert text.startswith("## Inputs\n\n| Name | Description | Type | Default | Required |\n")
    assert "\n## Outputs\n\n| Name | Description |\n|------|-------------|\n" in text
    assert row(text, "function_name") == (
        '| <a name="input_function_name"></a> [function\\_name](#input\\_function\\_name) '
        "| Name of the function. | `string` | n/a | yes |"
    )
    assert row(text, "memory_size").endswith(
        "| Memory in MB \\| CPU scales with it. | `number` | `128` | no |"
    )
    assert "| `string` | `null` | no |" in row(text, "kms_key_arn")
    assert '| `any` | `"x"` | no |' in row(text, "untyped")
    assert "| Triggers keyed by name.<br/>Each one adds its permission. |" in row(text, "triggers")
    assert row(text, "function_arn").endswith("| ARN of the function. |")
    assert row(text, "secret").endswith("| n/a |")


def test_types_are_laid_out_like_terraform_fmt(module: Path) -> None:
    text = section(module)
    triggers = row(text, "triggers")
    assert (
        "<pre>map(object({<br/>"
        "  principal  = string<br/>"
        "  source_arn = optional(string)<br/>"
        "  batch      = optional(object({<br/>"
        "    size   = optional(number, 10)<br/>"
        "    window = number<br/>"
        "  }))<br/>"
        "}))</pre>"
    ) in triggers
    assert "| `{}` | no |" in triggers
    assert '| `list(string)` | <pre>[<br/>  "x86_64"<br/>]</pre> | no |' in row(text, "architectures")


def test_format_type_handles_flat_and_nested_types() -> None:
    assert td.format_type("string") == "string"
    assert td.format_type("map(list(string))") == "map(list(string))"
    assert td.format_type("object({})") == "object({})"
    assert td.format_type("tuple([object({a = string}), object({b = number})])") == (
        "tuple([object({\n  a = string\n}), object({\n  b = number\n})])"
    )


def test_check_reports_stale_and_write_fixes_only_the_section(
    module: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert td.main(["--check", str(module)]) == 1
    assert "fn: README.md inputs/outputs differ" in capsys.readouterr().err
    assert td.main(["--write", str(module)]) == 0
    readme = (module / "README.md").read_text()
    assert readme.startswith("# fn\n\nWhat it is.\n\n<!-- BEGIN_TF_DOCS -->\n## Inputs\n")
    assert readme.endswith("<!-- END_TF_DOCS -->\n\n## Examples\n\nkept\n")
    assert "stale" not in readme
    assert td.main(["--check", str(module)]) == 0
    # a second --write changes nothing
    assert td.main(["--write", str(module)]) == 0
    assert (module / "README.md").read_text() == readme


def test_check_notices_each_kind_of_change(module: Path) -> None:
    td.main(["--write", str(module)])
    variables = module / "variables.tf"
    for old, new in [
        ("default     = 128", "default     = 256"),
        ('"Name of the function."', '"The function name."'),
        ("type        = number", "type        = string"),
        ('variable "untyped" {\n  default = "x"\n}', 'variable "untyped" {\n}'),
    ]:
        original = variables.read_text()
        assert old in original
        variables.write_text(original.replace(old, new))
        assert td.main(["--check", str(module)]) == 1, new
        variables.write_text(original)
    outputs = module / "outputs.tf"
    outputs.write_text(OUTPUTS + 'output "extra" {\n  description = "More."\n  value = 1\n}\n')
    assert td.main(["--check", str(module)]) == 1


def test_check_accepts_terraform_docs_layout(module: Path) -> None:
    """A terraform-docs section (extra sections, other spacing) is in sync when the content is."""
    generated = section(module)
    td_like = (
        "## Requirements\n\n| Name | Version |\n|------|---------|\n| terraform | >= 1.6 |\n\n"
        "## Resources\n\n| Name | Type |\n|------|------|\n| aws_sqs_queue.this | resource |\n\n"
        + generated.replace("| `string` |", "| `string`  |").replace("<br/>", "<br>")
    )
    (module / "README.md").write_text(f"# fn\n\n<!-- BEGIN_TF_DOCS -->\n{td_like}\n<!-- END_TF_DOCS -->\n")
    assert td.main(["--check", str(module)]) == 0
    before = (module / "README.md").read_text()
    td.main(["--write", str(module)])
    assert (module / "README.md").read_text() == before  # in sync: left alone


def test_missing_readme_or_markers(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module / "README.md").write_text("# fn\n\nNo markers.\n")
    assert td.main(["--check", str(module)]) == 1
    assert "no <!-- BEGIN_TF_DOCS --> ... <!-- END_TF_DOCS --> section" in capsys.readouterr().err
    td.main(["--write", str(module)])
    readme = (module / "README.md").read_text()
    assert readme.startswith("# fn\n\nNo markers.\n\n<!-- BEGIN_TF_DOCS -->\n## Inputs")
    (module / "README.md").unlink()
    assert td.main(["--check", str(module)]) == 1
    td.main(["--write", str(module)])
    assert (module / "README.md").read_text().startswith("# fn\n\n<!-- BEGIN_TF_DOCS -->")
    assert td.main(["--check", str(module)]) == 0


def test_empty_module_says_no_inputs(tmp_path: Path) -> None:
    mod = tmp_path / "empty"
    mod.mkdir()
    (mod / "main.tf").write_text("locals {\n  x = 1\n}\n")
    assert td.render(*td.read_module(mod)) == "## Inputs\n\nNo inputs.\n\n## Outputs\n\nNo outputs."


def test_default_modules_come_from_root(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = module.parent.parent
    assert td.main(["--check", "--root", str(root)]) == 1
    assert "fn" in capsys.readouterr().err


def test_parse_error_exits_2(module: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module / "broken.tf").write_text('variable "x" {\n  type = \n')
    assert td.main(["--check", str(module)]) == 2
    assert "cannot parse" in capsys.readouterr().err


def test_not_a_directory_exits_2(tmp_path: Path) -> None:
    assert td.main(["--check", str(tmp_path / "nope")]) == 2
