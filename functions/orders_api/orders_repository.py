"""DynamoDB adapter for the orders table (low-level client, so it can be shared with idempotency)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from orders_exceptions import (
    ConcurrentModificationError,
    InvalidNextTokenError,
    OrderNotFoundError,
    RepositoryError,
)

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

AttributeMap = dict[str, Any]


def _to_item(data: Mapping[str, Any]) -> AttributeMap:
    return {k: _serializer.serialize(v) for k, v in data.items()}


def _from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class OrdersRepository:
    def __init__(self, client: Any, table_name: str, date_index: str) -> None:
        self._client = client
        self._table = table_name
        self._date_index = date_index

    def create(self, order: Mapping[str, Any]) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=_to_item(order),
                ConditionExpression="attribute_not_exists(orderId)",
            )
        except ClientError as e:
            raise RepositoryError(f"could not store order {order.get('orderId')}: {_error_code(e)}") from e

    def get(self, order_id: str) -> dict[str, Any] | None:
        try:
            response = self._client.get_item(
                TableName=self._table, Key={"orderId": {"S": order_id}}, ConsistentRead=True
            )
        except ClientError as e:
            raise RepositoryError(f"could not read order {order_id}: {_error_code(e)}") from e
        item = response.get("Item")
        return _from_item(item) if item else None

    def scan_page(
        self, limit: int, start_key: AttributeMap | None
    ) -> tuple[list[dict[str, Any]], AttributeMap | None]:
        kwargs: dict[str, Any] = {"TableName": self._table, "Limit": limit}
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        return self._page("scan", kwargs)

    def query_date_page(
        self, order_date: str, limit: int, start_key: AttributeMap | None
    ) -> tuple[list[dict[str, Any]], AttributeMap | None]:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": self._date_index,
            "KeyConditionExpression": "orderDate = :d",
            "ExpressionAttributeValues": {":d": {"S": order_date}},
            "Limit": limit,
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        return self._page("query", kwargs)

    def _page(
        self, operation: str, kwargs: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], AttributeMap | None]:
        try:
            response = getattr(self._client, operation)(**kwargs)
        except ClientError as e:
            if "ExclusiveStartKey" in kwargs and _error_code(e) == "ValidationException":
                raise InvalidNextTokenError("'nextToken' is not valid for this query") from e
            raise RepositoryError(f"could not list orders ({operation}): {_error_code(e)}") from e
        items = [_from_item(i) for i in response.get("Items", [])]
        return items, response.get("LastEvaluatedKey")

    def update_status(self, order_id: str, expected: str, new: str, updated_at: str) -> dict[str, Any]:
        """Set a new status only if the stored one is still `expected` (optimistic concurrency)."""
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key={"orderId": {"S": order_id}},
                UpdateExpression="SET #status = :new, updatedAt = :now",
                ConditionExpression="attribute_exists(orderId) AND #status = :expected",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":new": {"S": new},
                    ":expected": {"S": expected},
                    ":now": {"S": updated_at},
                },
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as e:
            if _error_code(e) == "ConditionalCheckFailedException":
                current = e.response.get("Item")
                if not current:
                    raise OrderNotFoundError(f"order {order_id} not found") from e
                status = _from_item(current).get("status")
                raise ConcurrentModificationError(
                    f"order {order_id} changed concurrently (status is now {status}); retry the request"
                ) from e
            raise RepositoryError(f"could not update order {order_id}: {_error_code(e)}") from e
        return _from_item(response["Attributes"])
