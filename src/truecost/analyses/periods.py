"""Calendar periods in UTC: the day, ISO week or month that contains a time."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from truecost.errors import InputError

PERIOD_KINDS = ("day", "week", "month")
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A half-open UTC interval ``[start, end)`` that is one calendar day, ISO week or month."""

    kind: str
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        """Return the period's name: ``2026-03-15``, ``2026-W11`` or ``2026-03``."""
        if self.kind == "day":
            return self.start.strftime("%Y-%m-%d")
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return self.start.strftime("%Y-%m")

    @property
    def days(self) -> int:
        """Return the number of calendar days in the period."""
        return (self.end - self.start).days

    def previous(self) -> Period:
        """Return the period of the same kind just before this one."""
        return period_containing(self.kind, self.start - ONE_DAY)


def midnight(day: date) -> datetime:
    """Return the UTC start of ``day``."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def period_containing(kind: str, when: datetime) -> Period:
    """Return the day, week (Monday to Sunday) or month that contains ``when``."""
    day = when.astimezone(UTC).date()
    if kind == "day":
        start = midnight(day)
        return Period(kind, start, start + ONE_DAY)
    if kind == "week":
        start = midnight(day - timedelta(days=day.weekday()))
        return Period(kind, start, start + 7 * ONE_DAY)
    if kind == "month":
        start = midnight(day.replace(day=1))
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        return Period(kind, start, start + days_in_month * ONE_DAY)
    raise InputError(f"unknown period '{kind}'. Use one of: {', '.join(PERIOD_KINDS)}.")


def parse_period(value: str, as_of: datetime) -> tuple[Period, bool]:
    """Parse ``day``, ``week``, ``month`` or a named period (``2026-03``, ``2026-W11``, ``2026-03-15``).

    Returns the period and whether it is the current one, that is, the period
    containing ``as_of`` named by its kind rather than by its date.
    """
    text = value.strip()
    if text in PERIOD_KINDS:
        return period_containing(text, as_of), True
    try:
        if len(text) == 7 and text[4] == "-":
            return period_containing("month", midnight(date.fromisoformat(text + "-01"))), False
        if len(text) == 8 and text[4:6].upper() == "-W":
            monday = date.fromisocalendar(int(text[:4]), int(text[6:]), 1)
            return period_containing("week", midnight(monday)), False
        if len(text) == 10:
            return period_containing("day", midnight(date.fromisoformat(text))), False
    except ValueError:
        pass
    raise InputError(
        f"invalid period '{value}': use day, week, month, or a period such as "
        "2026-03, 2026-W11 or 2026-03-15."
    )
