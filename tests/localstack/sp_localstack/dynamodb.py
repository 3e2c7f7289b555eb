"""DynamoDB and DynamoDB Streams backed by moto.

LocalStack's own DynamoDB provider forwards to DynamoDB Local, which it downloads (with a JDK) at first
use: impossible offline. The generated API classes raise ``NotImplementedError`` for every operation,
so wrapped in ``MotoFallbackDispatcher`` every call is served by moto's backends (tables, GSIs, TTL,
PITR flags, transactions, PartiQL, and streams shared between the two services).
"""

from __future__ import annotations

from localstack.aws.api.dynamodb import DynamodbApi
from localstack.aws.api.dynamodbstreams import DynamodbstreamsApi


class MotoDynamoDBProvider(DynamodbApi):
    """Every DynamoDB operation falls through to moto."""


class MotoDynamoDBStreamsProvider(DynamodbstreamsApi):
    """Every DynamoDB Streams operation falls through to moto."""
