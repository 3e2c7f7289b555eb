"""DynamoDB stream of the orders table -> `orders` EventBridge bus (OrderCreated, OrderStatusChanged).

Two steps per batch:
1. stream_service publishes the batch in order, in PutEvents calls of up to 10 entries, and decides
   which sequence numbers failed (per-entry ErrorCodes, failed calls, malformed records, and every
   record after the first failure - see stream_service for the ordering rule);
2. Powertools BatchProcessor reports exactly those records as batchItemFailures (itemIdentifier =
   SequenceNumber), so the event source mapping (ReportBatchItemFailures, bisect, bounded retries,
   on-failure destination) retries from the first failed record.
"""

from __future__ import annotations

from typing import Any

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pipeline_shared.clients import TRACED_MODULES, client_config
from stream_config import StreamConfig
from stream_exceptions import MalformedStreamEventError
from stream_publisher import EventBridgePublisher
from stream_service import OrderStreamService, check_envelope

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics()

config = StreamConfig.from_env()
events_client = boto3.client("events", config=client_config())
service = OrderStreamService(EventBridgePublisher(events_client), config.event_source, config.event_bus_name)

# Not raising on an all-failed batch: the response always lists the failed sequence numbers, so the
# mapping resumes exactly at the first failure (bisecting there) instead of treating it as a crash.
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        records = check_envelope(event)
    except MalformedStreamEventError:
        metrics.add_metric(name="MalformedStreamEvents", unit=MetricUnit.Count, value=1)
        logger.exception("event is not a DynamoDB stream batch")
        raise
    if not records:  # Lambda never sends an empty batch; Powertools rejects one
        return {"batchItemFailures": []}
    outcome = service.process(records)

    metrics.add_metric(name="OrderEventsPublished", unit=MetricUnit.Count, value=outcome.published)
    if outcome.failed:
        metrics.add_metric(name="StreamRecordsFailed", unit=MetricUnit.Count, value=outcome.failed)
    logger.info(
        "stream batch processed",
        extra={
            "records": len(records),
            "published": outcome.published,
            "skipped": outcome.skipped,
            "failed": outcome.failed,
        },
    )

    def report(record: DynamoDBRecord) -> None:
        error = outcome.failures.get(record.dynamodb.sequence_number if record.dynamodb else "")
        if error is not None:
            raise error

    return dict(
        process_partial_response(event=event, record_handler=report, processor=processor, context=context)
    )
