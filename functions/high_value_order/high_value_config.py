"""Configuration of high_value_order, read and validated once per execution environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from high_value_exceptions import ConfigurationError

_TOPIC_ARN_RE = re.compile(r"^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}$")


@dataclass(frozen=True)
class HighValueConfig:
    orders_table: str
    alerts_topic_arn: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> HighValueConfig:
        env = os.environ if env is None else env
        missing = [name for name in ("ORDERS_TABLE", "ALERTS_TOPIC_ARN") if not env.get(name, "").strip()]
        if missing:
            raise ConfigurationError(f"missing required environment variable(s): {', '.join(missing)}")
        topic_arn = env["ALERTS_TOPIC_ARN"].strip()
        if not _TOPIC_ARN_RE.match(topic_arn):
            raise ConfigurationError(f"ALERTS_TOPIC_ARN is not an SNS topic ARN: {topic_arn!r}")
        return cls(orders_table=env["ORDERS_TABLE"].strip(), alerts_topic_arn=topic_arn)
