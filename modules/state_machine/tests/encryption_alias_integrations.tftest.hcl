# Plan-level tests: customer managed key, published versions behind an alias, and the role derived for
# S3 (Distributed Map), HTTP Task, SQS, EventBridge and nested executions (issue 12 item 4).

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1", id = "eu-west-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111122223333:role/image-pipeline-sfn" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/vendedlogs/states/image-pipeline" }
  }
  mock_resource "aws_sfn_state_machine" {
    defaults = {
      arn                       = "arn:aws:states:eu-west-1:111122223333:stateMachine:image-pipeline"
      state_machine_version_arn = "arn:aws:states:eu-west-1:111122223333:stateMachine:image-pipeline:7"
    }
  }
}

variables {
  name       = "image-pipeline"
  definition = "{\"StartAt\":\"Done\",\"States\":{\"Done\":{\"Type\":\"Succeed\"}}}"
}

run "customer_managed_key" {
  command = plan

  variables {
    encryption = { kms_key_arn = "arn:aws:kms:eu-west-1:111122223333:key/1234" }
  }

  assert {
    condition = (
      aws_sfn_state_machine.this[0].encryption_configuration[0].type == "CUSTOMER_MANAGED_KMS_KEY"
      && aws_sfn_state_machine.this[0].encryption_configuration[0].kms_key_id == "arn:aws:kms:eu-west-1:111122223333:key/1234"
      && aws_sfn_state_machine.this[0].encryption_configuration[0].kms_data_key_reuse_period_seconds == 300
    )
    error_message = "encryption_configuration with the customer key"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "StateMachineEncryptionKey"]) == {
      Sid       = "StateMachineEncryptionKey", Effect = "Allow", Action = ["kms:Decrypt", "kms:GenerateDataKey"]
      Resource  = ["arn:aws:kms:eu-west-1:111122223333:key/1234"]
      Condition = { StringEquals = { "kms:EncryptionContext:aws:states:stateMachineArn" = "arn:aws:states:eu-west-1:111122223333:stateMachine:image-pipeline" } }
    }
    error_message = "the role may use the key for this machine's encryption context only"
  }
}

run "s3_distributed_map_and_http_task" {
  command = plan

  variables {
    integrations = {
      s3 = [
        { bucket_arn = "arn:aws:s3:::manifests", read = true, list = true },
        { bucket_arn = "arn:aws:s3:::results", read = false, write = true },
      ]
      http_endpoints     = [{ connection_arn = "arn:aws:events:eu-west-1:111122223333:connection/payments/0a1b2c3d", url_prefix = "https://api.example.com/v1/" }]
      sqs_queue_arns     = ["arn:aws:sqs:eu-west-1:111122223333:work"]
      event_bus_arns     = ["arn:aws:events:eu-west-1:111122223333:event-bus/orders"]
      state_machine_arns = ["arn:aws:states:eu-west-1:111122223333:stateMachine:child"]
    }
  }

  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : [s.Action, s.Resource] if startswith(s.Sid, "S3")] == [
      [["s3:GetObject"], ["arn:aws:s3:::manifests/*"]],
      [["s3:PutObject"], ["arn:aws:s3:::results/*"]],
      [["s3:ListBucket"], ["arn:aws:s3:::manifests"]],
    ]
    error_message = "S3: GetObject/PutObject on objects as declared, ListBucket on the bucket a Distributed Map lists"
  }
  assert {
    condition = one([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s if s.Sid == "InvokeHttpEndpoints"]) == {
      Sid       = "InvokeHttpEndpoints", Effect = "Allow", Action = ["states:InvokeHTTPEndpoint"]
      Resource  = ["arn:aws:states:eu-west-1:111122223333:stateMachine:image-pipeline"]
      Condition = { StringLike = { "states:HTTPEndpoint" = ["https://api.example.com/v1/*"] } }
    }
    error_message = "HTTP Task: InvokeHTTPEndpoint on this machine, for the declared URL prefix only"
  }
  assert {
    condition = (
      one([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s.Resource if s.Sid == "RetrieveConnectionCredentials"]) == ["arn:aws:events:eu-west-1:111122223333:connection/payments/0a1b2c3d"]
      && one([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s.Resource if s.Sid == "ReadConnectionSecrets"]) == ["arn:aws:secretsmanager:eu-west-1:111122223333:secret:events!connection/payments/*"]
    )
    error_message = "HTTP Task: the connection's credentials and its secret only"
  }
  assert {
    condition = (
      one([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s.Action if s.Sid == "SendToSqsQueues"]) == ["sqs:SendMessage"]
      && one([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s.Action if s.Sid == "PutEventsToBuses"]) == ["events:PutEvents"]
      && one([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : s.Resource if s.Sid == "StartNestedExecutions"]) == ["arn:aws:states:eu-west-1:111122223333:stateMachine:child"]
    )
    error_message = "SQS, EventBridge and nested executions stay derived from their ARNs"
  }
  assert {
    condition     = alltrue(flatten([for s in jsondecode(aws_iam_role_policy.this[0].policy).Statement : [for a in flatten([s.Action]) : !endswith(a, "*")]]))
    error_message = "no wildcard actions"
  }
}

run "alias_on_the_published_version" {
  command = apply

  variables {
    publish = true
    alias   = { name = "live" }
  }

  assert {
    condition     = aws_sfn_alias.this[0].name == "live" && length(aws_sfn_alias.this[0].routing_configuration) == 1
    error_message = "one alias route"
  }
  assert {
    condition     = one(aws_sfn_alias.this[0].routing_configuration).state_machine_version_arn == "arn:aws:states:eu-west-1:111122223333:stateMachine:image-pipeline:7" && one(aws_sfn_alias.this[0].routing_configuration).weight == 100
    error_message = "100% to the version this apply published"
  }
}

run "alias_canary_routing" {
  command = plan

  variables {
    publish = true
    alias = {
      name = "live"
      routing = [
        { version_arn = "arn:aws:states:eu-west-1:111122223333:stateMachine:image-pipeline:6", weight = 90 },
        { version_arn = "arn:aws:states:eu-west-1:111122223333:stateMachine:image-pipeline:7", weight = 10 },
      ]
    }
  }

  assert {
    condition     = toset([for r in aws_sfn_alias.this[0].routing_configuration : r.weight]) == toset([90, 10])
    error_message = "weighted routing between two versions"
  }
}

run "alias_needs_publish" {
  command = plan

  variables {
    alias = { name = "live" }
  }

  expect_failures = [aws_sfn_state_machine.this]
}

run "rejects_routing_not_summing_to_100" {
  command = plan

  variables {
    publish = true
    alias   = { name = "live", routing = [{ version_arn = "arn:aws:states:eu-west-1:111122223333:stateMachine:image-pipeline:6", weight = 50 }] }
  }

  expect_failures = [var.alias]
}

run "rejects_s3_object_arn" {
  command = plan

  variables {
    integrations = { s3 = [{ bucket_arn = "arn:aws:s3:::manifests/key.json" }] }
  }

  expect_failures = [var.integrations]
}
