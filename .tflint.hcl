# TFLint configuration for the root module, modules/* and their examples.
#   tflint --init && tflint --recursive --config "$(pwd)/.tflint.hcl"
# (CI: .github/workflows/terraform.yml; pre-commit: terraform_tflint.)

config {
  # Inspect calls of local modules (./modules/*) as well, so that variables passed into them are checked.
  call_module_type = "local"
}

plugin "terraform" {
  enabled = true
  preset  = "recommended"
}

plugin "aws" {
  enabled = true
  version = "0.44.0"
  source  = "github.com/terraform-linters/tflint-ruleset-aws"
}

# On top of the recommended preset: what the style guide asks of every module.
rule "terraform_documented_variables" {
  enabled = true
}

rule "terraform_documented_outputs" {
  enabled = true
}

rule "terraform_typed_variables" {
  enabled = true
}

rule "terraform_naming_convention" {
  enabled = true
  format  = "snake_case"
}

rule "terraform_standard_module_structure" {
  enabled = true
}

rule "terraform_unused_declarations" {
  enabled = true
}

rule "terraform_unused_required_providers" {
  enabled = true
}

rule "terraform_comment_syntax" {
  enabled = true
}
