# Orders REST API (DESIGN section 2): API Gateway REST API, Lambda proxy integration to the orders_api
# `live` alias, stage = var.environment with access logs, X-Ray and throttling.
#
# Routes are declared explicitly (the API documents itself); an ANY method on each resource also goes to
# the function so a wrong method gets the function's 405 (with an Allow header) instead of API Gateway's
# 403, and unknown paths get a JSON 404 through a gateway response without invoking anything. With
# api_authorization = "AWS_IAM" API Gateway reports an unsigned request with that same gateway response
# (MISSING_AUTHENTICATION_TOKEN), so its message names both causes.

locals {
  api_name = "${local.prefix}-orders-api"

  api_resources = {
    orders  = { parent = "root", path_part = "orders" }
    order   = { parent = "orders", path_part = "{id}" }
    uploads = { parent = "root", path_part = "uploads" }
  }

  api_methods = {
    "orders-GET"   = { resource = "orders", http_method = "GET" }
    "orders-POST"  = { resource = "orders", http_method = "POST" }
    "orders-ANY"   = { resource = "orders", http_method = "ANY" }
    "order-GET"    = { resource = "order", http_method = "GET" }
    "order-PUT"    = { resource = "order", http_method = "PUT" }
    "order-ANY"    = { resource = "order", http_method = "ANY" }
    "uploads-POST" = { resource = "uploads", http_method = "POST" }
    "uploads-ANY"  = { resource = "uploads", http_method = "ANY" }
  }

  api_resource_ids = {
    root    = aws_api_gateway_rest_api.orders.root_resource_id
    orders  = aws_api_gateway_resource.orders.id
    order   = aws_api_gateway_resource.order.id
    uploads = aws_api_gateway_resource.uploads.id
  }
}

resource "aws_api_gateway_rest_api" "orders" {
  name        = local.api_name
  description = "Orders API of ${local.prefix}"

  #checkov:skip=CKV_AWS_237:Routes, deployment and stage are separate resources; the deployment is create_before_destroy.

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  parent_id   = aws_api_gateway_rest_api.orders.root_resource_id
  path_part   = "orders"
}

resource "aws_api_gateway_resource" "order" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  parent_id   = aws_api_gateway_resource.orders.id
  path_part   = "{id}"
}

resource "aws_api_gateway_resource" "uploads" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  parent_id   = aws_api_gateway_rest_api.orders.root_resource_id
  path_part   = "uploads"
}

# IAM-authorized by default (var.api_authorization): callers sign requests with SigV4 and need
# execute-api:Invoke on the method (output api_execution_arn). The ANY catch-alls use the same setting, so a
# wrong method is answered 405 only to callers allowed to call the resource.
resource "aws_api_gateway_method" "this" {
  for_each = local.api_methods

  rest_api_id   = aws_api_gateway_rest_api.orders.id
  resource_id   = local.api_resource_ids[each.value.resource]
  http_method   = each.value.http_method
  authorization = var.api_authorization

  #checkov:skip=CKV2_AWS_53:orders_api validates every request (400 with a message); proxy integration passes the raw request.

  request_parameters = each.value.resource == "order" ? { "method.request.path.id" = true } : {}
}

resource "aws_api_gateway_integration" "this" {
  for_each = local.api_methods

  rest_api_id             = aws_api_gateway_rest_api.orders.id
  resource_id             = local.api_resource_ids[each.value.resource]
  http_method             = aws_api_gateway_method.this[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = module.function["orders_api"].alias_invoke_arn
}

resource "aws_api_gateway_gateway_response" "not_found" {
  rest_api_id   = aws_api_gateway_rest_api.orders.id
  response_type = "MISSING_AUTHENTICATION_TOKEN"
  status_code   = "404"

  response_templates = {
    "application/json" = jsonencode({
      message = var.api_authorization == "AWS_IAM" ? "no route for this path, or the request is not signed (SigV4)" : "no route for this path"
    })
  }
}

# Everything a deployment snapshots: routes, each method's authorization and request parameters, each
# integration's target and settings, and the gateway responses. Read from the resources (not from the
# locals that build them), so what a plan changes on them is what redeploys.
locals {
  api_redeployment_inputs = {
    resources = { for k, r in { orders = aws_api_gateway_resource.orders, order = aws_api_gateway_resource.order, uploads = aws_api_gateway_resource.uploads } : k => [r.parent_id, r.path_part] }
    methods = { for k, m in aws_api_gateway_method.this : k => {
      resource_id          = m.resource_id, http_method = m.http_method, authorization = m.authorization, authorizer_id = m.authorizer_id,
      authorization_scopes = m.authorization_scopes, api_key_required = m.api_key_required, request_parameters = m.request_parameters,
      request_models       = m.request_models, request_validator_id = m.request_validator_id, operation_name = m.operation_name,
    } }
    integrations = { for k, i in aws_api_gateway_integration.this : k => {
      resource_id          = i.resource_id, http_method = i.http_method, type = i.type, uri = i.uri, integration_http_method = i.integration_http_method,
      credentials          = i.credentials, request_parameters = i.request_parameters, request_templates = i.request_templates,
      passthrough_behavior = i.passthrough_behavior, content_handling = i.content_handling, timeout_milliseconds = i.timeout_milliseconds,
      cache_key_parameters = i.cache_key_parameters, connection_type = i.connection_type, connection_id = i.connection_id,
    } }
    # An unset map reads back as {} after a refresh (LocalStack, and AWS for some responses): null and {} hash alike.
    gateway_responses = { for r in [aws_api_gateway_gateway_response.not_found] : r.response_type => [
      r.status_code, r.response_templates == null ? {} : r.response_templates, r.response_parameters == null ? {} : r.response_parameters,
    ] }
  }
}

resource "aws_api_gateway_deployment" "orders" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  description = "Managed by Terraform"

  # A new deployment whenever anything a stage serves changes (local.api_redeployment_inputs).
  triggers = {
    redeployment = sha1(jsonencode(local.api_redeployment_inputs))
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [aws_api_gateway_integration.this, aws_api_gateway_method.this]
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/aws/apigateway/${local.api_name}/access"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.kms_key_arn

  #checkov:skip=CKV_AWS_338:Retention is var.log_retention_in_days (default 14 days for a dev stack).
  #checkov:skip=CKV_AWS_158:Encrypted with var.kms_key_arn when set (output kms_key_policy_json is the key policy it needs); CloudWatch default encryption otherwise.
}

resource "aws_api_gateway_stage" "this" {
  #checkov:skip=CKV2_AWS_29:WAF is an account/edge decision outside this stack (throttling is set per method).
  #checkov:skip=CKV2_AWS_51:Client certificates authenticate API Gateway to HTTP backends; the backend is Lambda.
  #checkov:skip=CKV_AWS_120:No response caching: orders are read-your-writes data.

  rest_api_id          = aws_api_gateway_rest_api.orders.id
  deployment_id        = aws_api_gateway_deployment.orders.id
  stage_name           = var.environment
  xray_tracing_enabled = var.tracing_mode == "Active"

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      extendedRequestId  = "$context.extendedRequestId"
      ip                 = "$context.identity.sourceIp"
      requestTime        = "$context.requestTime"
      httpMethod         = "$context.httpMethod"
      resourcePath       = "$context.resourcePath"
      status             = "$context.status"
      responseLength     = "$context.responseLength"
      integrationStatus  = "$context.integration.status"
      integrationLatency = "$context.integration.latency"
      errorMessage       = "$context.error.message"
      xrayTraceId        = "$context.xrayTraceId"
    })
  }

  # Stage access logs need the account-level CloudWatch Logs role (see var.manage_api_gateway_account).
  depends_on = [aws_api_gateway_account.this, aws_cloudwatch_log_group.api_execution]
}

# Execution logs (method_settings logging_level) go to a group API Gateway names after the API and the
# stage. Created here first, so it has retention and the stack's key instead of being created unmanaged
# by API Gateway (no retention, no KMS) and left behind on destroy.
resource "aws_cloudwatch_log_group" "api_execution" {
  name              = "API-Gateway-Execution-Logs_${aws_api_gateway_rest_api.orders.id}/${var.environment}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.kms_key_arn

  #checkov:skip=CKV_AWS_338:Retention is var.log_retention_in_days (default 14 days for a dev stack).
  #checkov:skip=CKV_AWS_158:Encrypted with var.kms_key_arn when set (output kms_key_policy_json is the key policy it needs); CloudWatch default encryption otherwise.
}

resource "aws_api_gateway_method_settings" "all" {
  #checkov:skip=CKV_AWS_225:No response caching: orders are read-your-writes data.

  rest_api_id = aws_api_gateway_rest_api.orders.id
  stage_name  = aws_api_gateway_stage.this.stage_name
  method_path = "*/*"

  depends_on = [aws_cloudwatch_log_group.api_execution]

  settings {
    metrics_enabled        = true
    logging_level          = "ERROR"
    data_trace_enabled     = false
    throttling_rate_limit  = var.api_throttling_rate_limit
    throttling_burst_limit = var.api_throttling_burst_limit
  }
}

module "orders_api_sources" {
  source = "./modules/event_source"

  function_name = module.function["orders_api"].function_name
  function_arn  = module.function["orders_api"].function_arn
  qualifier     = module.function["orders_api"].alias_name

  api_gateway = {
    orders = {
      rest_api_execution_arn = aws_api_gateway_rest_api.orders.execution_arn
      path                   = "${var.environment}/*/*"
    }
  }
}

#------------------------------------------------------------------------------
# Account-level CloudWatch Logs role of API Gateway: ONE setting per account and region, shared by every
# API and stage there. Off by default (var.manage_api_gateway_account): an environment that owned it would
# overwrite another's, and its destroy would leave the region's APIs pointing at a deleted role.
#------------------------------------------------------------------------------
resource "aws_iam_role" "api_gateway_cloudwatch" {
  count = var.manage_api_gateway_account ? 1 : 0

  name = "${local.prefix}-apigateway-cloudwatch"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "apigateway.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "api_gateway_cloudwatch" {
  count = var.manage_api_gateway_account ? 1 : 0

  name = "push-logs"
  role = aws_iam_role.api_gateway_cloudwatch[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Action = [
        "logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups", "logs:DescribeLogStreams",
        "logs:PutLogEvents", "logs:GetLogEvents", "logs:FilterLogEvents",
      ]
      Resource = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"
    }]
  })
}

resource "aws_api_gateway_account" "this" {
  count = var.manage_api_gateway_account ? 1 : 0

  cloudwatch_role_arn = aws_iam_role.api_gateway_cloudwatch[0].arn

  depends_on = [aws_iam_role_policy.api_gateway_cloudwatch]
}
