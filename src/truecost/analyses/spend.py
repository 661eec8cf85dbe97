"""Spend report: totals and groups over the priced ledger."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import duckdb

from truecost.errors import InputError
from truecost.ledger.sql import first_row
from truecost.pricing.apply import TOO_COSTLY_NOTE

# Group dimensions a report can be broken down by, and the SQL behind each.
DIMENSIONS = {
    "day": "strftime(ts AT TIME ZONE 'UTC', '%Y-%m-%d')",
    "week": "strftime(date_trunc('week', ts AT TIME ZONE 'UTC'), '%G-W%V')",
    "month": "strftime(ts AT TIME ZONE 'UTC', '%Y-%m')",
    "provider": "provider",
    "model": "coalesce(nullif(model, ''), '(none)')",
    "feature": "coalesce(feature, '(none)')",
    "user": "coalesce(user_id, '(none)')",
    "environment": "coalesce(environment, '(none)')",
}
# Time dimensions are grouped on the UTC day number (days since 1970-01-01), which
# DuckDB computes about ten times faster than a formatted date, and formatted after
# aggregation. Weeks start on Monday; 1970-01-01 was a Thursday.
_DAY_NUMBER_SQL = "(epoch_us(ts) // 86400000000)"
_FAST_GROUP_SQL = {
    "day": _DAY_NUMBER_SQL,
    "week": f"({_DAY_NUMBER_SQL} - ({_DAY_NUMBER_SQL} + 3) % 7)",
    "month": _DAY_NUMBER_SQL,
}
_EPOCH = date(1970, 1, 1)


def _format_day_number(name: str, value: int) -> str:
    day = _EPOCH + timedelta(days=int(value))
    if name == "day":
        return day.isoformat()
    if name == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


TOKEN_KINDS = (
    "input_tokens",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Selection:
    """The records an analysis reads: a half-open time range and equality filters.

    A record matches one of the values given for a dimension, and every dimension named.
    """

    since: datetime | None = None
    until: datetime | None = None
    filters: tuple[tuple[str, str], ...] = ()

    def where_sql(self) -> tuple[str, list[object]]:
        """Return a WHERE clause and its parameters."""
        clauses = ["TRUE"]
        params: list[object] = []
        if self.since is not None:
            clauses.append("ts >= ?")
            params.append(self.since)
        if self.until is not None:
            clauses.append("ts < ?")
            params.append(self.until)
        values: dict[str, list[str]] = {}
        for dimension, value in self.filters:
            values.setdefault(dimension, []).append(value)
        for dimension, accepted in values.items():
            marks = ", ".join("?" for _ in accepted)
            clauses.append(f"{dimension_sql(dimension)} IN ({marks})")
            params.extend(accepted)
        return " AND ".join(clauses), params


def dimension_sql(name: str) -> str:
    """Return the SQL expression of a group dimension, or raise ``InputError`` naming the valid ones."""
    if name not in DIMENSIONS:
        raise InputError(f"unknown dimension '{name}'. Use one of: {', '.join(DIMENSIONS)}.")
    return DIMENSIONS[name]


@dataclass
class Group:
    """Spend of one group of records."""

    key: dict[str, str]
    requests: int
    tokens: dict[str, int]
    usd: Decimal | None
    unpriced_requests: int
    reported_usd: Decimal | None

    @property
    def usd_per_request(self) -> Decimal | None:
        """Return the mean cost of a priced request, or None when no request of the group is priced."""
        priced = self.requests - self.unpriced_requests
        return self.usd / priced if priced and self.usd is not None else None


# Why a record is unpriced: no price matched, or its cost is more than one record can store.
NO_PRICE_REASON = "no price known; add the model to a --prices file"
TOO_COSTLY_REASON = "cost of $1,000,000 or more in one record; check the token counts"


@dataclass
class Unpriced:
    """Unpriced calls of one model and reason: they are left out of every dollar figure."""

    provider: str
    model: str
    requests: int
    tokens: dict[str, int]
    reason: str = NO_PRICE_REASON


@dataclass
class MonthToDate:
    """Spend of the month containing ``as_of`` and a straight projection to its end."""

    month: str
    as_of: datetime
    usd: Decimal
    projected_usd: Decimal


@dataclass
class SpendReport:
    """The result of ``spend_report``."""

    by: list[str]
    requests: int
    total_usd: Decimal
    tokens: dict[str, int]
    groups: list[Group]
    unpriced: list[Unpriced]
    reported_usd: Decimal | None
    reported_priced_usd: Decimal | None
    reported_of_priced_usd: Decimal | None
    reported_calls: int
    cache_savings_usd: Decimal
    month_to_date: MonthToDate | None
    first_ts: datetime | None
    last_ts: datetime | None
    flagged_records: int
    notes: list[str] = field(default_factory=list)


def _sums_sql() -> str:
    tokens = ", ".join(f"sum({kind})::BIGINT AS {kind}" for kind in TOKEN_KINDS)
    return f"""
        count(*) AS requests, {tokens},
        coalesce(sum(cost_usd), 0) AS usd,
        count(*) FILTER (WHERE cost_usd IS NULL) AS unpriced_requests,
        sum(reported_cost_usd) AS reported_usd
    """


def spend_report(
    con: duckdb.DuckDBPyConnection,
    by: list[str],
    selection: Selection,
    as_of: datetime | None = None,
) -> SpendReport:
    """Compute totals, groups, unpriced models, caching savings and month to date."""
    where, params = selection.where_sql()
    total = first_row(
        con.execute(
            f"""SELECT {_sums_sql()},
                   coalesce(sum(uncached_cost_usd - cost_usd), 0) AS saved,
                   sum(cost_usd) FILTER (WHERE reported_cost_usd IS NOT NULL) AS reported_priced,
                   sum(reported_cost_usd) FILTER (WHERE cost_usd IS NOT NULL) AS reported_of_priced,
                   count(*) FILTER (WHERE reported_cost_usd IS NOT NULL AND cost_usd IS NOT NULL)
                       AS reported_calls,
                   min(ts), max(ts), count(*) FILTER (WHERE flags IS NOT NULL)
            FROM records WHERE {where}""",
            params,
        )
    )
    assert total is not None  # an aggregate without GROUP BY always returns a row
    requests = int(total[0])
    tokens = {kind: int(total[1 + i] or 0) for i, kind in enumerate(TOKEN_KINDS)}
    offset = 1 + len(TOKEN_KINDS)
    (
        usd,
        _unpriced,
        reported,
        saved,
        reported_priced,
        reported_of_priced,
        reported_calls,
        first_ts,
        last_ts,
        flagged,
    ) = total[offset:]
    return SpendReport(
        by=by,
        requests=requests,
        total_usd=Decimal(usd),
        tokens=tokens,
        groups=_groups(con, by, where, params) if by else [],
        unpriced=_unpriced_models(con, where, params),
        reported_usd=reported,
        reported_priced_usd=reported_priced,
        reported_of_priced_usd=reported_of_priced,
        reported_calls=int(reported_calls),
        cache_savings_usd=Decimal(saved),
        month_to_date=_month_to_date(con, selection, as_of or last_ts) if requests else None,
        first_ts=first_ts,
        last_ts=last_ts,
        flagged_records=int(flagged),
    )


def _groups(
    con: duckdb.DuckDBPyConnection, by: list[str], where: str, params: list[object]
) -> list[Group]:
    keys = ", ".join(
        f"{_FAST_GROUP_SQL.get(name) or dimension_sql(name)} AS g{i}" for i, name in enumerate(by)
    )
    positions = ", ".join(str(i + 1) for i in range(len(by)))
    rows = con.execute(
        f"SELECT {keys}, {_sums_sql()} FROM records WHERE {where} GROUP BY {positions}",
        params,
    ).fetchall()
    merged: dict[tuple[str, ...], Group] = {}
    width = len(by)
    for row in rows:
        key = tuple(
            _format_day_number(name, row[i]) if name in _FAST_GROUP_SQL else str(row[i])
            for i, name in enumerate(by)
        )
        counts = row[width + 1 : width + 1 + len(TOKEN_KINDS)]
        usd, unpriced, reported = row[width + 1 + len(TOKEN_KINDS) :]
        group = Group(
            key=dict(zip(by, key, strict=True)),
            requests=int(row[width]),
            tokens={kind: int(c or 0) for kind, c in zip(TOKEN_KINDS, counts, strict=True)},
            usd=Decimal(usd),
            unpriced_requests=int(unpriced),
            reported_usd=reported,
        )
        if key in merged:
            group = _merge_groups(merged[key], group)
        merged[key] = group
    groups = list(merged.values())
    for group in groups:
        if group.unpriced_requests == group.requests:
            group.usd = None
    if by[0] in _FAST_GROUP_SQL:
        # Grouped by time first: read in time order, as a table of days or months.
        groups.sort(key=lambda g: tuple(g.key.values()))
    else:
        groups.sort(key=lambda g: (-(g.usd or ZERO), tuple(g.key.values())))
    return groups


def _merge_groups(a: Group, b: Group) -> Group:
    """Add up two groups that share a key once formatted (days of the same month)."""
    reported = None
    if a.reported_usd is not None or b.reported_usd is not None:
        reported = (a.reported_usd or ZERO) + (b.reported_usd or ZERO)
    return Group(
        key=a.key,
        requests=a.requests + b.requests,
        tokens={kind: a.tokens[kind] + b.tokens[kind] for kind in TOKEN_KINDS},
        usd=(a.usd or ZERO) + (b.usd or ZERO),
        unpriced_requests=a.unpriced_requests + b.unpriced_requests,
        reported_usd=reported,
    )


def _unpriced_models(
    con: duckdb.DuckDBPyConnection, where: str, params: list[object]
) -> list[Unpriced]:
    token_sums = ", ".join(f"sum({kind})::BIGINT" for kind in TOKEN_KINDS)
    rows = con.execute(
        f"""
        SELECT provider, coalesce(nullif(model, ''), '(none)'),
               coalesce(price_note = ?, false) AS too_costly, count(*), {token_sums}
        FROM records
        WHERE {where} AND cost_usd IS NULL
        GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1, 2, 3
        """,
        [TOO_COSTLY_NOTE, *params],
    ).fetchall()
    return [
        Unpriced(
            provider=row[0],
            model=row[1],
            requests=int(row[3]),
            tokens={kind: int(v or 0) for kind, v in zip(TOKEN_KINDS, row[4:], strict=True)},
            reason=TOO_COSTLY_REASON if row[2] else NO_PRICE_REASON,
        )
        for row in rows
    ]


def _month_to_date(
    con: duckdb.DuckDBPyConnection, selection: Selection, as_of: datetime | None
) -> MonthToDate | None:
    if as_of is None:
        return None
    as_of = as_of.astimezone(UTC)
    month_start = datetime(as_of.year, as_of.month, 1, tzinfo=UTC)
    days_in_month = calendar.monthrange(as_of.year, as_of.month)[1]
    month_end = month_start + timedelta(days=days_in_month)
    scoped = Selection(
        since=month_start, until=as_of + timedelta(microseconds=1), filters=selection.filters
    )
    where, params = scoped.where_sql()
    row = first_row(
        con.execute(f"SELECT coalesce(sum(cost_usd), 0) FROM records WHERE {where}", params)
    )
    usd = Decimal(row[0]) if row else ZERO
    elapsed = Decimal((as_of - month_start).total_seconds())
    total = Decimal((month_end - month_start).total_seconds())
    projected = usd * total / elapsed if elapsed > 0 else usd
    return MonthToDate(
        month=month_start.strftime("%Y-%m"), as_of=as_of, usd=usd, projected_usd=projected
    )


def parse_day(value: str, option: str) -> datetime:
    """Parse ``YYYY-MM-DD`` (or a full ISO timestamp) as a UTC time, naming the option on error."""
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"invalid {option} '{value}': use a date like 2026-11-01 or an ISO 8601 time."
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
