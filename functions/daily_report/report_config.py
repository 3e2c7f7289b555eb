"""Configuration of daily_report, read and validated once per execution environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from report_exceptions import ConfigurationError


@dataclass(frozen=True)
class ReportConfig:
    orders_table: str
    orders_date_index: str
    reports_bucket: str

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ReportConfig:
        env = os.environ if env is None else env
        required = ("ORDERS_TABLE", "ORDERS_DATE_INDEX", "REPORTS_BUCKET")
        missing = [name for name in required if not env.get(name, "").strip()]
        if missing:
            raise ConfigurationError(f"missing required environment variable(s): {', '.join(missing)}")
        return cls(
            orders_table=env["ORDERS_TABLE"].strip(),
            orders_date_index=env["ORDERS_DATE_INDEX"].strip(),
            reports_bucket=env["REPORTS_BUCKET"].strip(),
        )
