"""LocalStack plugins for the serverless-pipeline integration suite: a process-based Lambda executor (no
Docker) and moto-backed DynamoDB / DynamoDB Streams providers (no DynamoDB Local / JDK download)."""
