"""Daily orders report: which day, what it says, and its JSON and CSV renderings."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from typing import Any, Protocol

from pipeline_shared import boundary
from report_exceptions import InvalidReportRequestError

CENT = Decimal("0.01")
# Exact sums of many 38-digit amounts: never rounded (InvalidOperation instead of a silent loss).
MONEY = Context(prec=100, rounding=ROUND_HALF_UP)
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
EARLIEST_REPORT_DATE = date(2000, 1, 1)


class OrdersSource(Protocol):
    def orders_on(self, order_date: str) -> Iterable[dict[str, Any]]: ...


class ReportSink(Protocol):
    def put(self, key: str, body: bytes, content_type: str) -> None: ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


def resolve_report_date(event: Any, now: datetime) -> date:
    """{"date": "YYYY-MM-DD"} -> that day; a scheduled event -> the day before its `time`; {} -> yesterday.

    Dates before ``EARLIEST_REPORT_DATE`` or after today, and times outside the plausible window
    (``pipeline_shared.boundary.time_window``), are refused with InvalidReportRequestError.
    """
    if event is None:
        event = {}
    if not isinstance(event, Mapping):
        raise InvalidReportRequestError("event must be a JSON object")
    today = now.astimezone(UTC).date()
    requested = event.get("date")
    if requested is not None:
        if not isinstance(requested, str) or not _DATE_RE.match(requested):
            shown = requested[:40] if isinstance(requested, str) else type(requested).__name__
            raise InvalidReportRequestError(f"'date' must be a date in YYYY-MM-DD format, got {shown!r}")
        try:
            day = date.fromisoformat(requested)
        except ValueError as e:
            raise InvalidReportRequestError(f"'date' is not a valid calendar date: {requested!r}") from e
        if day > today:
            raise InvalidReportRequestError(f"'date' {requested} is in the future")
        if day < EARLIEST_REPORT_DATE:
            raise InvalidReportRequestError(f"'date' {requested} is before {EARLIEST_REPORT_DATE}")
        return day
    scheduled_at = event.get("time")
    if scheduled_at is not None:  # EventBridge scheduled event: {"source": "aws.events", "time": ...}
        try:
            fired = boundary.iso_timestamp(scheduled_at, "time", now=now)
        except boundary.InvalidInput as e:
            raise InvalidReportRequestError(str(e)) from e
        return fired.astimezone(UTC).date() - timedelta(days=1)
    return today - timedelta(days=1)


def _money(value: Any) -> Decimal:
    """A stored total as exact cents (DynamoDB numbers have up to 38 digits: beyond the default
    28-digit context, hence ``MONEY``); a missing or non-numeric total counts as 0."""
    with localcontext(MONEY):
        try:
            amount = Decimal(str(value)) if value is not None else Decimal(0)
            return amount.quantize(CENT, rounding=ROUND_HALF_UP) if amount.is_finite() else Decimal(0)
        except InvalidOperation:
            return Decimal(0)


def _item_count(items: Any) -> int:
    """Sum of the integral, finite quantities of an order's lines (others count as 0)."""
    if not isinstance(items, list):
        return 0
    total = 0
    for line in items:
        quantity = line.get("quantity") if isinstance(line, dict) else None
        if (
            isinstance(quantity, Decimal)
            and quantity.is_finite()
            and quantity == quantity.to_integral_value()
        ):
            total += int(quantity)
        elif isinstance(quantity, int) and not isinstance(quantity, bool):
            total += quantity
    return total


def exact_json(document: Any) -> str:
    """JSON with every Decimal written as its exact decimal text (a JSON number, never a float).

    ``json`` cannot emit a Decimal as a number, so each one goes out as a marker string carrying a
    per-call random nonce (no order field can forge it) and the markers are then unquoted.
    """
    nonce = uuid.uuid4().hex

    def default(value: Any) -> Any:
        if isinstance(value, Decimal):
            return f"{nonce}:{value:f}"
        raise TypeError(f"{type(value).__name__} is not JSON serializable")

    text = json.dumps(document, indent=2, ensure_ascii=False, default=default)
    return re.sub(f'"{nonce}:(-?[0-9]+(?:\\.[0-9]+)?)"', r"\1", text)


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
        with localcontext(MONEY):
            return sum(
                (_money(o.get("total")) for o in self.orders if o.get("status") not in NON_REVENUE_STATUSES),
                Decimal("0.00"),
            )

    def by_status(self) -> dict[str, int]:
        counts = Counter(str(o.get("status")) for o in self.orders)
        return {status: counts.get(status, 0) for status in STATUSES} | {
            k: v for k, v in sorted(counts.items()) if k not in STATUSES
        }

    def revenue_by_currency(self) -> dict[str, Decimal]:
        sums: dict[str, Decimal] = {}
        with localcontext(MONEY):
            for o in self.orders:
                if o.get("status") not in NON_REVENUE_STATUSES:
                    currency = str(o.get("currency") or "EUR")
                    sums[currency] = sums.get(currency, Decimal("0.00")) + _money(o.get("total"))
        return dict(sorted(sums.items()))

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "orderId": o.get("orderId"),
                "orderDate": o.get("orderDate"),
                "createdAt": o.get("createdAt"),
                "customerId": o.get("customerId"),
                "status": o.get("status"),
                "currency": o.get("currency"),
                "total": _money(o.get("total")),
                "itemCount": _item_count(o.get("items")),
                "highValue": bool(o.get("highValue", False)),
            }
            for o in self.orders
        ]

    def to_json(self) -> bytes:
        document = {
            "date": self.date,
            "generatedAt": self.generated_at,
            "orderCount": self.order_count,
            "totalRevenue": self.total_revenue,
            "revenueByCurrency": self.revenue_by_currency(),
            "byStatus": self.by_status(),
            "orders": self.rows(),
        }
        return exact_json(document).encode("utf-8")

    def to_csv(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in self.rows():
            row["total"] = f"{row['total']:f}"
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
            # A JSON number in the Lambda result (the runtime serialises it as a float); the report
            # objects carry the exact decimal text.
            "totalRevenue": float(report.total_revenue),
            "totalRevenueExact": str(report.total_revenue),
            "keys": [json_key, csv_key],
        }
