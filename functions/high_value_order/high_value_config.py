"""Configuration of high_value_order, read and validated once per execution environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from high_value_exceptions import ConfigurationError
from pipeline_shared.config import check_pattern, required_all

_TOPIC_ARN_RE = re.compile(r"^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}$")


@dataclass(frozen=True)
class HighValueConfig:
    orders_table: str
    alerts_topic_arn: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> HighValueConfig:
        env = os.environ if env is None else env
        values = required_all(env, ("ORDERS_TABLE", "ALERTS_TOPIC_ARN"), error=ConfigurationError)
        topic_arn = check_pattern(
            "ALERTS_TOPIC_ARN",
            values["ALERTS_TOPIC_ARN"],
            _TOPIC_ARN_RE,
            "an SNS topic ARN",
            error=ConfigurationError,
        )
        return cls(orders_table=values["ORDERS_TABLE"], alerts_topic_arn=topic_arn)
