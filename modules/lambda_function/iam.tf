locals {
  role_arn = local.create_role ? aws_iam_role.this[0].arn : var.role_arn
  role_name = (
    local.create_role ? aws_iam_role.this[0].name :
    var.role_arn != null ? element(split("/", var.role_arn), length(split("/", var.role_arn)) - 1) : null
  )

  # Action each async destination / DLQ service needs, keyed by the service part of its ARN.
  destination_actions = {
    sqs    = "sqs:SendMessage"
    sns    = "sns:Publish"
    lambda = "lambda:InvokeFunction"
    events = "events:PutEvents"
  }

  async_destinations = var.async_invoke == null ? {} : {
    for k, arn in {
      OnSuccess = var.async_invoke.on_success_destination_arn
      OnFailure = var.async_invoke.on_failure_destination_arn
    } : k => arn if arn != null
  }

  log_streams_arn = local.create ? "${local.log_group.arn}:*" : null

  execution_statements = concat(
    [
      {
        Sid      = "WriteLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = [local.log_streams_arn]
      },
      {
        # Used by Lambda's active tracing on the function's behalf (the embedded LocalStack sends no segments,
        # so its IAM report lists these as unused). X-Ray has no resource-level permissions: Resource "*".
        Sid      = "XRayWrite"
        Effect   = "Allow"
        Action   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = ["*"]
      },
    ],
    # Lambda manages the function's ENIs with the execution role. CreateNetworkInterface and the
    # Describe* calls only work when allowed on all resources, so Resource must be "*".
    var.vpc_config != null ? [
      {
        Sid    = "VpcNetworkInterfaces"
        Effect = "Allow"
        Action = [
          "ec2:CreateNetworkInterface",
          "ec2:DescribeNetworkInterfaces",
          "ec2:DescribeSubnets",
          "ec2:DeleteNetworkInterface",
          "ec2:AssignPrivateIpAddresses",
          "ec2:UnassignPrivateIpAddresses",
        ]
        Resource = ["*"]
      },
    ] : [],
    [
      for k, arn in local.async_destinations : {
        Sid      = "AsyncDestination${k}"
        Effect   = "Allow"
        Action   = split(":", arn)[2] == "s3" ? ["s3:PutObject"] : [local.destination_actions[split(":", arn)[2]]]
        Resource = split(":", arn)[2] == "s3" ? ["${arn}/*"] : [arn]
      }
    ],
    # An S3 on-failure destination also needs ListBucket on the bucket itself.
    [
      for k, arn in local.async_destinations : {
        Sid      = "AsyncDestination${k}ListBucket"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [arn]
      } if split(":", arn)[2] == "s3"
    ],
    var.dead_letter_target_arn != null ? [
      {
        Sid      = "DeadLetterTarget"
        Effect   = "Allow"
        Action   = [local.destination_actions[split(":", var.dead_letter_target_arn)[2]]]
        Resource = [var.dead_letter_target_arn]
      },
    ] : [],
  )

  caller_statements = [
    for k, s in var.policy_statements : merge(
      {
        Sid      = replace(k, "/[^A-Za-z0-9]/", "")
        Effect   = s.effect
        Action   = s.actions
        Resource = s.resources
      },
      {
        for c in [s.conditions] : "Condition" => {
          for test in distinct([for cond in c : cond.test]) :
          test => { for cond in c : cond.variable => cond.values if cond.test == test }
        } if length(c) > 0
      },
    )
  ]
}

resource "aws_iam_role" "this" {
  count = local.create_role ? 1 : 0

  name                 = coalesce(var.role_name, var.function_name)
  path                 = var.role_path
  permissions_boundary = var.role_permissions_boundary
  description          = "Execution role of Lambda function ${var.function_name}"

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid       = "LambdaAssume"
        Effect    = "Allow"
        Principal = { Service = "lambda.amazonaws.com" }
        Action    = "sts:AssumeRole"
      },
      ],
      # Extra principals that may assume the role (escape hatch, e.g. edgelambda.amazonaws.com).
      length(var.trusted_entities.services) + length(var.trusted_entities.aws) > 0 ? [{
        Sid    = "ExtraTrustedEntities"
        Effect = "Allow"
        Principal = merge(
          length(var.trusted_entities.services) > 0 ? { Service = var.trusted_entities.services } : {},
          length(var.trusted_entities.aws) > 0 ? { AWS = var.trusted_entities.aws } : {},
        )
        Action = "sts:AssumeRole"
      }] : [],
    )
  })

  tags = merge(var.tags, var.role_tags)
}

# What the module's own wiring needs: logs, tracing, VPC ENIs, destinations, DLQ.
resource "aws_iam_role_policy" "execution" {
  count = local.create_role ? 1 : 0

  name = "execution"
  role = aws_iam_role.this[0].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.execution_statements
  })
}

# What the caller declared in policy_statements.
resource "aws_iam_role_policy" "statements" {
  count = local.create_role && length(var.policy_statements) > 0 ? 1 : 0

  name = "statements"
  role = aws_iam_role.this[0].id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.caller_statements
  })
}

# Escape hatches: managed policies and a raw policy document of the caller's (checked for wildcard
# actions by var.policy_json's validation).
resource "aws_iam_role_policy_attachment" "managed" {
  for_each = local.create_role ? toset(var.managed_policy_arns) : toset([])

  role       = aws_iam_role.this[0].name
  policy_arn = each.value
}

resource "aws_iam_role_policy" "extra_json" {
  count = local.create_role && var.policy_json != null ? 1 : 0

  name   = "extra"
  role   = aws_iam_role.this[0].id
  policy = var.policy_json
}
