# The module plans when integration ARNs are only known after apply: the role policy's
# existence depends on list lengths, never on ARN values.

mock_provider "aws" {}

run "plans_with_unknown_arns" {
  command = plan

  module {
    source = "./tests/unknown_arns"
  }

  assert {
    condition     = output.role_name == "unknown-arns-sfn"
    error_message = "the role and its policy plan (an unknown count would fail the plan)"
  }
}
