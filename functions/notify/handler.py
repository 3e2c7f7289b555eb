"""Lambda ``notify``: subscriber of the ``image-processed`` SNS topic (async invoke).

Marks the ``image-metadata`` item ``notified = true`` with ``notifiedAt``, once: a repeated delivery
is a successful no-op. A missing item or a malformed message raises, so Lambda's async retries run
and the event finally lands in the on-failure destination.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from notify_config import NotifyConfig
from notify_errors import ImageNotFoundError, MalformedMessageError
from notify_service import NotifyService, parse_event
from notify_store import MetadataStore

logger = Logger()
tracer = Tracer()
metrics = Metrics()

config = NotifyConfig.from_env()
service = NotifyService(MetadataStore(config.metadata_table))


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        notifications = parse_event(event)
    except MalformedMessageError:
        metrics.add_metric(name="MalformedMessages", unit=MetricUnit.Count, value=1)
        logger.exception("malformed image-processed event")
        raise
    results = []
    for notification in notifications:
        try:
            status = service.handle(notification)
        except ImageNotFoundError:
            metrics.add_metric(name="MissingMetadata", unit=MetricUnit.Count, value=1)
            logger.exception("metadata item missing", image_id=notification.image_id)
            raise
        metrics.add_metric(
            name="Notified" if status == "notified" else "DuplicateNotifications",
            unit=MetricUnit.Count,
            value=1,
        )
        logger.info("notification recorded", image_id=notification.image_id, status=status)
        results.append({"imageId": notification.image_id, "status": status})
    return {"results": results}
