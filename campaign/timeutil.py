"""Time helpers: the campaign lives in Asia/Shanghai; the database stores naive UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def now_utc() -> datetime:
    """The current moment as a naive UTC datetime (how the database stores times)."""
    return datetime.now(UTC).replace(tzinfo=None)


def today_local() -> date:
    """Today's date in Asia/Shanghai."""
    return datetime.now(TZ).date()


def local_to_utc(value: datetime) -> datetime:
    """A naive Asia/Shanghai wall-clock time as naive UTC."""
    return value.replace(tzinfo=TZ).astimezone(UTC).replace(tzinfo=None)


def utc_to_local(value: datetime) -> datetime:
    """A naive UTC time as a naive Asia/Shanghai wall-clock time."""
    return value.replace(tzinfo=UTC).astimezone(TZ).replace(tzinfo=None)


def local_day_end_utc(day: date) -> datetime:
    """The last moment of a local calendar day, as naive UTC: the cut-off of an as-of date."""
    return local_to_utc(datetime.combine(day + timedelta(days=1), time(0, 0))) - timedelta(
        microseconds=1
    )


def local_noon_utc(day: date) -> datetime:
    """12:00 Asia/Shanghai on a day, as naive UTC (the seed's deadlines fall at noon)."""
    return local_to_utc(datetime.combine(day, time(12, 0)))


def format_local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a naive UTC time for people in Asia/Shanghai; empty for None."""
    if value is None:
        return ""
    return utc_to_local(value).strftime(fmt)
