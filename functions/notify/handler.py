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
from notify_errors import ImageNotFoundError, MalformedMessageError, StorageError, TransientError
from notify_service import Notification, NotifyService, parse_event
from notify_store import MetadataStore
from pipeline_shared.clients import TRACED_MODULES

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics()

config = NotifyConfig.from_env()
service = NotifyService(MetadataStore(config.metadata_table))
DECLARED_ERRORS = (MalformedMessageError, ImageNotFoundError, TransientError, StorageError)


def _record(item: Notification | MalformedMessageError) -> dict[str, Any]:
    """Handle one record; its outcome, or the declared error it failed with (raised by the caller)."""
    if isinstance(item, MalformedMessageError):
        metrics.add_metric(name="MalformedMessages", unit=MetricUnit.Count, value=1)
        logger.error("malformed image-processed message", error=str(item))
        raise item
    try:
        status = service.handle(item)
    except ImageNotFoundError:
        metrics.add_metric(name="MissingMetadata", unit=MetricUnit.Count, value=1)
        logger.exception("metadata item missing", image_id=item.image_id)
        raise
    metrics.add_metric(
        name="Notified" if status == "notified" else "DuplicateNotifications", unit=MetricUnit.Count, value=1
    )
    logger.info("notification recorded", image_id=item.image_id, status=status)
    return {"imageId": item.image_id, "status": status}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Every record is handled, whatever its neighbours do; then the first failure (if any) is raised
    so the async retry and the on-failure destination see it (repeating the good ones is a no-op)."""
    try:
        items = parse_event(event)
    except MalformedMessageError:
        metrics.add_metric(name="MalformedMessages", unit=MetricUnit.Count, value=1)
        logger.exception("malformed image-processed event")
        raise
    results: list[dict[str, Any]] = []
    failures: list[Exception] = []
    for item in items:
        try:
            results.append(_record(item))
        except DECLARED_ERRORS as e:
            failures.append(e)
    if failures:
        raise failures[0]
    return {"results": results}
