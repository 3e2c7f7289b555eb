"""SNS adapter: publish the high-value alert {"orderId", "total"} with filterable message attributes."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from high_value_exceptions import AlertPublishError
from pipeline_shared.clients import LazyClient, client_config

CLIENT_CONFIG = client_config()


class AlertsPublisher:
    """``client=None``: the SNS client is created on the first alert (most orders are not high-value)."""

    def __init__(self, client: Any | None, topic_arn: str) -> None:
        self._client = LazyClient("sns", CLIENT_CONFIG, client)
        self._topic_arn = topic_arn

    def publish_high_value(self, order_id: str, total: int | float) -> str:
        try:
            response = self._client.get().publish(
                TopicArn=self._topic_arn,
                Subject=f"High-value order {order_id}"[:100],
                Message=json.dumps({"orderId": order_id, "total": total}, separators=(",", ":")),
                MessageAttributes={
                    "eventType": {"DataType": "String", "StringValue": "HighValueOrder"},
                    "orderId": {"DataType": "String", "StringValue": order_id},
                    "total": {"DataType": "Number", "StringValue": str(total)},
                },
            )
        except (ClientError, BotoCoreError) as e:
            raise AlertPublishError(f"could not publish the alert for order {order_id}: {e}") from e
        return str(response.get("MessageId", ""))
