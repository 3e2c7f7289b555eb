################################################################################
# Inline policy on the function role: exactly what the event source mappings need.
# Built with jsonencode() (not aws_iam_policy_document) so plans and tests can read it.
################################################################################

locals {
  has_mappings = length(local.sqs) + length(local.dynamodb_streams) + length(local.kinesis) > 0

  sqs_queue_arns = [for v in values(local.sqs) : v.queue_arn]

  dynamodb_stream_arns = [for v in values(local.dynamodb_streams) : v.stream_arn]

  # A kinesis stream_arn may be an enhanced fan-out consumer (<stream arn>/consumer/<name>:<ts>).
  kinesis_stream_arns   = [for v in values(local.kinesis) : replace(v.stream_arn, "/\\/consumer\\/.*$/", "")]
  kinesis_consumer_arns = [for v in values(local.kinesis) : v.stream_arn if length(regexall("/consumer/", v.stream_arn)) > 0]

  on_failure_destinations = [for v in values(local.stream_mappings) : v.on_failure_destination_arn if v.on_failure_destination_arn != null]
  has_destinations        = anytrue([for v in values(local.stream_mappings) : v.on_failure_destination_arn != null])
  destination_sqs         = [for a in local.on_failure_destinations : a if split(":", a)[2] == "sqs"]
  destination_sns         = [for a in local.on_failure_destinations : a if split(":", a)[2] == "sns"]
  destination_s3          = [for a in local.on_failure_destinations : a if split(":", a)[2] == "s3"]

  # Each candidate carries an `include` flag; with ARNs known at plan time the policy is fully
  # known. (Which destination service an unknown ARN belongs to is only known at apply; the
  # policy's existence never depends on it.)
  candidate_statements = [
    {
      include = length(local.sqs) > 0
      # What Lambda's SQS poller calls (AWS: "Execution role permissions" for SQS event sources). A
      # failed message returns after its visibility timeout: the poller never changes visibility.
      statement = {
        Sid      = "SqsEventSourceRead"
        Effect   = "Allow"
        Action   = ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
        Resource = distinct(local.sqs_queue_arns)
      }
    },
    {
      include = length(local.dynamodb_streams) > 0
      statement = {
        Sid      = "DynamoDbStreamRead"
        Effect   = "Allow"
        Action   = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"]
        Resource = distinct(local.dynamodb_stream_arns)
      }
    },
    {
      include = length(local.dynamodb_streams) > 0
      statement = {
        Sid    = "DynamoDbStreamList"
        Effect = "Allow"
        Action = ["dynamodb:ListStreams"]
        # The Service Authorization Reference lists no resource type for ListStreams (it lists the
        # account's streams), so it can only be granted on "*"; the action itself stays explicit.
        Resource = ["*"]
      }
    },
    {
      include = length(local.kinesis) > 0
      statement = {
        Sid      = "KinesisStreamRead"
        Effect   = "Allow"
        Action   = ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard"]
        Resource = distinct(local.kinesis_stream_arns)
      }
    },
    {
      include = length(local.kinesis_consumer_arns) > 0
      statement = {
        Sid      = "KinesisConsumerRead"
        Effect   = "Allow"
        Action   = ["kinesis:DescribeStreamConsumer", "kinesis:SubscribeToShard"]
        Resource = distinct(local.kinesis_consumer_arns)
      }
    },
    {
      include = length(local.destination_sqs) > 0
      statement = {
        Sid      = "OnFailureToSqs"
        Effect   = "Allow"
        Action   = ["sqs:SendMessage"]
        Resource = distinct(local.destination_sqs)
      }
    },
    {
      include = length(local.destination_sns) > 0
      statement = {
        Sid      = "OnFailureToSns"
        Effect   = "Allow"
        Action   = ["sns:Publish"]
        Resource = distinct(local.destination_sns)
      }
    },
    {
      include = length(local.destination_s3) > 0
      statement = {
        Sid      = "OnFailureToS3Objects"
        Effect   = "Allow"
        Action   = ["s3:PutObject"]
        Resource = distinct([for a in local.destination_s3 : "${a}/*"])
      }
    },
    {
      include = length(local.destination_s3) > 0
      statement = {
        Sid      = "OnFailureToS3Bucket"
        Effect   = "Allow"
        Action   = ["s3:ListBucket"]
        Resource = distinct(local.destination_s3)
      }
    },
    {
      include = length(var.kms_key_arns) > 0
      statement = {
        Sid      = "KmsForEventSources"
        Effect   = "Allow"
        Action   = local.has_destinations ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"]
        Resource = distinct(var.kms_key_arns)
      }
    },
  ]

  policy_statements = [for c in local.candidate_statements : c.statement if c.include]

  policy_json = jsonencode({
    Version   = "2012-10-17"
    Statement = local.policy_statements
  })

  create_role_policy = local.create && var.create_role_policy && local.has_mappings
}

resource "aws_iam_role_policy" "this" {
  count = local.create_role_policy ? 1 : 0

  name   = coalesce(var.role_policy_name, "${var.function_name}-event-sources")
  role   = var.function_role_name
  policy = local.policy_json

  lifecycle {
    precondition {
      condition     = var.function_role_name != null
      error_message = "function_role_name is required when sqs, dynamodb_streams or kinesis mappings are declared (or set create_role_policy = false and grant the read actions yourself)."
    }
  }
}
