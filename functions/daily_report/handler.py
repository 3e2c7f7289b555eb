"""Scheduled daily orders report: yesterday's orders (UTC) through the date GSI -> JSON + CSV in S3.

Event: {} or an EventBridge scheduled event (reports the day before its `time`), or {"date": "YYYY-MM-DD"}
to (re)build a given day. Writing the same keys again makes a re-run idempotent.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from pipeline_shared.clients import TRACED_MODULES, client_config
from report_config import ReportConfig
from report_repository import OrdersByDateRepository
from report_service import DailyReportService
from report_storage import S3ReportStorage

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics()

config = ReportConfig.from_env()
_boto_config = client_config(max_attempts=5, read_timeout=20)
dynamodb_client = boto3.client("dynamodb", config=_boto_config)
s3_client = boto3.client("s3", config=_boto_config)
service = DailyReportService(
    OrdersByDateRepository(dynamodb_client, config.orders_table, config.orders_date_index),
    S3ReportStorage(s3_client, config.reports_bucket),
)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = service.run(event)
    metrics.add_metric(name="ReportedOrders", unit=MetricUnit.Count, value=result["orderCount"])
    logger.info("daily report written", extra=result)
    return result
