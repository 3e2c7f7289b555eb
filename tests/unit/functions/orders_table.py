"""The orders table as tables.tf declares it (key orderId, GSI byOrderDate), for moto-backed tests."""

from __future__ import annotations

from typing import Any

STREAM = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}


def create_orders_table(dynamodb: Any, name: str, *, stream: bool = False) -> Any:
    """Create it through a boto3 DynamoDB client or resource; returns what ``create_table`` returns."""
    extra = {"StreamSpecification": STREAM} if stream else {}
    return dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "orderId", "AttributeType": "S"},
            {"AttributeName": "orderDate", "AttributeType": "S"},
            {"AttributeName": "createdAt", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byOrderDate",
                "KeySchema": [
                    {"AttributeName": "orderDate", "KeyType": "HASH"},
                    {"AttributeName": "createdAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        **extra,
    )
