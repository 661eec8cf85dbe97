"""Daily spend series read from the ledger, the input of forecasts and spike rules."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import duckdb

from truecost.analyses.spend import Selection, dimension_sql
from truecost.ledger.sql import first_row

DAY_SQL = "CAST(ts AT TIME ZONE 'UTC' AS DATE)"


def daily_spend(con: duckdb.DuckDBPyConnection, selection: Selection) -> dict[date, Decimal]:
    """Return priced spend per UTC day; days without a priced record are absent."""
    where, params = selection.where_sql()
    rows = con.execute(
        f"SELECT {DAY_SQL} AS day, sum(cost_usd) FROM records "
        f"WHERE {where} AND cost_usd IS NOT NULL GROUP BY 1",
        params,
    ).fetchall()
    return {row[0]: Decimal(row[1]) for row in rows}


def daily_spend_by(
    con: duckdb.DuckDBPyConnection, dimension: str, selection: Selection
) -> dict[str, dict[date, Decimal]]:
    """Return priced spend per UTC day for each value of ``dimension``."""
    where, params = selection.where_sql()
    rows = con.execute(
        f"SELECT {dimension_sql(dimension)} AS key, {DAY_SQL} AS day, sum(cost_usd) "
        f"FROM records WHERE {where} AND cost_usd IS NOT NULL GROUP BY 1, 2",
        params,
    ).fetchall()
    series: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for key, day, usd in rows:
        series[str(key)][day] = Decimal(usd)
    return dict(series)


def first_day(con: duckdb.DuckDBPyConnection, selection: Selection) -> date | None:
    """Return the UTC day of the earliest selected record, or None for an empty selection.

    Days from this one on count as zero-spend days when they have no record,
    because the ledger covers them; days before it are unknown.
    """
    where, params = selection.where_sql()
    row = first_row(con.execute(f"SELECT min({DAY_SQL}) FROM records WHERE {where}", params))
    return row[0] if row and row[0] is not None else None


def last_day(con: duckdb.DuckDBPyConnection, selection: Selection) -> date | None:
    """Return the UTC day of the latest selected record, or None for an empty selection."""
    where, params = selection.where_sql()
    row = first_row(con.execute(f"SELECT max({DAY_SQL}) FROM records WHERE {where}", params))
    return row[0] if row and row[0] is not None else None
