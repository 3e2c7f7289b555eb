# Test harness (never deployed): integration ARNs come from resources, so they are unknown at
# plan time, as in a stack that creates the functions, tables and topics in the same apply.

resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = "arn:aws:iam::111122223333:role/fn"
  filename      = "fn.zip"
  handler       = "handler.lambda_handler"
  runtime       = "python3.12"
}

resource "aws_sns_topic" "t" {
  name = "t"
}

resource "aws_dynamodb_table" "t" {
  name         = "t"
  hash_key     = "id"
  billing_mode = "PAY_PER_REQUEST"
  attribute {
    name = "id"
    type = "S"
  }
}

module "state_machine" {
  source = "../.."

  name                = "unknown-arns"
  definition_template = "${path.module}/../fixtures/retry_catch.asl.json.tftpl"
  definition_vars = {
    function_arn = aws_lambda_function.fn.arn
    topic_arn    = aws_sns_topic.t.arn
  }
  integrations = {
    lambda_function_arns = [aws_lambda_function.fn.arn]
    sns_topic_arns       = [aws_sns_topic.t.arn]
    dynamodb             = [{ table_arn = aws_dynamodb_table.t.arn, actions = ["dynamodb:PutItem"] }]
  }
}

output "role_name" {
  description = "Name of the planned role."
  value       = module.state_machine.role_name
}
