locals {
  create     = var.create
  create_vpc = local.create && var.vpc_id == null
  name       = coalesce(var.name, var.function_name)

  vpc_id          = local.create_vpc ? aws_vpc.this[0].id : var.vpc_id
  subnet_cidrs    = length(var.private_subnet_cidrs) > 0 ? var.private_subnet_cidrs : [for i, az in var.availability_zones : cidrsubnet(var.vpc_cidr, var.subnet_newbits, i)]
  subnet_ids      = local.create_vpc ? aws_subnet.private[*].id : var.subnet_ids
  route_table_ids = local.create_vpc ? aws_route_table.private[*].id : var.route_table_ids

  create_s3_endpoint       = local.create && var.create_s3_endpoint
  create_dynamodb_endpoint = local.create && var.create_dynamodb_endpoint
  interface_endpoints      = toset(local.create ? var.interface_endpoints : [])
  create_endpoint_sg       = length(local.interface_endpoints) > 0

  # The function runs in the private subnets with the egress-only security group (function.tf).
  function_vpc_config = local.create ? {
    subnet_ids         = local.subnet_ids
    security_group_ids = [aws_security_group.lambda[0].id]
  } : null

  # An interface endpoint takes at most one subnet per AZ (else DuplicateSubnetsInSameZone): the created
  # subnets are one per zone already; of given subnets, the first listed in each zone is used.
  endpoint_subnet_ids = local.create_vpc ? local.subnet_ids : [
    for az, ids in { for id in var.subnet_ids : data.aws_subnet.given[id].availability_zone => id... if contains(keys(data.aws_subnet.given), id) } : ids[0]
  ]
}

# Zones of the given subnets, only needed to place interface endpoints.
data "aws_subnet" "given" {
  for_each = toset(local.create && !local.create_vpc && length(local.interface_endpoints) > 0 ? var.subnet_ids : [])

  id = each.key
}

################################################################################
# VPC, private subnets, one private route table (no internet route, no NAT)
################################################################################

resource "aws_vpc" "this" {
  count = local.create_vpc ? 1 : 0

  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(var.tags, { Name = local.name })

  lifecycle {
    precondition {
      condition     = length(var.availability_zones) >= 2
      error_message = "Creating a VPC needs availability_zones with at least two distinct zones."
    }
    precondition {
      condition     = length(var.private_subnet_cidrs) == 0 || length(var.private_subnet_cidrs) == length(var.availability_zones)
      error_message = "private_subnet_cidrs needs one CIDR per availability zone."
    }
  }
}

resource "aws_default_security_group" "this" {
  count = local.create_vpc && var.manage_default_security_group ? 1 : 0

  vpc_id = aws_vpc.this[0].id

  tags = merge(var.tags, { Name = "${local.name}-default-deny" })
}

resource "aws_subnet" "private" {
  count = local.create_vpc ? length(var.availability_zones) : 0

  vpc_id                  = aws_vpc.this[0].id
  availability_zone       = var.availability_zones[count.index]
  cidr_block              = local.subnet_cidrs[count.index]
  map_public_ip_on_launch = false

  tags = merge(var.tags, { Name = "${local.name}-private-${var.availability_zones[count.index]}" })
}

resource "aws_route_table" "private" {
  count = local.create_vpc ? 1 : 0

  vpc_id = aws_vpc.this[0].id

  tags = merge(var.tags, { Name = "${local.name}-private" })
}

resource "aws_route_table_association" "private" {
  count = local.create_vpc ? length(var.availability_zones) : 0

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[0].id
}

################################################################################
# VPC endpoints
################################################################################

data "aws_vpc_endpoint_service" "s3" {
  count = local.create_s3_endpoint ? 1 : 0

  service      = "s3"
  service_type = "Gateway"
}

data "aws_vpc_endpoint_service" "dynamodb" {
  count = local.create_dynamodb_endpoint ? 1 : 0

  service      = "dynamodb"
  service_type = "Gateway"
}

resource "aws_vpc_endpoint" "s3" {
  count = local.create_s3_endpoint ? 1 : 0

  vpc_id            = local.vpc_id
  service_name      = data.aws_vpc_endpoint_service.s3[0].service_name
  vpc_endpoint_type = "Gateway"
  route_table_ids   = local.route_table_ids
  policy            = var.s3_endpoint_policy

  tags = merge(var.tags, { Name = "${local.name}-s3" })
}

resource "aws_vpc_endpoint" "dynamodb" {
  count = local.create_dynamodb_endpoint ? 1 : 0

  vpc_id            = local.vpc_id
  service_name      = data.aws_vpc_endpoint_service.dynamodb[0].service_name
  vpc_endpoint_type = "Gateway"
  route_table_ids   = local.route_table_ids
  policy            = var.dynamodb_endpoint_policy

  tags = merge(var.tags, { Name = "${local.name}-dynamodb" })
}

data "aws_vpc_endpoint_service" "interface" {
  for_each = local.interface_endpoints

  service      = each.key
  service_type = "Interface"
}

resource "aws_vpc_endpoint" "interface" {
  for_each = local.interface_endpoints

  vpc_id              = local.vpc_id
  service_name        = data.aws_vpc_endpoint_service.interface[each.key].service_name
  vpc_endpoint_type   = "Interface"
  subnet_ids          = local.endpoint_subnet_ids
  security_group_ids  = [aws_security_group.endpoints[0].id]
  private_dns_enabled = true

  tags = merge(var.tags, { Name = "${local.name}-${each.key}" })
}
