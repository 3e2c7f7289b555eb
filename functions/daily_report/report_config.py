"""Configuration of daily_report, read and validated once per execution environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from pipeline_shared.config import required_all
from report_exceptions import ConfigurationError


@dataclass(frozen=True)
class ReportConfig:
    orders_table: str
    orders_date_index: str
    reports_bucket: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ReportConfig:
        env = os.environ if env is None else env
        values = required_all(
            env, ("ORDERS_TABLE", "ORDERS_DATE_INDEX", "REPORTS_BUCKET"), error=ConfigurationError
        )
        return cls(
            orders_table=values["ORDERS_TABLE"],
            orders_date_index=values["ORDERS_DATE_INDEX"],
            reports_bucket=values["REPORTS_BUCKET"],
        )
