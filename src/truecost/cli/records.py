"""``truecost records``: every priced record, for audit and export."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click
import orjson

from truecost.cli.common import (
    build_context,
    import_context_options,
    ledger_option,
    load_catalog,
    open_for_reading,
    run_import,
)
from truecost.cli.report import selection_from_options
from truecost.ledger import Ledger
from truecost.outputs.render import micro_usd

# Exported columns, in order; ``usd`` is our price and ``reported_usd`` the provider's.
EXPORT_SQL = """
    id, ts AS timestamp, provider, model, feature, user_id AS user, environment,
    input_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
    output_tokens, reasoning_tokens, web_searches, input_audio_tokens, output_audio_tokens,
    batch, service_tier, latency_ms, status,
    cost_usd AS usd, reported_cost_usd AS reported_usd, price_model, price_note,
    flags, format, source_file, source_line, timestamp_source
"""


@click.command("records")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@ledger_option
@click.option("--since", help="First day included (YYYY-MM-DD, UTC).")
@click.option("--until", help="Last day included (YYYY-MM-DD, UTC).")
@click.option(
    "--where",
    "filters",
    multiple=True,
    metavar="DIM=VALUE",
    help="Keep records where DIM equals VALUE.",
)
@import_context_options
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="Output format.",
)
def command(
    paths: tuple[Path, ...],
    ledger_path: Path | None,
    since: str | None,
    until: str | None,
    filters: tuple[str, ...],
    feature: str | None,
    user: str | None,
    environment: str | None,
    provider: str | None,
    fields: tuple[str, ...],
    columns: tuple[str, ...],
    fallback_timestamp: str | None,
    input_format: str | None,
    price_files: tuple[Path, ...],
    output_format: str,
) -> None:
    """Print every priced record (unpriced ones with usd null) as JSON lines or CSV."""
    selection = selection_from_options(since, until, filters)
    catalog = load_catalog(price_files)
    if paths:
        context = build_context(
            feature, user, environment, provider, fields, columns, fallback_timestamp
        )
        ledger = Ledger(None)
        run_import(ledger, list(paths), catalog, context, input_format)
    else:
        ledger = open_for_reading(ledger_path, catalog)
    where, params = selection.where_sql()
    with ledger:
        cursor = ledger.con.execute(
            f"SELECT {EXPORT_SQL} FROM records WHERE {where} ORDER BY ts, id", params
        )
        names = [d[0] for d in cursor.description or ()]
        write_rows(cursor, names, output_format)


def write_rows(cursor: object, names: list[str], output_format: str) -> None:
    """Stream rows from a DuckDB cursor to stdout, 10,000 at a time."""
    out = sys.stdout
    writer = csv.writer(out, lineterminator="\n") if output_format == "csv" else None
    if writer:
        writer.writerow(names)
    while True:
        rows = cursor.fetchmany(10_000)  # type: ignore[attr-defined]
        if not rows:
            break
        for row in rows:
            values = [_export_value(name, value) for name, value in zip(names, row, strict=True)]
            if writer:
                writer.writerow(["" if v is None else v for v in values])
            else:
                out.write(orjson.dumps(dict(zip(names, values, strict=True))).decode() + "\n")


def _export_value(name: str, value: object) -> object:
    from datetime import datetime
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(micro_usd(value) if name in ("usd", "reported_usd") else value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value
