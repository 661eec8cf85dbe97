"""Render rows as a terminal table, Markdown, CSV or JSON, with money kept exact."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

MICRO = Decimal("0.000001")
CENT = Decimal("0.01")


def micro_usd(value: Decimal) -> Decimal:
    """Round a dollar amount to the micro-dollar, half to even."""
    return value.quantize(MICRO, rounding=ROUND_HALF_EVEN)


def format_usd(value: Decimal | None, places: int = 2) -> str:
    """Format dollars for people: ``$1,234.56``; amounts under a cent keep micro-dollars."""
    if value is None:
        return "-"
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    if magnitude != 0 and magnitude < CENT:
        return f"{sign}${micro_usd(magnitude):,.6f}"
    return f"{sign}${magnitude.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN):,}"


def format_count(value: int | None) -> str:
    """Format a count with thousands separators."""
    return "-" if value is None else f"{value:,}"


@dataclass
class Table:
    """Column titles and rows of cells already formatted for people."""

    columns: list[str]
    rows: list[list[str]]
    title: str = ""
    align_right: frozenset[int] = frozenset()


def render_text(table: Table) -> str:
    """Render a table with aligned columns for a terminal."""
    widths = [len(c) for c in table.columns]
    for row in table.rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        parts = []
        for i, cell in enumerate(cells):
            parts.append(cell.rjust(widths[i]) if i in table.align_right else cell.ljust(widths[i]))
        return "  ".join(parts).rstrip()

    out = [table.title] if table.title else []
    out.append(line(table.columns))
    out.append("  ".join("-" * w for w in widths))
    out.extend(line(row) for row in table.rows)
    return "\n".join(out)


def render_markdown(table: Table) -> str:
    """Render a table as GitHub-flavoured Markdown."""
    out = [f"### {table.title}", ""] if table.title else []
    out.append("| " + " | ".join(table.columns) + " |")
    out.append(
        "|"
        + "|".join("---:" if i in table.align_right else "---" for i in range(len(table.columns)))
        + "|"
    )
    for row in table.rows:
        out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    return "\n".join(out)


def render_csv(columns: list[str], rows: list[list[Any]]) -> str:
    """Render raw values as CSV (money as plain decimals, no currency signs).

    The text has no final line break, as the other formats, because the caller's echo adds one.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else _plain(v) for v in row])
    return buffer.getvalue().removesuffix("\n")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        # A JSON number when a double represents the value exactly to the last digit
        # (true of micro-dollar amounts under about $10 billion), else a string.
        as_float = float(value)
        return as_float if Decimal(repr(as_float)) == value else format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def to_json(value: Any, indent: int | None = 2) -> str:
    """Serialise ``value``; a Decimal becomes a number only where no digit is lost."""
    return json.dumps(_jsonable(value), indent=indent, ensure_ascii=False)
