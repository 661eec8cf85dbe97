"""The DuckDB fast path of the ``api-bodies`` importer.

DuckDB reads every line, extracts all the JSON paths the registered SQL
expressions need in one pass per line, and builds the records of the lines a
parser's ``BulkSql.eligible`` accepts. The Python path reads every other line
(other providers, streams, invalid lines, lines that raise a flag), so both
paths yield the same records and issues.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from truecost.importers.base import BulkResult, ImportContext, LineIssue
from truecost.importers.formats.api_bodies import fallback_timestamp, read_lines
from truecost.importers.providers.fields import FORMAT_NAME
from truecost.importers.providers.registry import BodyParser, parsers
from truecost.importers.providers.sql import PathTable, compile_expression
from truecost.record import ARROW_SCHEMA, TIMESTAMP_FROM_RECORD, UsageRecord, records_to_arrow

# How many skipped lines a BulkResult lists; the rest are only counted.
MAX_LISTED_ISSUES = 1000
# Longest line DuckDB's CSV reader accepts, in bytes; bodies with base64 media can be megabytes.
_MAX_LINE_BYTES = 1 << 28
# The lines of the file at $path as one VARCHAR column, blank lines as NULL. \x01 cannot occur
# unescaped in valid JSON, so it never splits a body; a trailing \r stays and is JSON whitespace.
_LINES = f"""read_csv($path, columns = {{'line': 'VARCHAR'}}, delim = '\x01', quote = '',
    escape = '', header = false, auto_detect = false, strict_mode = false, new_line = '\\n',
    max_line_size = {_MAX_LINE_BYTES})"""


def read_bulk(paths: list[Path], context: ImportContext) -> BulkResult | None:
    """Read ``paths`` through DuckDB, or return None when the options need the Python path.

    A forced provider or attribute fields read from the body are handled by the
    Python path only.
    """
    if context.provider or context.attribute_fields:
        return None
    bulk_parsers = [p for p in parsers() if p.bulk is not None]
    table = PathTable()
    selects = [_select(parser, table) for parser in bulk_parsers]
    shapes = " ".join(
        f"WHEN {compile_expression(p.bulk.shape, table)[0]} THEN '{p.name}'"
        for p in bulk_parsers
        if p.bulk is not None
    )
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    tables: list[pa.Table] = []
    issues: list[LineIssue] = []
    issue_count = lines_read = 0
    for path in paths:
        fast, non_blank = _read_fast(connection, path, context, table, shapes, selects)
        records: list[UsageRecord] = []
        # The Python path reads the file only when the SQL path left lines to it.
        rest = [] if fast.num_rows == non_blank else read_lines(path, context, skip=_lines_of(fast))
        for item in rest:
            if isinstance(item, LineIssue):
                issue_count += 1
                if len(issues) < MAX_LISTED_ISSUES:
                    issues.append(item)
            else:
                records.append(item)
        tables.extend([fast, records_to_arrow(records)])
        lines_read += non_blank
    connection.close()
    combined = pa.concat_tables(tables) if tables else ARROW_SCHEMA.empty_table()
    return BulkResult(combined, lines_read, issues, issue_count, len(paths))


def _lines_of(table: pa.Table) -> set[int]:
    return set(table.column("source_line").to_pylist())


def _select(parser: BodyParser, table: PathTable) -> str:
    """Return the SELECT that builds the records of one parser from the picked lines."""
    assert parser.bulk is not None
    columns: dict[str, str] = {}
    guards: set[str] = set()
    for name, expression in parser.bulk.expressions().items():
        sql, needed = compile_expression(expression, table)
        columns[name] = sql
        guards |= needed
    eligible, needed = compile_expression(parser.bulk.eligible, table)
    guards |= needed
    shape_guards = compile_expression(parser.bulk.shape, table)[1]
    checks = " AND ".join(sorted(guards | shape_guards)) or "true"
    provider = parser.provider.replace("'", "''")
    return f"""
        SELECT
            '{provider}:' || ({columns['response_id']}) AS id,
            coalesce({columns['created']}, $fallback_time) AS ts,
            '{provider}' AS provider,
            {columns['model']} AS model,
            $feature AS feature, $user AS user_id, $environment AS environment,
            {columns['input_tokens']} AS input_tokens,
            {columns['cache_read_tokens']} AS cache_read_tokens,
            {columns['cache_write_5m_tokens']} AS cache_write_5m_tokens,
            {columns['cache_write_1h_tokens']} AS cache_write_1h_tokens,
            {columns['output_tokens']} AS output_tokens,
            {columns['reasoning_tokens']} AS reasoning_tokens,
            {columns['web_searches']} AS web_searches,
            {columns['input_audio_tokens']} AS input_audio_tokens,
            {columns['output_audio_tokens']} AS output_audio_tokens,
            {columns['batch']} AS batch,
            {columns['service_tier']} AS service_tier,
            CAST({columns['latency_ms']} AS BIGINT) AS latency_ms,
            {columns['status']} AS status,
            CAST({columns['reported_cost_usd']} AS DECIMAL(18, 12)) AS reported_cost_usd,
            $source_file AS source_file,
            line_no AS source_line,
            CASE WHEN ({columns['created']}) IS NULL THEN $fallback_source
                 ELSE '{TIMESTAMP_FROM_RECORD}' END AS timestamp_source,
            CAST(NULL AS VARCHAR) AS flags,
            '{FORMAT_NAME}' AS format
        FROM picked
        WHERE parser = '{parser.name}' AND ({checks}) AND ({eligible})
    """


def _read_fast(
    connection: duckdb.DuckDBPyConnection,
    path: Path,
    context: ImportContext,
    table: PathTable,
    shapes: str,
    selects: list[str],
) -> tuple[pa.Table, int]:
    """Return the records DuckDB builds from ``path`` and the file's count of non-blank lines."""
    fallback_time, fallback_source = fallback_timestamp(path, context)
    json_paths = ", ".join("'" + p.replace("'", "''") + "'" for p in table.json_paths())
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE picked AS
        WITH raw AS (SELECT row_number() OVER () AS line_no, line FROM {_LINES})
        , parsed AS (
            SELECT line_no, json_extract(line, [{json_paths}]) AS v
            FROM raw
            WHERE line IS NOT NULL AND starts_with(ltrim(line), '{{') AND json_valid(line)
        )
        SELECT line_no, v, CASE {shapes} END AS parser FROM parsed
        """,
        {"path": str(path)},
    )
    non_blank_row = connection.execute(
        f"SELECT count(*) FROM {_LINES} WHERE trim(line) <> ''", {"path": str(path)}
    ).fetchall()
    params = {
        "fallback_time": fallback_time,
        "fallback_source": fallback_source,
        "feature": context.feature,
        "user": context.user,
        "environment": context.environment,
        "source_file": str(path),
    }
    query = " UNION ALL ".join(selects)
    fast = connection.sql(query, params=params).to_arrow_table()
    return fast.cast(ARROW_SCHEMA), int(non_blank_row[0][0])
