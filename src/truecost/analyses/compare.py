"""Spend of one period against the period before it, per feature and model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import duckdb

from truecost.analyses.periods import Period, parse_period
from truecost.analyses.spend import Selection, dimension_sql
from truecost.ledger.sql import first_row

DEFAULT_COMPARE_BY = ("feature", "model")


@dataclass(frozen=True)
class Window:
    """A half-open UTC time range ``[since, until)`` with the name of its period."""

    label: str
    since: datetime
    until: datetime


@dataclass(frozen=True)
class ChangeRow:
    """Spend of one group in both windows; ``change_pct`` is None when the previous spend was zero."""

    key: dict[str, str]
    current_usd: Decimal
    previous_usd: Decimal

    @property
    def change_usd(self) -> Decimal:
        """Return the current spend minus the previous one."""
        return self.current_usd - self.previous_usd

    @property
    def change_pct(self) -> Decimal | None:
        """Return the change as a percentage of the previous spend."""
        if self.previous_usd == 0:
            return None
        return self.change_usd / self.previous_usd * 100


@dataclass(frozen=True)
class Comparison:
    """The result of ``compare``: totals and rows sorted by the size of their change."""

    by: list[str]
    current: Window
    previous: Window
    like_for_like: bool
    total: ChangeRow
    rows: list[ChangeRow]
    unpriced_requests: int

    def top_driver(self) -> ChangeRow | None:
        """Return the group whose spend rose most, or None when nothing rose."""
        rising = [row for row in self.rows if row.change_usd > 0]
        return max(rising, key=lambda row: row.change_usd) if rising else None


def windows_for(period: Period, is_current: bool, as_of: datetime) -> tuple[Window, Window, bool]:
    """Return the current and previous windows, and whether they were cut to the same length.

    A period still in progress at ``as_of`` is compared up to ``as_of`` with the
    same elapsed time of the previous period (at most all of it), so that a
    half month is not set against a whole one.
    """
    previous = period.previous()
    if is_current and period.start < as_of < period.end:
        elapsed = as_of - period.start
        cut = min(previous.start + elapsed, previous.end)
        return (
            Window(period.key, period.start, as_of),
            Window(previous.key, previous.start, cut),
            True,
        )
    return (
        Window(period.key, period.start, period.end),
        Window(previous.key, previous.start, previous.end),
        False,
    )


def compare(
    con: duckdb.DuckDBPyConnection,
    period_text: str,
    as_of: datetime | None,
    by: list[str],
    selection: Selection,
) -> Comparison:
    """Compare the period named by ``period_text`` with the one before it, grouped by ``by``.

    ``as_of`` (default: just after the latest record) places ``day``, ``week``
    and ``month``; ``selection`` contributes its filters, not its time range.
    """
    when = as_of or _after_latest_record(con)
    period, is_current = parse_period(period_text, when)
    current, previous, like_for_like = windows_for(period, is_current, when)
    return compare_windows(con, current, previous, by, selection, like_for_like)


def _after_latest_record(con: duckdb.DuckDBPyConnection) -> datetime:
    row = first_row(con.execute("SELECT max(ts) FROM records"))
    if row is None or row[0] is None:
        return datetime.now(UTC)
    latest: datetime = row[0]
    return latest.astimezone(UTC) + timedelta(microseconds=1)


def compare_windows(
    con: duckdb.DuckDBPyConnection,
    current: Window,
    previous: Window,
    by: list[str],
    selection: Selection,
    like_for_like: bool = False,
) -> Comparison:
    """Sum priced spend of each group in both windows; ``selection`` contributes its filters."""
    scoped = Selection(since=previous.since, until=current.until, filters=selection.filters)
    where, params = scoped.where_sql()
    keys = ", ".join(f"{dimension_sql(name)} AS g{i}" for i, name in enumerate(by)) or "'all' AS g0"
    positions = ", ".join(str(i + 1) for i in range(max(len(by), 1)))
    sums = (
        "coalesce(sum(cost_usd) FILTER (WHERE ts >= ? AND ts < ?), 0), "
        "coalesce(sum(cost_usd) FILTER (WHERE ts >= ? AND ts < ?), 0), "
        "count(*) FILTER (WHERE cost_usd IS NULL AND ((ts >= ? AND ts < ?) OR (ts >= ? AND ts < ?)))"
    )
    bounds = [current.since, current.until, previous.since, previous.until]
    rows = con.execute(
        f"SELECT {keys}, {sums} FROM records WHERE {where} GROUP BY {positions}",
        [*bounds, *bounds, *params],
    ).fetchall()
    width = max(len(by), 1)
    changes = [
        ChangeRow(
            key={name: str(row[i]) for i, name in enumerate(by)},
            current_usd=Decimal(row[width]),
            previous_usd=Decimal(row[width + 1]),
        )
        for row in rows
    ]
    changes = [c for c in changes if c.current_usd or c.previous_usd]
    changes.sort(key=lambda c: (-abs(c.change_usd), sorted(c.key.items())))
    total = ChangeRow(
        key={},
        current_usd=sum((c.current_usd for c in changes), Decimal(0)),
        previous_usd=sum((c.previous_usd for c in changes), Decimal(0)),
    )
    unpriced = sum(int(row[width + 2]) for row in rows)
    return Comparison(by, current, previous, like_for_like, total, changes, unpriced)
