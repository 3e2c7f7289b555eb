# The module plans when every ARN is only known after apply: counts and for_each keys
# depend on caller keys and bucket names, never on ARNs.

mock_provider "aws" {}

run "plans_with_unknown_arns" {
  command = plan

  module {
    source = "./tests/unknown_arns"
  }

  assert {
    condition     = output.role_policy_name == "fn-event-sources"
    error_message = "the role policy is planned even though its ARNs are unknown"
  }
}
