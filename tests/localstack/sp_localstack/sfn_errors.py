"""Step Functions fidelity: the error name of a failed Lambda task invoked by its function ARN.

AWS names a Lambda service error of such a task ``Lambda.<ErrorCode>`` (``Lambda.TooManyRequestsException``,
``Lambda.ServiceException``, ...), which is what a state machine's Retry matches. LocalStack 2026.3 names
every one of them ``Exception``, so a throttled invocation fell straight through to the Catch. Installed
by ``plugins.install_sfn_errors``.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError


def install() -> None:
    from localstack.aws.api.stepfunctions import HistoryEventType, LambdaFunctionFailedEventDetails
    from localstack.services.stepfunctions.asl.component.common.error_name.custom_error_name import (
        CustomErrorName,
    )
    from localstack.services.stepfunctions.asl.component.common.error_name.failure_event import FailureEvent
    from localstack.services.stepfunctions.asl.component.state.state_execution.state_task import (
        state_task_lambda,
    )
    from localstack.services.stepfunctions.asl.eval.event.event_detail import EventDetails
    from localstack.utils.patch import patch

    @patch(state_task_lambda.StateTaskLambda._from_error)
    def _from_error(fn: Any, self: Any, env: Any, ex: Exception) -> Any:
        if not isinstance(ex, ClientError):
            return fn(self, env, ex)
        error = f"Lambda.{ex.response['Error']['Code']}"
        cause = ex.response["Error"].get("Message", "")
        return FailureEvent(
            env=env,
            error_name=CustomErrorName(error),
            event_type=HistoryEventType.LambdaFunctionFailed,
            event_details=EventDetails(
                lambdaFunctionFailedEventDetails=LambdaFunctionFailedEventDetails(error=error, cause=cause)
            ),
        )
