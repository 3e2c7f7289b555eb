# Scheduled report in a VPC (DESIGN section 4): EventBridge Scheduler cron(0 6 * * ? *) in Etc/UTC (zone
# configurable; var.report_schedule_kind = "rule" keeps an EventBridge rule) -> daily_report, which queries
# yesterday's orders through the byOrderDate index and writes JSON + CSV to the reports bucket.
# With enable_vpc (default) it runs inside modules/vpc_lambda: VPC, two private subnets in two AZs,
# egress-only security group, S3 and DynamoDB gateway endpoints (no NAT). Without it, a plain function.

data "aws_availability_zones" "available" {
  count = var.enable_vpc ? 1 : 0

  #checkov:skip=CKV_AWS_394:Only the first two zones (sorted names) are used, so a new zone does not change the result.
  state = "available"
}

locals {
  daily_report_function = {
    function_name         = local.function_names["daily_report"]
    description           = local.function_descriptions["daily_report"]
    filename              = local.function_zip["daily_report"].filename
    source_code_hash      = local.function_zip["daily_report"].source_code_hash
    layers                = local.function_layers["daily_report"]
    memory_size           = local.function_config.daily_report.memory_size
    timeout               = local.function_config.daily_report.timeout
    reserved_concurrency  = coalesce(local.function_config.daily_report.reserved_concurrency, -1)
    environment_variables = merge(local.common_environment, { POWERTOOLS_SERVICE_NAME = "daily_report" }, local.function_environment.daily_report)
    policy_statements     = merge(local.function_statements.daily_report, local.kms_statements)
    # The schedule invokes asynchronously: bounded retries, then daily-report-failed.
    async_invoke = local.async_invoke.daily_report
  }

  daily_report = {
    function_name = var.enable_vpc ? module.daily_report_vpc.function_name : module.daily_report.function_name
    function_arn  = var.enable_vpc ? module.daily_report_vpc.function_arn : module.daily_report.function_arn
    role_name     = var.enable_vpc ? module.daily_report_vpc.role_name : module.daily_report.role_name
  }

  report_vpc_id = var.enable_vpc ? module.daily_report_vpc.vpc_id : null
}

module "daily_report_vpc" {
  source = "./modules/vpc_lambda"

  create = var.enable_vpc
  name   = "${local.prefix}-report"

  vpc_cidr           = var.vpc_cidr
  availability_zones = var.enable_vpc ? slice(data.aws_availability_zones.available[0].names, 0, 2) : []
  flow_logs = {
    enabled           = var.enable_vpc_flow_logs
    retention_in_days = var.log_retention_in_days
  }

  function_name                  = local.daily_report_function.function_name
  description                    = local.daily_report_function.description
  filename                       = local.daily_report_function.filename
  source_code_hash               = local.daily_report_function.source_code_hash
  s3_package                     = local.package_s3
  runtime                        = local.runtime
  architectures                  = [var.architecture]
  memory_size                    = local.daily_report_function.memory_size
  timeout                        = local.daily_report_function.timeout
  layers                         = local.daily_report_function.layers
  reserved_concurrent_executions = local.daily_report_function.reserved_concurrency
  environment_variables          = local.daily_report_function.environment_variables
  kms_key_arn                    = var.kms_key_arn
  policy_statements              = local.daily_report_function.policy_statements
  async_invoke                   = local.daily_report_function.async_invoke
  tracing_mode                   = var.tracing_mode
  log_format                     = "JSON"
  application_log_level          = local.application_log_level
  log_retention_in_days          = var.log_retention_in_days
}

module "daily_report" {
  source = "./modules/lambda_function"

  create = !var.enable_vpc

  function_name                  = local.daily_report_function.function_name
  description                    = local.daily_report_function.description
  filename                       = local.daily_report_function.filename
  source_code_hash               = local.daily_report_function.source_code_hash
  s3_package                     = local.package_s3
  runtime                        = local.runtime
  architectures                  = [var.architecture]
  memory_size                    = local.daily_report_function.memory_size
  timeout                        = local.daily_report_function.timeout
  layers                         = local.daily_report_function.layers
  reserved_concurrent_executions = local.daily_report_function.reserved_concurrency
  environment_variables          = local.daily_report_function.environment_variables
  kms_key_arn                    = var.kms_key_arn
  policy_statements              = local.daily_report_function.policy_statements
  async_invoke                   = local.daily_report_function.async_invoke
  tracing_mode                   = var.tracing_mode
  log_format                     = "JSON"
  application_log_level          = local.application_log_level
  log_retention_in_days          = var.log_retention_in_days
}

module "daily_report_sources" {
  source = "./modules/event_source"

  function_name = local.daily_report.function_name
  function_arn  = local.daily_report.function_arn

  # EventBridge Scheduler (default): the expression runs in var.report_schedule_timezone, and the function
  # gets {"source": "aws.scheduler", "time": <scheduled time>}. It reports the UTC day before that time.
  schedules = var.report_schedule_kind == "scheduler" ? {
    daily = {
      name                = "${local.prefix}-daily-report"
      description         = "Daily orders report of the previous UTC day"
      schedule_expression = var.report_schedule_expression
      timezone            = var.report_schedule_timezone
      retry_policy = {
        maximum_retry_attempts       = 3
        maximum_event_age_in_seconds = 3600
      }
      # Delivery failures (Scheduler could not invoke) land where handler failures do.
      dead_letter_arn         = aws_sqs_queue.this["daily-report-failed"].arn
      dead_letter_kms_key_arn = var.kms_key_arn
    }
  } : {}

  # Rule-based alternative (UTC only): the function gets the scheduled event and reports the day before its `time`.
  eventbridge_rules = var.report_schedule_kind == "rule" ? {
    schedule = {
      name                = "${local.prefix}-daily-report"
      description         = "Daily orders report of the previous UTC day"
      schedule_expression = var.report_schedule_expression
      dead_letter_arn     = aws_sqs_queue.this["daily-report-failed"].arn
    }
  } : {}
}
