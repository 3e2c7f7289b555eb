"""Lambda ``validate_input`` (Step Functions task ``ValidateInput``).

Input: the execution state ``{"bucket", "key", ...}``. Output (``ResultPath: $.image``):
``{"format", "width", "height", "size", "contentType", "mode"}``; width/height are the display
dimensions (EXIF orientation applied). Bad input raises ``ValidationError`` (errorType matched by
the state machine's Catch); S3 throttling/5xx raise ``TransientError``.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext
from PIL import Image
from pipeline_shared.clients import TRACED_MODULES
from pipeline_shared.events import object_location
from validate_input_config import ValidateInputConfig
from validate_input_errors import StorageError, TransientError, ValidationError
from validate_input_s3 import S3ObjectReader
from validate_input_service import ValidateInputService

logger = Logger()
tracer = Tracer(patch_modules=TRACED_MODULES)
metrics = Metrics()

config = ValidateInputConfig.from_env()
# Pillow's own guard (warning above the limit, DecompressionBombError above twice the limit) agrees
# with ours.
Image.MAX_IMAGE_PIXELS = config.max_image_pixels
service = ValidateInputService(
    S3ObjectReader(), config.max_image_bytes, config.max_image_pixels, config.image_suffixes
)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        bucket, key = object_location(event, error=ValidationError)
        logger.append_keys(bucket=bucket, key=key)
        info = service.validate(bucket, key)
    except ValidationError as e:
        metrics.add_dimension(name="reason", value=e.reason)
        metrics.add_metric(name="ImagesRejected", unit=MetricUnit.Count, value=1)
        logger.warning("image rejected", reason=e.reason, error=str(e))
        raise
    except (TransientError, StorageError) as e:
        metrics.add_metric(name=f"{type(e).__name__}s", unit=MetricUnit.Count, value=1)
        logger.exception("S3 request failed")
        raise
    metrics.add_metric(name="ImagesAccepted", unit=MetricUnit.Count, value=1)
    logger.info("image accepted", image=info.as_dict())
    return info.as_dict()
