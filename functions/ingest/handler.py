"""Lambda ``ingest``: SQS batch of S3 notifications -> one ``image-pipeline`` execution per object.

Partial batch responses: a record whose body is malformed, or whose StartExecution failed, is
reported in ``batchItemFailures``; SQS retries it and after ``maxReceiveCount`` moves it to the DLQ.
S3 ``s3:TestEvent`` messages and non-``ObjectCreated`` records are acknowledged and skipped.

The whole batch is processed first (StartExecution calls on a pool of ``INGEST_MAX_PARALLEL``
threads, see ``IngestService.process_batch``); Powertools' ``BatchProcessor`` then only walks the
records in the main thread to log, count and shape the response, so ``batchItemFailures`` keeps the
exact Powertools format and no logger/metrics state is touched from worker threads.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from ingest_config import IngestConfig
from ingest_errors import MalformedEventError, MalformedRecordError
from ingest_service import BodyResult, IngestService
from ingest_sfn import StepFunctionsStarter
from pipeline_shared.clients import TRACED_MODULES

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics()

config = IngestConfig.from_env()
service = IngestService(
    StepFunctionsStarter(config.state_machine_arn, max_connections=config.max_parallel),
    max_parallel=config.max_parallel,
)
# All-failed batches are reported item by item like any other (no exception): same retry semantics,
# one consistent response shape.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@tracer.capture_method
def report_record(record: SQSRecord, result: BodyResult) -> None:
    """Log and count one record's outcome; raise its error so BatchProcessor marks it failed."""
    if isinstance(result.error, MalformedRecordError):
        metrics.add_metric(name="MalformedRecords", unit=MetricUnit.Count, value=1)
        logger.error(
            "malformed record; failing it so it lands in the DLQ",
            message_id=record.message_id,
            error=str(result.error),
        )
        raise result.error
    if result.error is not None:
        metrics.add_metric(name="StartExecutionFailures", unit=MetricUnit.Count, value=1)
        logger.error(
            "could not start executions for record", message_id=record.message_id, exc_info=result.error
        )
        raise result.error
    if result.test_event or result.skipped:
        metrics.add_metric(name="SkippedRecords", unit=MetricUnit.Count, value=max(1, len(result.skipped)))
        logger.info(
            "acknowledged without starting an execution",
            message_id=record.message_id,
            test_event=result.test_event,
            events=result.skipped,
        )
    if result.started:
        metrics.add_metric(name="ExecutionsStarted", unit=MetricUnit.Count, value=len(result.started))
    if result.duplicates:
        metrics.add_metric(name="DuplicateEvents", unit=MetricUnit.Count, value=len(result.duplicates))
        logger.info("duplicate delivery, execution already exists", executions=result.duplicates)
    # SQS's own timestamps (epoch ms): queue age and receive count per record, for latency breakdowns.
    attributes = record.raw_event.get("attributes")
    attributes = attributes if isinstance(attributes, dict) else {}
    logger.info(
        "record processed",
        message_id=record.message_id,
        started=result.started,
        sqs_sent_timestamp=attributes.get("SentTimestamp"),
        sqs_first_receive_timestamp=attributes.get("ApproximateFirstReceiveTimestamp"),
        sqs_receive_count=attributes.get("ApproximateReceiveCount"),
    )


def _bodies(event: Any) -> dict[str, Any]:
    """SQS message id -> body. Raises MalformedEventError for an event that is not an SQS batch.

    Only the envelope is checked here: a record without a string ``messageId`` cannot be reported
    on its own, so it fails the invocation (SQS redelivers the batch; Lambda never sends one).
    Everything inside a body is checked per record by ``parse_body``.
    """
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list) or not records:
        raise MalformedEventError("event is not an SQS batch (no non-empty 'Records' list)")
    bodies: dict[str, Any] = {}
    for index, record in enumerate(records):
        message_id = record.get("messageId") if isinstance(record, dict) else None
        if not isinstance(message_id, str) or not message_id:
            raise MalformedEventError(f"Records[{index}] has no messageId")
        bodies[message_id] = record.get("body")
    return bodies


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    try:
        bodies = _bodies(event)
    except MalformedEventError:
        metrics.add_metric(name="MalformedEvents", unit=MetricUnit.Count, value=1)
        logger.exception("event is not an SQS batch")
        raise
    results = service.process_batch(bodies)

    def record_handler(record: SQSRecord) -> None:
        report_record(record, results[record.message_id])

    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
