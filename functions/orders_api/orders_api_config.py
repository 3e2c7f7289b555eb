"""Configuration of the orders API, read and validated once per execution environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from orders_exceptions import ConfigurationError
from pipeline_shared.config import required_all

DEFAULT_UPLOAD_URL_EXPIRES = 900
MAX_UPLOAD_URL_EXPIRES = 7 * 24 * 3600  # SigV4 presigned URLs cannot outlive 7 days


@dataclass(frozen=True)
class OrdersApiConfig:
    orders_table: str
    idempotency_table: str
    uploads_bucket: str
    upload_url_expires: int = DEFAULT_UPLOAD_URL_EXPIRES
    orders_date_index: str = "byOrderDate"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OrdersApiConfig:
        env = os.environ if env is None else env
        values = required_all(
            env, ("ORDERS_TABLE", "IDEMPOTENCY_TABLE", "UPLOADS_BUCKET"), error=ConfigurationError
        )
        raw_expires = env.get("UPLOAD_URL_EXPIRES", "").strip() or str(DEFAULT_UPLOAD_URL_EXPIRES)
        try:
            expires = int(raw_expires)
        except ValueError as e:
            raise ConfigurationError(f"UPLOAD_URL_EXPIRES must be an integer, got {raw_expires!r}") from e
        if not 1 <= expires <= MAX_UPLOAD_URL_EXPIRES:
            raise ConfigurationError(
                f"UPLOAD_URL_EXPIRES must be between 1 and {MAX_UPLOAD_URL_EXPIRES} seconds, got {expires}"
            )
        return cls(
            orders_table=values["ORDERS_TABLE"],
            idempotency_table=values["IDEMPOTENCY_TABLE"],
            uploads_bucket=values["UPLOADS_BUCKET"],
            upload_url_expires=expires,
            orders_date_index=env.get("ORDERS_DATE_INDEX", "").strip() or "byOrderDate",
        )
