"""DynamoDB adapter: every order of one day through the date GSI, following LastEvaluatedKey."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import BotoCoreError, ClientError
from report_exceptions import ReportQueryError

_deserializer = TypeDeserializer()


class OrdersByDateRepository:
    def __init__(
        self, client: Any, table_name: str, index_name: str, *, page_size: int | None = None
    ) -> None:
        self._client = client
        self._table = table_name
        self._index = index_name
        self._page_size = page_size  # None: DynamoDB's 1 MB pages

    def orders_on(self, order_date: str) -> Iterator[dict[str, Any]]:
        """Yield the day's orders in createdAt order (the GSI range key), page after page."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": self._index,
            "KeyConditionExpression": "orderDate = :d",
            "ExpressionAttributeValues": {":d": {"S": order_date}},
        }
        if self._page_size:
            kwargs["Limit"] = self._page_size
        while True:
            try:
                page = self._client.query(**kwargs)
            except (ClientError, BotoCoreError) as e:
                raise ReportQueryError(
                    f"could not query {self._table}/{self._index} for {order_date}: {e}"
                ) from e
            for item in page.get("Items", []):
                yield {k: _deserializer.deserialize(v) for k, v in item.items()}
            last_key = page.get("LastEvaluatedKey")
            if not last_key:
                return
            kwargs["ExclusiveStartKey"] = last_key
