"""DynamoDB adapter: set / roll back the highValue flag of an order with conditional writes."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from high_value_exceptions import OrderAlreadyFlaggedError, OrderNotFoundError, RepositoryError


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class OrderFlagRepository:
    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def flag_high_value(self, order_id: str, flagged_at: str) -> None:
        """SET highValue = true only if the order exists and is not flagged yet (one winner per order)."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"orderId": {"S": order_id}},
                UpdateExpression="SET highValue = :true, flaggedAt = :at",
                ConditionExpression="attribute_exists(orderId) AND attribute_not_exists(highValue)",
                ExpressionAttributeValues={":true": {"BOOL": True}, ":at": {"S": flagged_at}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as e:
            if _error_code(e) == "ConditionalCheckFailedException":
                if e.response.get("Item"):
                    raise OrderAlreadyFlaggedError(f"order {order_id} is already flagged") from e
                raise OrderNotFoundError(f"order {order_id} does not exist in {self._table}") from e
            raise RepositoryError(f"could not flag order {order_id}: {_error_code(e)}") from e
        except BotoCoreError as e:
            raise RepositoryError(f"could not flag order {order_id}: {e}") from e

    def unflag(self, order_id: str, flagged_at: str) -> None:
        """Undo our own flag (only if it is still the one we set), so that a retry alerts again."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"orderId": {"S": order_id}},
                UpdateExpression="REMOVE highValue, flaggedAt",
                ConditionExpression="flaggedAt = :at",
                ExpressionAttributeValues={":at": {"S": flagged_at}},
            )
        except ClientError as e:
            if _error_code(e) == "ConditionalCheckFailedException":
                return  # someone else owns the flag now
            raise RepositoryError(
                f"could not roll back the flag of order {order_id}: {_error_code(e)}"
            ) from e
        except BotoCoreError as e:
            raise RepositoryError(f"could not roll back the flag of order {order_id}: {e}") from e
