"""Daily orders report: which day, what it says, and its JSON and CSV renderings."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Protocol

from report_exceptions import InvalidReportRequestError

CENT = Decimal("0.01")
STATUSES = ("PENDING", "PAID", "SHIPPED", "DELIVERED", "CANCELLED")
# Cancelled orders are counted (orderCount, byStatus) but earn no revenue.
NON_REVENUE_STATUSES = frozenset({"CANCELLED"})
CSV_COLUMNS = (
    "orderId",
    "orderDate",
    "createdAt",
    "customerId",
    "status",
    "currency",
    "total",
    "itemCount",
    "highValue",
)
_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class OrdersSource(Protocol):
    def orders_on(self, order_date: str) -> Iterable[dict[str, Any]]: ...


class ReportSink(Protocol):
    def put(self, key: str, body: bytes, content_type: str) -> None: ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


def resolve_report_date(event: Any, now: datetime) -> date:
    """{"date": "YYYY-MM-DD"} -> that day; a scheduled event -> the day before its `time`; {} -> yesterday."""
    if event is None:
        event = {}
    if not isinstance(event, Mapping):
        raise InvalidReportRequestError("event must be a JSON object")
    today = now.astimezone(UTC).date()
    requested = event.get("date")
    if requested is not None:
        if not isinstance(requested, str) or not _DATE_RE.match(requested):
            raise InvalidReportRequestError(f"'date' must be a date in YYYY-MM-DD format, got {requested!r}")
        try:
            day = date.fromisoformat(requested)
        except ValueError as e:
            raise InvalidReportRequestError(f"'date' is not a valid calendar date: {requested!r}") from e
        if day > today:
            raise InvalidReportRequestError(f"'date' {requested} is in the future")
        return day
    scheduled_at = event.get("time")
    if scheduled_at is not None:  # EventBridge scheduled event: {"source": "aws.events", "time": ...}
        try:
            fired = datetime.fromisoformat(str(scheduled_at).replace("Z", "+00:00"))
        except ValueError as e:
            raise InvalidReportRequestError(f"'time' is not an ISO-8601 timestamp: {scheduled_at!r}") from e
        if fired.tzinfo is None:
            fired = fired.replace(tzinfo=UTC)
        return fired.astimezone(UTC).date() - timedelta(days=1)
    return today - timedelta(days=1)


def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value)) if value is not None else Decimal(0)
    except InvalidOperation:
        amount = Decimal(0)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP) if amount.is_finite() else Decimal(0)


def _csv_safe(value: Any) -> str:
    """Neutralise spreadsheet formulas in free-text cells (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@dataclass(frozen=True)
class DailyReport:
    date: str
    orders: list[dict[str, Any]]
    generated_at: str

    @property
    def order_count(self) -> int:
        return len(self.orders)

    @property
    def total_revenue(self) -> Decimal:
        revenue = sum(
            (_money(o.get("total")) for o in self.orders if o.get("status") not in NON_REVENUE_STATUSES),
            Decimal(0),
        )
        return revenue.quantize(CENT)

    def by_status(self) -> dict[str, int]:
        counts = Counter(str(o.get("status")) for o in self.orders)
        return {status: counts.get(status, 0) for status in STATUSES} | {
            k: v for k, v in sorted(counts.items()) if k not in STATUSES
        }

    def revenue_by_currency(self) -> dict[str, float]:
        sums: dict[str, Decimal] = {}
        for o in self.orders:
            if o.get("status") not in NON_REVENUE_STATUSES:
                currency = str(o.get("currency") or "EUR")
                sums[currency] = sums.get(currency, Decimal(0)) + _money(o.get("total"))
        return {k: float(v.quantize(CENT)) for k, v in sorted(sums.items())}

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "orderId": o.get("orderId"),
                "orderDate": o.get("orderDate"),
                "createdAt": o.get("createdAt"),
                "customerId": o.get("customerId"),
                "status": o.get("status"),
                "currency": o.get("currency"),
                "total": float(_money(o.get("total"))),
                "itemCount": sum(
                    int(i.get("quantity", 0)) for i in o.get("items") or [] if isinstance(i, dict)
                ),
                "highValue": bool(o.get("highValue", False)),
            }
            for o in self.orders
        ]

    def to_json(self) -> bytes:
        document = {
            "date": self.date,
            "generatedAt": self.generated_at,
            "orderCount": self.order_count,
            "totalRevenue": float(self.total_revenue),
            "revenueByCurrency": self.revenue_by_currency(),
            "byStatus": self.by_status(),
            "orders": self.rows(),
        }
        return json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")

    def to_csv(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in self.rows():
            row["total"] = f"{row['total']:.2f}"
            row["highValue"] = "true" if row["highValue"] else "false"
            writer.writerow({k: _csv_safe(v) for k, v in row.items()})
        return buffer.getvalue().encode("utf-8")


def report_keys(day: str) -> tuple[str, str]:
    return f"reports/{day}/orders.json", f"reports/{day}/orders.csv"


class DailyReportService:
    def __init__(self, source: OrdersSource, sink: ReportSink, *, clock: Callable[[], datetime] = _utcnow):
        self._source = source
        self._sink = sink
        self._clock = clock

    def run(self, event: Any) -> dict[str, Any]:
        now = self._clock()
        day = resolve_report_date(event, now).isoformat()
        report = DailyReport(
            date=day,
            orders=list(self._source.orders_on(day)),
            generated_at=now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        )
        json_key, csv_key = report_keys(day)
        self._sink.put(json_key, report.to_json(), "application/json")
        self._sink.put(csv_key, report.to_csv(), "text/csv; charset=utf-8")
        return {
            "date": day,
            "orderCount": report.order_count,
            "totalRevenue": float(report.total_revenue),
            "keys": [json_key, csv_key],
        }
