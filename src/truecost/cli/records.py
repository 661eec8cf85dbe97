"""``truecost records``: every priced record, for audit and export."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import duckdb
import pyarrow.csv as pa_csv

from truecost.cli.common import (
    ImportOptions,
    import_context_options,
    ledger_option,
    load_catalog,
    open_for_reading,
    read_paths_directly,
    selection_options,
)
from truecost.cli.report import selection_from_options

# Exported columns, in order; ``usd`` is our price and ``reported_usd`` the provider's,
# both as decimal strings rounded to the micro-dollar so no digit depends on a float.
EXPORT_SQL = """
    id, strftime(ts, '%Y-%m-%dT%H:%M:%S.%f+00:00') AS timestamp, provider, model, feature,
    user_id AS user, environment,
    input_tokens, cache_read_tokens, cache_write_5m_tokens, cache_write_1h_tokens,
    output_tokens, reasoning_tokens, web_searches, input_audio_tokens, output_audio_tokens,
    batch, service_tier, latency_ms, status,
    CAST(CAST(round(cost_usd, 6) AS DECIMAL(18, 6)) AS VARCHAR) AS usd,
    CAST(CAST(round(reported_cost_usd, 6) AS DECIMAL(18, 6)) AS VARCHAR) AS reported_usd,
    price_model, price_note, flags, format, source_file, source_line, timestamp_source
"""
_BATCH_ROWS = 50_000


@click.command("records")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@ledger_option
@selection_options
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
    import_options: ImportOptions,
    output_format: str,
) -> None:
    """Print every priced record (unpriced ones with usd null) as JSON lines or CSV."""
    selection = selection_from_options(since, until, filters)
    catalog = load_catalog(import_options.price_files)
    if paths:
        context = import_options.context()
        ledger = read_paths_directly(list(paths), catalog, context, import_options.input_format)
    else:
        ledger = open_for_reading(ledger_path, catalog)
    where, params = selection.where_sql()
    with ledger:
        query = f"SELECT {EXPORT_SQL} FROM records WHERE {where} ORDER BY ts, id"
        if output_format == "csv":
            write_csv(ledger.con, query, params)
        else:
            write_jsonl(ledger.con, query, params)


def write_csv(con: duckdb.DuckDBPyConnection, query: str, params: list[object]) -> None:
    """Stream the query's rows to stdout as CSV, a batch of rows at a time."""
    reader = con.sql(query, params=params).to_arrow_reader(_BATCH_ROWS)
    out = sys.stdout
    out.flush()
    options = pa_csv.WriteOptions(include_header=True)
    with pa_csv.CSVWriter(sys.stdout.buffer, reader.schema, write_options=options) as writer:
        for batch in reader:
            writer.write_batch(batch)


def write_jsonl(con: duckdb.DuckDBPyConnection, query: str, params: list[object]) -> None:
    """Stream the query's rows to stdout as JSON lines, serialised by DuckDB."""
    cursor = con.execute(f"SELECT to_json(row)::VARCHAR FROM ({query}) AS row", params)
    out = sys.stdout
    while True:
        rows = cursor.fetchmany(_BATCH_ROWS)
        if not rows:
            break
        out.write("\n".join(row[0] for row in rows))
        out.write("\n")
