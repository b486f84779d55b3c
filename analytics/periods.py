"""Periods of the dashboard and the reports: Almaty calendar days, both ends included.

A period of N days is compared with the N days right before it. Moments are compared with
half-open bounds [start of the first day, start of the day after the last) in the store's time
zone, so an order placed at 23:59 Almaty time counts on its own day whatever UTC says."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The earliest and latest dates a report accepts: wide enough for any real history, and far
# from the calendar's ends (date.max + 1 day would overflow).
FIRST_DATE = datetime.date(2000, 1, 1)
LAST_DATE = datetime.date(2199, 12, 31)

PRESETS = [
    ("today", _("Today")),
    ("7d", _("7 days")),
    ("30d", _("30 days")),
    ("month", _("This month")),
]
DEFAULT_PRESET = "30d"


@dataclass(frozen=True)
class Period:
    first: datetime.date  # included
    last: datetime.date   # included

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.first, datetime.time.min))

    @property
    def end(self) -> datetime.datetime:
        """The first moment after the period (exclusive bound)."""
        return timezone.make_aware(
            datetime.datetime.combine(self.last + datetime.timedelta(days=1), datetime.time.min))

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        last = self.first - datetime.timedelta(days=1)
        return Period(first=last - datetime.timedelta(days=self.days - 1), last=last)

    @property
    def granularity(self) -> str:
        """How a chart of this period groups its bars: days, weeks or months."""
        if self.days <= 62:
            return "day"
        if self.days <= 366:
            return "week"
        return "month"

    def query(self) -> str:
        return f"from={self.first.isoformat()}&to={self.last.isoformat()}"


def preset_period(name: str, today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    if name == "today":
        return Period(today, today)
    if name == "7d":
        return Period(today - datetime.timedelta(days=6), today)
    if name == "month":
        return Period(today.replace(day=1), today)
    return Period(today - datetime.timedelta(days=29), today)


def last_days(days: int, today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(today - datetime.timedelta(days=days - 1), today)
