"""DynamoDB adapter for notify: an idempotent, conditional 'mark notified' update."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from notify_errors import ImageNotFoundError, StorageError, TransientError
from pipeline_shared.aws_errors import error_code, http_status, is_transient_botocore_error
from pipeline_shared.clients import LazyClient, client_config

CLIENT_CONFIG = client_config()

_TRANSIENT = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionConflictException",
    }
)

# The item must exist (StoreMetadata ran) and must not be marked yet: a repeat changes nothing.
_NOT_YET_NOTIFIED = "attribute_exists(imageId) AND (attribute_not_exists(notified) OR notified <> :true)"


def _storage_error(e: ClientError, image_id: str) -> Exception:
    code = error_code(e)
    if code in _TRANSIENT or http_status(e) >= 500:
        return TransientError(f"DynamoDB error for {image_id}: {code}")
    return StorageError(f"DynamoDB error for {image_id}: {code}: {e}")


def _botocore_error(e: BotoCoreError, image_id: str) -> Exception:
    if is_transient_botocore_error(e):
        return TransientError(f"DynamoDB request for {image_id} failed: {e}")
    return StorageError(f"DynamoDB request for {image_id} refused before sending: {e}")


class MetadataStore:
    """The ``image-metadata`` table; the boto3 client is created on first use, once."""

    def __init__(self, table_name: str, client: Any | None = None) -> None:
        self._table = table_name
        self._client = LazyClient("dynamodb", CLIENT_CONFIG, client)

    @property
    def client(self) -> Any:
        return self._client.get()

    def mark_notified(self, image_id: str, notified_at: str, message_id: str) -> bool:
        """Set ``notified``/``notifiedAt`` once. True if this call set it, False if it was already set.

        Raises ImageNotFoundError when the item does not exist.
        """
        try:
            self.client.update_item(
                TableName=self._table,
                Key={"imageId": {"S": image_id}},
                UpdateExpression="SET notified = :true, notifiedAt = :at, notificationMessageId = :mid",
                ConditionExpression=_NOT_YET_NOTIFIED,
                ExpressionAttributeValues={
                    ":true": {"BOOL": True},
                    ":at": {"S": notified_at},
                    ":mid": {"S": message_id},
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise _storage_error(e, image_id) from e
            item = e.response.get("Item") or self._get(image_id)
            if not item:
                raise ImageNotFoundError(f"metadata item {image_id!r} does not exist in {self._table}") from e
            return False
        except BotoCoreError as e:
            raise _botocore_error(e, image_id) from e
        return True

    def _get(self, image_id: str) -> dict[str, Any] | None:
        try:
            response = self.client.get_item(
                TableName=self._table,
                Key={"imageId": {"S": image_id}},
                ConsistentRead=True,
                ProjectionExpression="imageId, notified",
            )
        except ClientError as e:
            raise _storage_error(e, image_id) from e
        except BotoCoreError as e:
            raise _botocore_error(e, image_id) from e
        item = response.get("Item")
        return item if isinstance(item, dict) else None
