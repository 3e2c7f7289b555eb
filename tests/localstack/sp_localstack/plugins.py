"""Plugin entry points (see ../pyproject.toml). Kept import-light: LocalStack loads them at startup."""

from __future__ import annotations

from typing import Any

from localstack.runtime import hooks
from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin
from localstack.services.plugins import Service, aws_provider


class ProcessRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    """``LAMBDA_RUNTIME_EXECUTOR=process``: execution environments as local processes (no Docker)."""

    name = "process"

    def load(self, *args: Any, **kwargs: Any) -> type:
        from .executor import ProcessRuntimeExecutor

        return ProcessRuntimeExecutor


@aws_provider(api="dynamodb", name="moto")
def dynamodb_moto() -> Service:
    """``PROVIDER_OVERRIDE_DYNAMODB=moto``: DynamoDB served by moto (no DynamoDB Local / JDK download)."""
    from localstack.services.moto import MotoFallbackDispatcher

    from .dynamodb import MotoDynamoDBProvider

    return Service.for_provider(MotoDynamoDBProvider(), dispatch_table_factory=MotoFallbackDispatcher)


@aws_provider(api="dynamodbstreams", name="moto")
def dynamodbstreams_moto() -> Service:
    """``PROVIDER_OVERRIDE_DYNAMODBSTREAMS=moto``: DynamoDB Streams served by moto, fed by the moto tables."""
    from localstack.services.moto import MotoFallbackDispatcher

    from .dynamodb import MotoDynamoDBStreamsProvider

    return Service.for_provider(MotoDynamoDBStreamsProvider(), dispatch_table_factory=MotoFallbackDispatcher)


@hooks.on_infra_start()
def resolvable_function_urls() -> None:
    """Function URLs as ``http://<id>.lambda-url.<region>.localhost:<port>/`` (function_urls.py)."""
    from .function_urls import install

    install()


@hooks.on_infra_start()
def concurrent_sqs_pollers() -> None:
    """SQS mappings keep up to ScalingConfig.MaximumConcurrency batches in flight (esm_concurrency.py)."""
    from .esm_concurrency import install

    install()


@hooks.on_infra_start()
def iam_enforcement_start() -> None:
    """``IAM_ENFORCEMENT=enforce|report|off``: IAM for assumed-role callers and service deliveries."""
    from .iam_enforcement import install

    install()


@hooks.on_infra_shutdown()
def iam_enforcement_stop() -> None:
    """Write the final IAM report."""
    from .iam_report import RECORDER

    RECORDER.stop()


@hooks.on_infra_start()
def install_faults() -> None:
    """Fault injection (off until rules are set via ``SP_FAULTS`` or ``POST /_faults``): faults_gateway.py."""
    from .faults_gateway import install

    install()


@hooks.on_infra_start()
def install_sfn_errors() -> None:
    """Step Functions names Lambda service errors of function-ARN tasks as AWS does: sfn_errors.py."""
    from .sfn_errors import install

    install()


@hooks.on_infra_start()
def install_sfn_parse_cache() -> None:
    """Step Functions parses each JSONPath and definition once (sfn_parse_cache.py)."""
    from .sfn_parse_cache import install

    install()


@hooks.on_infra_start()
def install_environment_cap() -> None:
    """A cap on execution environments per function; more invocations wait (environment_cap.py)."""
    from .environment_cap import install

    install()
