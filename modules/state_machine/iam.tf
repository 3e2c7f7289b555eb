################################################################################
# Execution role derived from the declared integrations, and nothing wider.
# Built with jsonencode() (not aws_iam_policy_document) so plans and tests can read it.
################################################################################

locals {
  integrations = var.integrations

  # Nested executions (.sync / waitForTaskToken): executions of the declared machines.
  nested_execution_arns = [for a in local.integrations.state_machine_arns : "${replace(a, ":stateMachine:", ":execution:")}:*"]
  own_arn               = "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${var.name}"
  managed_rule_arn      = "arn:${local.partition}:events:${local.region}:${local.account_id}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"

  # Each candidate carries an `include` flag computed from list lengths only, so the number of
  # statements (and the policy's count) is known at plan time even when ARNs are not.
  candidate_statements = concat(
    [{
      include = length(local.integrations.lambda_function_arns) > 0
      statement = {
        Sid      = "InvokeLambdaFunctions"
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction"]
        Resource = distinct(flatten([for a in local.integrations.lambda_function_arns : [a, "${a}:*"]]))
      }
    }],
    [for i, t in local.integrations.dynamodb : {
      include = true
      statement = {
        Sid      = "DynamoDbTable${i}"
        Effect   = "Allow"
        Action   = sort(distinct(t.actions))
        Resource = t.include_indexes ? [t.table_arn, "${t.table_arn}/index/*"] : [t.table_arn]
      }
    }],
    [{
      include = length(local.integrations.sns_topic_arns) > 0
      statement = {
        Sid      = "PublishToSnsTopics"
        Effect   = "Allow"
        Action   = ["sns:Publish"]
        Resource = distinct(local.integrations.sns_topic_arns)
      }
    }],
    [{
      include = length(local.integrations.sqs_queue_arns) > 0
      statement = {
        Sid      = "SendToSqsQueues"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = distinct(local.integrations.sqs_queue_arns)
      }
    }],
    [{
      include = length(local.integrations.event_bus_arns) > 0
      statement = {
        Sid      = "PutEventsToBuses"
        Effect   = "Allow"
        Action   = ["events:PutEvents"]
        Resource = distinct(local.integrations.event_bus_arns)
      }
    }],
    [{
      include = length(local.integrations.state_machine_arns) > 0
      statement = {
        Sid      = "StartNestedExecutions"
        Effect   = "Allow"
        Action   = ["states:StartExecution"]
        Resource = distinct(local.integrations.state_machine_arns)
      }
    }],
    [{
      include = length(local.integrations.state_machine_arns) > 0
      statement = {
        Sid      = "ManageNestedExecutions"
        Effect   = "Allow"
        Action   = ["states:DescribeExecution", "states:StopExecution"]
        Resource = distinct(local.nested_execution_arns)
      }
    }],
    [{
      include = length(local.integrations.state_machine_arns) > 0
      statement = {
        Sid      = "NestedExecutionEventsRule"
        Effect   = "Allow"
        Action   = ["events:DescribeRule", "events:PutRule", "events:PutTargets"]
        Resource = [local.managed_rule_arn]
      }
    }],
    [{
      include = length(local.integrations.kms_key_arns) > 0
      statement = {
        Sid      = "UseKmsKeys"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = distinct(local.integrations.kms_key_arns)
      }
    }],
    [for i, b in local.integrations.s3 : {
      include = b.read || b.write
      statement = {
        Sid      = "S3Objects${i}"
        Effect   = "Allow"
        Action   = concat(b.read ? ["s3:GetObject"] : [], b.write ? ["s3:PutObject"] : [])
        Resource = ["${b.bucket_arn}/*"]
      }
    }],
    [for i, b in local.integrations.s3 : {
      include = b.list
      statement = {
        Sid      = "S3ListBucket${i}"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = [b.bucket_arn]
      }
    }],
    [{
      include = length(local.integrations.http_endpoints) > 0
      statement = {
        Sid      = "InvokeHttpEndpoints"
        Effect   = "Allow"
        Action   = ["states:InvokeHTTPEndpoint"]
        Resource = [local.own_arn]
        Condition = {
          StringLike = { "states:HTTPEndpoint" = [for h in local.integrations.http_endpoints : "${h.url_prefix}*"] }
        }
      }
    }],
    [{
      include = length(local.integrations.http_endpoints) > 0
      statement = {
        Sid      = "RetrieveConnectionCredentials"
        Effect   = "Allow"
        Action   = ["events:RetrieveConnectionCredentials"]
        Resource = distinct([for h in local.integrations.http_endpoints : h.connection_arn])
      }
    }],
    [{
      include = length(local.integrations.http_endpoints) > 0
      statement = {
        Sid    = "ReadConnectionSecrets"
        Effect = "Allow"
        Action = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        # EventBridge stores a connection's credentials in secret events!connection/<name>/<id>.
        Resource = distinct([for h in local.integrations.http_endpoints :
        "arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:events!connection/${split("/", h.connection_arn)[1]}/*"])
      }
    }],
    [{
      include = var.encryption != null
      statement = {
        Sid      = "StateMachineEncryptionKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource = [try(var.encryption.kms_key_arn, "")]
        Condition = {
          StringEquals = { "kms:EncryptionContext:aws:states:stateMachineArn" = local.own_arn }
        }
      }
    }],
    [for i, s in var.additional_policy_statements : {
      include = true
      statement = {
        Sid      = coalesce(s.sid, "Additional${i}")
        Effect   = "Allow"
        Action   = s.actions
        Resource = s.resources
      }
    }],
    # CloudWatch Logs vended log delivery and X-Ray do not support resource-level
    # permissions: AWS documents Resource "*" for these actions.
    [{
      include = local.logging_enabled
      statement = {
        Sid    = "CloudWatchLogsDelivery"
        Effect = "Allow"
        Action = [
          "logs:CreateLogDelivery",
          "logs:DeleteLogDelivery",
          "logs:DescribeLogGroups",
          "logs:DescribeResourcePolicies",
          "logs:GetLogDelivery",
          "logs:ListLogDeliveries",
          "logs:PutResourcePolicy",
          "logs:UpdateLogDelivery",
        ]
        Resource = ["*"]
      }
    }],
    [{
      include = var.tracing_enabled
      statement = {
        Sid      = "XRayTracing"
        Effect   = "Allow"
        Action   = ["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]
        Resource = ["*"]
      }
    }],
  )

  policy_statements = [for c in local.candidate_statements : c.statement if c.include]

  policy_json = jsonencode({
    Version   = "2012-10-17"
    Statement = local.policy_statements
  })

  assume_role_policy_json = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "StepFunctionsAssumeRole"
      Effect    = "Allow"
      Principal = { Service = "states.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = {
        StringEquals = { "aws:SourceAccount" = local.account_id }
        ArnLike = {
          "aws:SourceArn" = [
            "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${var.name}",
            "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${var.name}:*",
          ]
        }
      }
    }]
  })
}

resource "aws_iam_role" "this" {
  count = local.create_role ? 1 : 0

  name                 = coalesce(var.role_name, substr("${var.name}-sfn", 0, 64))
  path                 = var.role_path
  permissions_boundary = var.role_permissions_boundary
  assume_role_policy   = local.assume_role_policy_json

  tags = merge(var.tags, var.role_tags)
}

resource "aws_iam_role_policy" "this" {
  count = local.create_role && length(local.policy_statements) > 0 ? 1 : 0

  name   = "${var.name}-integrations"
  role   = aws_iam_role.this[0].name
  policy = local.policy_json
}
