################################################################################
# General
################################################################################

variable "create" {
  description = "Whether to create any resource at all. With false the module plans nothing and every output is null."
  type        = bool
  default     = true
}

variable "name" {
  description = "Name prefix of the network resources (default: function_name)."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags applied to every resource (network and function)."
  type        = map(string)
  default     = {}
}

################################################################################
# Network
################################################################################

variable "vpc_cidr" {
  description = "CIDR of the VPC the module creates (ignored with vpc_id)."
  type        = string
  default     = "10.0.0.0/16"

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 28
    error_message = "vpc_cidr must be an IPv4 CIDR with a prefix between /16 and /28."
  }
}

variable "availability_zones" {
  description = "Availability zones of the private subnets, one subnet each; at least two distinct zones (required unless vpc_id is set)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.availability_zones) == 0 || (length(var.availability_zones) >= 2 && length(distinct(var.availability_zones)) == length(var.availability_zones))
    error_message = "availability_zones must list at least two distinct zones."
  }
}

variable "subnet_newbits" {
  description = "Bits added to the VPC prefix for each private subnet (cidrsubnet(vpc_cidr, subnet_newbits, index)); /16 + 8 = /24 subnets."
  type        = number
  default     = 8

  validation {
    condition     = var.subnet_newbits >= 1 && var.subnet_newbits <= 12
    error_message = "subnet_newbits must be between 1 and 12."
  }
}

variable "private_subnet_cidrs" {
  description = "Explicit CIDRs of the private subnets, one per availability zone (default: derived with subnet_newbits)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.private_subnet_cidrs : can(cidrhost(c, 0))])
    error_message = "private_subnet_cidrs must be IPv4 CIDRs."
  }
}

variable "vpc_id" {
  description = "Use this existing VPC instead of creating one; then subnet_ids (and route_table_ids for the gateway endpoints) are required."
  type        = string
  default     = null

  validation {
    condition     = var.vpc_id == null ? true : can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Existing private subnet ids (with vpc_id), in at least two AZs."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "subnet_ids must look like subnet-0123456789abcdef0."
  }
}

variable "route_table_ids" {
  description = "Route tables of the existing subnets (with vpc_id); the S3/DynamoDB gateway endpoints are attached to them."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for r in var.route_table_ids : can(regex("^rtb-[0-9a-f]+$", r))])
    error_message = "route_table_ids must look like rtb-0123456789abcdef0."
  }
}

variable "manage_default_security_group" {
  description = "Strip every rule from the default security group of the VPC the module creates (CIS 5.4)."
  type        = bool
  default     = true
}

variable "create_s3_endpoint" {
  description = "Create the S3 gateway endpoint (free; S3 reachable without NAT)."
  type        = bool
  default     = true
}

variable "s3_endpoint_policy" {
  description = "JSON policy of the S3 gateway endpoint (null = full access through the endpoint; IAM still applies)."
  type        = string
  default     = null
}

variable "create_dynamodb_endpoint" {
  description = "Create the DynamoDB gateway endpoint (free; DynamoDB reachable without NAT)."
  type        = bool
  default     = true
}

variable "dynamodb_endpoint_policy" {
  description = "JSON policy of the DynamoDB gateway endpoint (null = full access through the endpoint; IAM still applies)."
  type        = string
  default     = null
}

variable "interface_endpoints" {
  description = "Short service names of interface endpoints to create with private DNS (e.g. [\"sqs\", \"states\", \"events\", \"sns\"]). They are billed per hour and AZ."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.interface_endpoints : can(regex("^[a-z0-9][a-z0-9.-]*$", s))])
    error_message = "interface_endpoints must be short service names such as sqs, states, events, sns, logs."
  }
}

variable "additional_egress_rules" {
  description = "Extra egress rules of the function's security group (e.g. a database port to a security group), keyed by a name. Each names exactly one destination."
  type = map(object({
    description                  = string
    ip_protocol                  = optional(string, "tcp")
    from_port                    = number
    to_port                      = number
    cidr_ipv4                    = optional(string)
    referenced_security_group_id = optional(string)
    prefix_list_id               = optional(string)
  }))
  default = {}

  validation {
    condition     = alltrue([for r in var.additional_egress_rules : length(compact([r.cidr_ipv4, r.referenced_security_group_id, r.prefix_list_id])) == 1])
    error_message = "Each additional egress rule needs exactly one of cidr_ipv4, referenced_security_group_id, prefix_list_id."
  }

  validation {
    condition     = alltrue([for r in var.additional_egress_rules : r.ip_protocol != "-1" && r.cidr_ipv4 != "0.0.0.0/0"])
    error_message = "Additional egress rules must name a protocol and must not open 0.0.0.0/0: this security group is egress-restricted by design."
  }
}

variable "flow_logs" {
  description = "VPC flow logs to a CloudWatch log group (created, with its delivery role). Only for the VPC the module creates."
  type = object({
    enabled           = optional(bool, true)
    retention_in_days = optional(number, 30)
    kms_key_arn       = optional(string)
    traffic_type      = optional(string, "ALL")
  })
  default = {}

  validation {
    condition     = contains(["ACCEPT", "REJECT", "ALL"], var.flow_logs.traffic_type)
    error_message = "flow_logs.traffic_type must be ACCEPT, REJECT or ALL."
  }

  validation {
    condition     = contains([0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_logs.retention_in_days)
    error_message = "flow_logs.retention_in_days must be a CloudWatch Logs retention value (0, 1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}
