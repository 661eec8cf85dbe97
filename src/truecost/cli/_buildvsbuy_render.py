"""Rendering shared by ``truecost selfhost`` and ``truecost finetune``: grids and JSON."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import click

from truecost.cli.common import format_option

FORMATS = ("table", "json", "csv", "markdown")
format_choice = format_option(*FORMATS)
CENT = Decimal("0.01")


def usd(value: Decimal | None) -> str:
    """Format dollars to the cent with thousands separators; None is shown as a dash."""
    if value is None:
        return "-"
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value).quantize(CENT):,}"


def number(value: Decimal | int | None, places: int = 1) -> str:
    """Format a quantity with thousands separators and ``places`` decimals."""
    if value is None:
        return "-"
    return f"{Decimal(value).quantize(Decimal(1).scaleb(-places)):,}"


def percent(share: Decimal | None) -> str:
    """Format a share (0.25) as a percentage (25.0%)."""
    return "-" if share is None else f"{(share * 100).quantize(Decimal('0.1'))}%"


def to_jsonable(value: Any) -> Any:
    """Convert dataclasses, Decimals (as strings, to keep every digit) and datetimes for JSON."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def render_json(value: Any) -> str:
    """Return ``value`` as indented JSON."""
    return json.dumps(to_jsonable(value), indent=2)


def render_grid(headers: list[str], rows: list[list[str]], fmt: str) -> str:
    """Return rows as an aligned text table, CSV or a Markdown table."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")
    if fmt == "markdown":
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)
    ]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(headers, widths, strict=True)).rstrip()
    ]
    lines.append("  ".join("-" * width for width in widths))
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def echo_warnings(warnings: tuple[str, ...] | list[str]) -> None:
    """Print each warning on its own line on stderr."""
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
