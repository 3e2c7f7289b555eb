mock_provider "aws" {
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/test"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/test"
    }
  }
  mock_resource "aws_vpc_endpoint" {
    defaults = {
      prefix_list_id = "pl-0123456789abcdef0"
    }
  }
}

override_data {
  target = data.aws_vpc_endpoint_service.s3
  values = { service_name = "com.amazonaws.eu-west-1.s3" }
}

override_data {
  target = data.aws_vpc_endpoint_service.dynamodb
  values = { service_name = "com.amazonaws.eu-west-1.dynamodb" }
}

variables {
  function_name      = "daily-report"
  filename           = "../../build/functions/daily_report.zip"
  source_code_hash   = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
  availability_zones = ["eu-west-1a", "eu-west-1b"]
}

run "typical_use" {
  command = apply

  variables {
    vpc_cidr = "10.20.0.0/16"
    timeout  = 60
    environment_variables = {
      ORDERS_TABLE = "orders"
    }
    policy_statements = {
      query = {
        actions   = ["dynamodb:Query"]
        resources = ["arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/byOrderDate"]
      }
    }
    tags = { project = "imgpipe" }
  }

  assert {
    condition     = aws_vpc.this[0].cidr_block == "10.20.0.0/16" && aws_vpc.this[0].enable_dns_support && aws_vpc.this[0].enable_dns_hostnames
    error_message = "VPC with DNS support"
  }
  assert {
    condition     = length(aws_subnet.private) >= 2 && length(distinct(aws_subnet.private[*].availability_zone)) == length(aws_subnet.private)
    error_message = "at least two subnets in distinct AZs"
  }
  assert {
    condition     = aws_subnet.private[*].cidr_block == ["10.20.0.0/24", "10.20.1.0/24"] && !anytrue(aws_subnet.private[*].map_public_ip_on_launch)
    error_message = "private /24 subnets derived with cidrsubnet"
  }
  assert {
    condition     = length(aws_route_table.private) == 1 && length(aws_route_table_association.private) == 2
    error_message = "one private route table associated with every subnet"
  }
  assert {
    condition     = length(aws_route_table.private[0].route) == 0
    error_message = "the private route table has no route out (no NAT, no IGW)"
  }
  assert {
    condition     = aws_vpc_endpoint.s3[0].vpc_endpoint_type == "Gateway" && aws_vpc_endpoint.s3[0].service_name == "com.amazonaws.eu-west-1.s3" && aws_vpc_endpoint.s3[0].route_table_ids == toset([aws_route_table.private[0].id])
    error_message = "S3 gateway endpoint on the private route table"
  }
  assert {
    condition     = aws_vpc_endpoint.dynamodb[0].vpc_endpoint_type == "Gateway" && aws_vpc_endpoint.dynamodb[0].service_name == "com.amazonaws.eu-west-1.dynamodb" && aws_vpc_endpoint.dynamodb[0].route_table_ids == toset([aws_route_table.private[0].id])
    error_message = "DynamoDB gateway endpoint on the private route table"
  }
  assert {
    condition     = aws_vpc_security_group_egress_rule.s3[0].prefix_list_id == aws_vpc_endpoint.s3[0].prefix_list_id && aws_vpc_security_group_egress_rule.s3[0].from_port == 443 && aws_vpc_security_group_egress_rule.s3[0].to_port == 443
    error_message = "egress 443 to the S3 prefix list"
  }
  assert {
    condition     = aws_vpc_security_group_egress_rule.dynamodb[0].prefix_list_id == aws_vpc_endpoint.dynamodb[0].prefix_list_id && aws_vpc_security_group_egress_rule.dynamodb[0].ip_protocol == "tcp"
    error_message = "egress 443 to the DynamoDB prefix list"
  }
  assert {
    condition     = length(aws_security_group.lambda[0].ingress) == 0 && length(aws_security_group.lambda[0].egress) == 0
    error_message = "no inline rules: the function SG has no ingress, and its egress is only the separate 443 rules"
  }
  assert {
    condition     = length(aws_security_group.endpoints) == 0 && length(aws_vpc_endpoint.interface) == 0
    error_message = "no interface endpoints by default"
  }
  assert {
    condition     = length(aws_default_security_group.this[0].ingress) == 0 && length(aws_default_security_group.this[0].egress) == 0
    error_message = "the default security group is stripped"
  }
  assert {
    condition     = module.function.function_name == "daily-report" && output.function_name == "daily-report"
    error_message = "function created through lambda_function"
  }
  assert {
    condition     = contains(flatten([for s in jsondecode(module.function.execution_policy_json).Statement : s.Action]), "ec2:CreateNetworkInterface")
    error_message = "the role gets the VPC ENI statement"
  }
  assert {
    condition = alltrue(flatten([
      for p in [module.function.execution_policy_json, module.function.statements_policy_json, aws_iam_role_policy.flow_logs[0].policy] : [
        for s in jsondecode(p).Statement : [for a in s.Action : a != "*" && !endswith(a, ":*")]
      ]
    ]))
    error_message = "no * action anywhere"
  }
  assert {
    condition     = output.private_subnet_ids == tolist(aws_subnet.private[*].id) && output.security_group_id == aws_security_group.lambda[0].id && output.route_table_id == aws_route_table.private[0].id
    error_message = "network outputs"
  }
  assert {
    condition     = output.s3_endpoint_id == aws_vpc_endpoint.s3[0].id && output.dynamodb_endpoint_id == aws_vpc_endpoint.dynamodb[0].id && output.vpc_id == aws_vpc.this[0].id
    error_message = "endpoint outputs"
  }
  assert {
    condition     = output.role_name == "daily-report" && output.log_group_name == "/aws/lambda/daily-report"
    error_message = "function outputs"
  }
}

run "flow_logs_on_by_default" {
  command = apply

  assert {
    condition     = aws_flow_log.this[0].traffic_type == "ALL" && aws_flow_log.this[0].log_destination_type == "cloud-watch-logs"
    error_message = "flow logs of all traffic to CloudWatch Logs"
  }
  assert {
    condition     = aws_cloudwatch_log_group.flow_logs[0].name == "/aws/vpc-flow-logs/daily-report" && aws_cloudwatch_log_group.flow_logs[0].retention_in_days == 30
    error_message = "flow log group with retention"
  }
  assert {
    condition     = jsondecode(aws_iam_role.flow_logs[0].assume_role_policy).Statement[0].Principal.Service == "vpc-flow-logs.amazonaws.com" && jsondecode(aws_iam_role.flow_logs[0].assume_role_policy).Statement[0].Condition.StringEquals["aws:SourceAccount"] == "123456789012"
    error_message = "flow logs role trusts only this account's flow logs"
  }
  assert {
    condition     = jsondecode(aws_iam_role_policy.flow_logs[0].policy).Statement[1].Resource == ["arn:aws:logs:eu-west-1:123456789012:log-group:*"]
    error_message = "DescribeLogGroups scoped to the account's log groups"
  }
}

run "flow_logs_disabled" {
  command = plan

  variables {
    flow_logs = { enabled = false }
  }

  assert {
    condition     = length(aws_flow_log.this) + length(aws_iam_role.flow_logs) + length(aws_cloudwatch_log_group.flow_logs) == 0
    error_message = "no flow log resources when disabled"
  }
}

run "interface_endpoints" {
  command = apply

  variables {
    availability_zones  = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    interface_endpoints = ["sqs", "states"]
  }

  override_data {
    target = data.aws_vpc_endpoint_service.interface["sqs"]
    values = { service_name = "com.amazonaws.eu-west-1.sqs" }
  }

  assert {
    condition     = length(aws_subnet.private) == 3 && length(distinct(aws_subnet.private[*].availability_zone)) == 3
    error_message = "one subnet per AZ"
  }
  assert {
    condition     = toset(keys(aws_vpc_endpoint.interface)) == toset(["sqs", "states"]) && alltrue([for e in aws_vpc_endpoint.interface : e.vpc_endpoint_type == "Interface" && e.private_dns_enabled])
    error_message = "interface endpoints with private DNS"
  }
  assert {
    condition     = aws_vpc_endpoint.interface["sqs"].service_name == "com.amazonaws.eu-west-1.sqs" && aws_vpc_endpoint.interface["sqs"].security_group_ids == toset([aws_security_group.endpoints[0].id])
    error_message = "interface endpoint uses the endpoints security group"
  }
  assert {
    condition     = aws_vpc_security_group_ingress_rule.endpoints_from_lambda[0].referenced_security_group_id == aws_security_group.lambda[0].id && aws_vpc_security_group_ingress_rule.endpoints_from_lambda[0].from_port == 443
    error_message = "endpoints accept 443 from the function SG only"
  }
  assert {
    condition     = aws_vpc_security_group_egress_rule.interface_endpoints[0].referenced_security_group_id == aws_security_group.endpoints[0].id
    error_message = "function may reach the endpoints on 443"
  }
}

run "existing_vpc" {
  command = plan

  variables {
    availability_zones = []
    vpc_id             = "vpc-0123456789abcdef0"
    subnet_ids         = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
    route_table_ids    = ["rtb-0aaaaaaaaaaaaaaaa"]
  }

  assert {
    condition     = length(aws_vpc.this) + length(aws_subnet.private) + length(aws_route_table.private) + length(aws_flow_log.this) + length(aws_default_security_group.this) == 0
    error_message = "nothing network-wide is created in an existing VPC"
  }
  assert {
    condition     = aws_vpc_endpoint.s3[0].vpc_id == "vpc-0123456789abcdef0" && aws_vpc_endpoint.s3[0].route_table_ids == toset(["rtb-0aaaaaaaaaaaaaaaa"])
    error_message = "gateway endpoints attach to the given route tables"
  }
  assert {
    condition     = aws_security_group.lambda[0].vpc_id == "vpc-0123456789abcdef0"
    error_message = "SG in the existing VPC"
  }
  assert {
    condition     = output.private_subnet_ids == tolist(["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]) && output.vpc_id == "vpc-0123456789abcdef0"
    error_message = "outputs pass the existing network through"
  }
}

run "additional_egress" {
  command = plan

  variables {
    additional_egress_rules = {
      postgres = { description = "Postgres in the VPC", from_port = 5432, to_port = 5432, cidr_ipv4 = "10.0.0.0/16" }
    }
  }

  assert {
    condition     = aws_vpc_security_group_egress_rule.additional["postgres"].cidr_ipv4 == "10.0.0.0/16" && aws_vpc_security_group_egress_rule.additional["postgres"].from_port == 5432
    error_message = "extra egress rule"
  }
}

run "create_false_plans_nothing" {
  command = plan

  variables {
    create              = false
    interface_endpoints = ["sqs"]
  }

  assert {
    condition = (
      length(aws_vpc.this) + length(aws_subnet.private) + length(aws_route_table.private) + length(aws_vpc_endpoint.s3) +
      length(aws_vpc_endpoint.dynamodb) + length(aws_vpc_endpoint.interface) + length(aws_security_group.lambda) +
      length(aws_flow_log.this) + length(aws_default_security_group.this)
    ) == 0
    error_message = "no network resources"
  }
  assert {
    condition     = output.function_name == null && output.vpc_id == null && output.security_group_id == null && output.role_name == null
    error_message = "outputs are null"
  }
}

run "one_az_rejected" {
  command = plan
  variables {
    availability_zones = ["eu-west-1a"]
  }
  expect_failures = [var.availability_zones]
}

run "repeated_az_rejected" {
  command = plan
  variables {
    availability_zones = ["eu-west-1a", "eu-west-1a"]
  }
  expect_failures = [var.availability_zones]
}

run "no_az_without_vpc_id_rejected" {
  command = plan
  variables {
    availability_zones = []
  }
  expect_failures = [aws_vpc.this]
}

# Two given subnets share a zone: the endpoint gets one subnet per zone (AWS refuses two in one zone
# with DuplicateSubnetsInSameZone); the function keeps all three.
run "interface_endpoints_one_subnet_per_zone" {
  command = plan

  variables {
    availability_zones  = []
    vpc_id              = "vpc-0123456789abcdef0"
    subnet_ids          = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb", "subnet-0cccccccccccccccc"]
    route_table_ids     = ["rtb-0aaaaaaaaaaaaaaaa"]
    interface_endpoints = ["sqs"]
  }

  override_data {
    target = data.aws_vpc_endpoint_service.interface["sqs"]
    values = { service_name = "com.amazonaws.eu-west-1.sqs" }
  }
  override_data {
    target = data.aws_subnet.given["subnet-0aaaaaaaaaaaaaaaa"]
    values = { availability_zone = "eu-west-1a" }
  }
  override_data {
    target = data.aws_subnet.given["subnet-0bbbbbbbbbbbbbbbb"]
    values = { availability_zone = "eu-west-1a" }
  }
  override_data {
    target = data.aws_subnet.given["subnet-0cccccccccccccccc"]
    values = { availability_zone = "eu-west-1b" }
  }

  assert {
    condition     = aws_vpc_endpoint.interface["sqs"].subnet_ids == toset(["subnet-0aaaaaaaaaaaaaaaa", "subnet-0cccccccccccccccc"])
    error_message = "interface endpoint: first subnet of each zone only"
  }
  assert {
    condition     = toset(output.private_subnet_ids) == toset(["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb", "subnet-0cccccccccccccccc"])
    error_message = "the function keeps every given subnet"
  }
}

run "bad_vpc_cidr" {
  command = plan
  variables {
    vpc_cidr = "10.0.0.0/8"
  }
  expect_failures = [var.vpc_cidr]
}

run "bad_vpc_id" {
  command = plan
  variables {
    vpc_id = "my-vpc"
  }
  expect_failures = [var.vpc_id]
}

run "existing_vpc_needs_two_subnets" {
  command = plan
  variables {
    availability_zones = []
    vpc_id             = "vpc-0123456789abcdef0"
    subnet_ids         = ["subnet-0aaaaaaaaaaaaaaaa"]
    route_table_ids    = ["rtb-0aaaaaaaaaaaaaaaa"]
  }
  expect_failures = [aws_security_group.lambda]
}

run "existing_vpc_needs_route_tables" {
  command = plan
  variables {
    availability_zones = []
    vpc_id             = "vpc-0123456789abcdef0"
    subnet_ids         = ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
  }
  expect_failures = [aws_security_group.lambda]
}

run "egress_to_anywhere_rejected" {
  command = plan
  variables {
    additional_egress_rules = {
      all = { description = "everything", from_port = 443, to_port = 443, cidr_ipv4 = "0.0.0.0/0" }
    }
  }
  expect_failures = [var.additional_egress_rules]
}

run "egress_rule_needs_one_destination" {
  command = plan
  variables {
    additional_egress_rules = {
      none = { description = "nowhere", from_port = 443, to_port = 443 }
    }
  }
  expect_failures = [var.additional_egress_rules]
}

run "bad_interface_endpoint_name" {
  command = plan
  variables {
    interface_endpoints = ["com.amazonaws.eu-west-1.SQS"]
  }
  expect_failures = [var.interface_endpoints]
}

run "bad_flow_log_traffic_type" {
  command = plan
  variables {
    flow_logs = { traffic_type = "SOME" }
  }
  expect_failures = [var.flow_logs]
}

# Inputs the wrapper used not to declare reach the function (every lambda_function input is passed
# through: function.tf / function_inputs.tf, kept in sync by scripts/sync_vpc_lambda_inputs.py).
run "lambda_function_inputs_pass_through" {
  command = apply

  variables {
    publish                 = true
    alias_name              = "live"
    snap_start              = true
    role_name               = "report-exec"
    role_path               = "/service/"
    code_signing_config_arn = "arn:aws:lambda:eu-west-1:123456789012:code-signing-config:csc-0123456789abcdef0"
    recursive_loop          = "Terminate"
    managed_policy_arns     = ["arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"]
    trusted_entities        = { services = ["edgelambda.amazonaws.com"] }
    function_url            = {}
  }

  assert {
    condition     = output.role_name == "report-exec" && strcontains(output.execution_policy_json, "VpcNetworkInterfaces")
    error_message = "role_name passed through"
  }
  assert {
    condition     = output.alias_name == "live" && output.invoke_qualifier == "live"
    error_message = "publish + alias_name passed through"
  }
  assert {
    condition     = output.function_url != null
    error_message = "function_url passed through"
  }
}

# The copied validations run at the wrapper's own inputs.
run "lambda_function_validation_applies_to_the_wrapper" {
  command = plan
  variables {
    ephemeral_storage_size = 256
    recursive_loop         = "Sometimes"
  }
  expect_failures = [var.ephemeral_storage_size, var.recursive_loop]
}
