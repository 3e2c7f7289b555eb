"""Errors of daily_report. The handler lets them propagate: the schedule's invocation is async, so
Lambda retries and the failure reaches the function's on-failure destination / alarms."""

from __future__ import annotations


class DailyReportError(Exception):
    """Base class of every error this function raises on purpose."""


class ConfigurationError(DailyReportError):
    """The function's environment is missing or has an invalid setting (fails the cold start)."""


class InvalidReportRequestError(DailyReportError, ValueError):
    """The event asks for an impossible report (malformed or future date, bad `time`)."""


class ReportQueryError(DailyReportError):
    """Reading the orders through the date index failed (retryable)."""


class ReportStorageError(DailyReportError):
    """Writing a report object to S3 failed (retryable)."""
