"""SQS event source mappings poll with concurrent batches, up to ``ScalingConfig.MaximumConcurrency``.

LocalStack runs one poller thread per mapping: receive a batch, invoke the function synchronously, delete,
receive the next. So a mapping never has more than one batch in flight, whatever its MaximumConcurrency,
and a burst drains one batch at a time. On AWS the SQS poller scales out (five concurrent batches at first,
then more while the queue is deep) and ``MaximumConcurrency`` caps the concurrent invocations of that
mapping. Here each SQS mapping gets ``MaximumConcurrency`` pollers (5 when unset, as AWS starts), each
with its own receive -> invoke -> delete loop on the shared poller; ``SP_ESM_MAX_POLLERS`` (default 10)
bounds it on a small machine. Stream mappings (DynamoDB, Kinesis) keep one poller per shard, as on AWS.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from localstack.config import (
    LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_EMPTY_POLL_SEC,
    LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_ERROR_SEC,
    LAMBDA_EVENT_SOURCE_MAPPING_POLL_INTERVAL_SEC,
)
from localstack.services.lambda_.event_source_mapping.esm_worker import EsmWorker
from localstack.services.lambda_.event_source_mapping.pollers.poller import EmptyPollResultsException
from localstack.services.lambda_.event_source_mapping.pollers.sqs_poller import SqsPoller
from localstack.utils.backoff import ExponentialBackoff
from localstack.utils.patch import patch
from localstack.utils.threads import FuncThread

LOG = logging.getLogger(__name__)
AWS_INITIAL_POLLERS = 5


def pollers_for(esm_config: dict[str, Any]) -> int:
    """How many concurrent batches an SQS mapping may have in flight."""
    cap = max(1, int(os.environ.get("SP_ESM_MAX_POLLERS", "10")))
    wanted = (esm_config.get("ScalingConfig") or {}).get("MaximumConcurrency") or AWS_INITIAL_POLLERS
    return max(1, min(int(wanted), cap))


def _extra_poller_loop(worker: Any, generation: int) -> None:
    """LocalStack's poller loop without the mapping state bookkeeping (the first poller thread does that).

    Ends when the mapping stops, and when it was stopped and started again (a new generation of pollers)."""
    error_backoff = ExponentialBackoff(
        initial_interval=2, max_interval=LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_ERROR_SEC
    )
    empty_backoff = ExponentialBackoff(
        initial_interval=1, max_interval=LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_EMPTY_POLL_SEC
    )
    while not worker._shutdown_event.is_set() and worker._sp_poller_generation == generation:
        interval = LAMBDA_EVENT_SOURCE_MAPPING_POLL_INTERVAL_SEC
        try:
            worker.poller.poll_events()
            error_backoff.reset()
            empty_backoff.reset()
        except EmptyPollResultsException:
            interval = empty_backoff.next_backoff()
        except Exception as e:  # noqa: BLE001 - as LocalStack's loop: log, back off, keep polling
            LOG.error("Error while polling %s: %s", worker.esm_config.get("EventSourceArn"), e)
            interval = error_backoff.next_backoff()
        finally:
            worker._shutdown_event.wait(interval)


def install() -> None:
    """Patch EsmWorker.start (once, at LocalStack start)."""

    @patch(EsmWorker.start)
    def start(fn: Any, self: Any) -> None:
        fn(self)
        if not isinstance(self.poller, SqsPoller):
            return
        generation = getattr(self, "_sp_poller_generation", 0) + 1
        self._sp_poller_generation = generation
        extra = pollers_for(self.esm_config) - 1
        for n in range(extra):
            FuncThread(
                lambda *_args, **_kwargs: _extra_poller_loop(self, generation),
                name=f"event-source-mapping-poller-{self.uuid}-{n + 2}",
            ).start()
        if extra:
            LOG.debug("%s: %d concurrent SQS pollers", self.esm_config.get("UUID"), extra + 1)
