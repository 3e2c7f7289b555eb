# A STANDARD state machine around one Lambda: Retry (3 s, 2 attempts, backoff 2.0) on transient
# errors, Catch everything else, publish the outcome to SNS. The role gets exactly
# lambda:InvokeFunction on the worker and sns:Publish on the topic, plus log delivery and X-Ray.

data "aws_partition" "current" {}

module "worker" {
  source = "../../../lambda_function"

  function_name    = "${var.name}-worker"
  filename         = var.filename
  source_code_hash = var.source_code_hash
  handler          = "handler.lambda_handler"
  runtime          = "python3.12"
}

resource "aws_sns_topic" "outcome" {
  name              = "${var.name}-outcome"
  kms_master_key_id = "alias/aws/sns"
}

module "state_machine" {
  source = "../.."

  name                = var.name
  type                = "STANDARD"
  definition_template = "${path.module}/definition.asl.json.tftpl"
  definition_vars = {
    partition    = data.aws_partition.current.partition
    function_arn = module.worker.function_arn
    topic_arn    = aws_sns_topic.outcome.arn
  }

  integrations = {
    lambda_function_arns = [module.worker.function_arn]
    sns_topic_arns       = [aws_sns_topic.outcome.arn]
  }

  logging_level          = "ALL"
  include_execution_data = false
  tracing_enabled        = true
  publish                = true
}
