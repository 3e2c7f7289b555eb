"""EventBridge target of rule high-value-orders (OrderCreated with total > 100).

Flags the order (highValue = true, conditional, idempotent) and publishes {"orderId", "total"} to the
alerts topic only when this invocation set the flag. Errors are raised on purpose so that the
asynchronous invocation's retries and DLQ see them; a redelivered event is a successful no-op.
"""

from __future__ import annotations

from typing import Any

import boto3
from alerts_publisher import AlertsPublisher
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from high_value_config import HighValueConfig
from high_value_repository import OrderFlagRepository
from high_value_service import HighValueOrderService, parse_order_event
from pipeline_shared.clients import TRACED_MODULES, client_config

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics()

config = HighValueConfig.from_env()
_boto_config = client_config()
dynamodb_client = boto3.client("dynamodb", config=_boto_config)
service = HighValueOrderService(
    OrderFlagRepository(dynamodb_client, config.orders_table),
    AlertsPublisher(None, config.alerts_topic_arn),
)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    order = parse_order_event(event)
    event_id = event.get("id")
    logger.append_keys(orderId=order.order_id, eventId=event_id if isinstance(event_id, str) else None)
    result = service.handle(order)
    if result.flagged:
        metrics.add_metric(name="HighValueOrdersFlagged", unit=MetricUnit.Count, value=1)
        logger.info("order flagged as high value; alert published", extra={"total": order.total})
    else:
        metrics.add_metric(name="HighValueDuplicateEvents", unit=MetricUnit.Count, value=1)
        logger.info("order already flagged; nothing to do")
    return {"orderId": result.order_id, "flagged": result.flagged, "messageId": result.message_id}
