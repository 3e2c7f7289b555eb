"""Lambda ``thumbnail`` (Step Functions task ``GenerateThumbnail``).

Input: the execution state (``bucket``, ``key``, ``etag``, ``image``, ...). Output
(``ResultPath: $.thumbnails``): ``{"bucket", "items": [{"key", "width", "height", "size",
"contentType"}]}``. Bad input raises ``ValidationError`` (not retried); S3 throttling, 5xx and
network errors raise ``TransientError`` (retried by the state machine).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from PIL import Image
from pipeline_shared.clients import TRACED_MODULES
from pipeline_shared.events import object_location
from thumbnail_config import ThumbnailConfig
from thumbnail_errors import StorageError, TransientError, ValidationError
from thumbnail_s3 import ThumbnailStore
from thumbnail_service import ThumbnailService

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics()

config = ThumbnailConfig.from_env()
Image.MAX_IMAGE_PIXELS = config.max_image_pixels
service = ThumbnailService(ThumbnailStore(), config)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        bucket, key = object_location(event, error=ValidationError)
        logger.append_keys(bucket=bucket, key=key)
        result = service.generate(bucket, key)
    except ValidationError as e:
        metrics.add_dimension(name="reason", value=e.reason)
        metrics.add_metric(name="ThumbnailsRejected", unit=MetricUnit.Count, value=1)
        logger.warning("source rejected", reason=e.reason, error=str(e))
        raise
    except TransientError:
        metrics.add_metric(name="TransientErrors", unit=MetricUnit.Count, value=1)
        logger.warning("transient failure, the state machine will retry", exc_info=True)
        raise
    except StorageError:
        metrics.add_metric(name="StorageErrors", unit=MetricUnit.Count, value=1)
        logger.exception("S3 refused the request")
        raise
    metrics.add_metric(name="ThumbnailsWritten", unit=MetricUnit.Count, value=len(result["items"]))
    logger.info("thumbnails written", thumbnails=result)
    return result
