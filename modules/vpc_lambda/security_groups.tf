# The function's security group is egress-only: no ingress at all (Lambda is invoked through its
# API, never over the network), and egress only on 443 to what the function may reach privately:
# the S3 and DynamoDB gateway endpoints (through their prefix lists) and the interface endpoints
# (through their security group). There is no route to the internet either, so a compromised
# function cannot exfiltrate anywhere but AWS APIs behind these endpoints. Add more destinations
# (a database port, ...) with additional_egress_rules. DNS uses the VPC resolver, which security
# groups do not filter.
resource "aws_security_group" "lambda" {
  #checkov:skip=CKV2_AWS_5:attached to the function through module.function's vpc_config, which checkov cannot follow across modules
  count = local.create ? 1 : 0

  name_prefix = "${local.name}-lambda-"
  description = "Lambda ${var.function_name}: no ingress; HTTPS egress to VPC endpoints only"
  vpc_id      = local.vpc_id

  tags = merge(var.tags, { Name = "${local.name}-lambda" })

  lifecycle {
    create_before_destroy = true

    precondition {
      condition     = var.vpc_id == null || length(var.subnet_ids) >= 2
      error_message = "With vpc_id, pass at least two subnet_ids (in different AZs)."
    }
    precondition {
      condition     = var.vpc_id == null || !(var.create_s3_endpoint || var.create_dynamodb_endpoint) || length(var.route_table_ids) > 0
      error_message = "With vpc_id, pass the subnets' route_table_ids so the gateway endpoints get routes (or disable the gateway endpoints)."
    }
  }
}

resource "aws_vpc_security_group_egress_rule" "s3" {
  count = local.create_s3_endpoint ? 1 : 0

  security_group_id = aws_security_group.lambda[0].id
  description       = "HTTPS to S3 through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = aws_vpc_endpoint.s3[0].prefix_list_id

  tags = var.tags

  # The description is a constant; some EC2 emulators drop it on prefix-list rules, which would
  # otherwise show a change in every plan.
  lifecycle {
    ignore_changes = [description]
  }
}

resource "aws_vpc_security_group_egress_rule" "dynamodb" {
  count = local.create_dynamodb_endpoint ? 1 : 0

  security_group_id = aws_security_group.lambda[0].id
  description       = "HTTPS to DynamoDB through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = aws_vpc_endpoint.dynamodb[0].prefix_list_id

  tags = var.tags

  # The description is a constant; some EC2 emulators drop it on prefix-list rules, which would
  # otherwise show a change in every plan.
  lifecycle {
    ignore_changes = [description]
  }
}

resource "aws_vpc_security_group_egress_rule" "interface_endpoints" {
  count = local.create_endpoint_sg ? 1 : 0

  security_group_id            = aws_security_group.lambda[0].id
  description                  = "HTTPS to the interface endpoints"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.endpoints[0].id

  tags = var.tags
}

resource "aws_vpc_security_group_egress_rule" "additional" {
  for_each = { for k, v in var.additional_egress_rules : k => v if local.create }

  security_group_id            = aws_security_group.lambda[0].id
  description                  = each.value.description
  ip_protocol                  = each.value.ip_protocol
  from_port                    = each.value.from_port
  to_port                      = each.value.to_port
  cidr_ipv4                    = each.value.cidr_ipv4
  referenced_security_group_id = each.value.referenced_security_group_id
  prefix_list_id               = each.value.prefix_list_id

  tags = var.tags
}

# Interface endpoints accept HTTPS from the function only, and send nothing.
resource "aws_security_group" "endpoints" {
  count = local.create_endpoint_sg ? 1 : 0

  name_prefix = "${local.name}-endpoints-"
  description = "Interface endpoints for ${var.function_name}: HTTPS from the function only"
  vpc_id      = local.vpc_id

  tags = merge(var.tags, { Name = "${local.name}-endpoints" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_from_lambda" {
  count = local.create_endpoint_sg ? 1 : 0

  security_group_id            = aws_security_group.endpoints[0].id
  description                  = "HTTPS from the function"
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  referenced_security_group_id = aws_security_group.lambda[0].id

  tags = var.tags
}
