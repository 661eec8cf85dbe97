"""Small helpers for DuckDB results."""

from __future__ import annotations

from typing import Any

import duckdb


def first_row(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    """Return the first row of an executed statement and finish the result.

    DuckDB 2 keeps a result open until every row is fetched, and rejects other
    work on the connection meanwhile, so ``fetchone`` alone is not enough.
    """
    rows = result.fetchall()
    return rows[0] if rows else None
