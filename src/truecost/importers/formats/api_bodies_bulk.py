"""The DuckDB fast path of the ``api-bodies`` importer.

Python splits each memory-mapped file into batches of whole lines
(``_line_chunks``), so line numbers are exact, and DuckDB pulls the batches as
an Arrow stream into one query per file, parsing batches on all its threads.
The query extracts the top-level values the registered SQL expressions need
from each line, reads nested paths from those small values, and builds the
records of the lines a parser's ``BulkSql.eligible`` accepts. The Python path
then reads only the lines left over (other providers, streams, invalid lines,
lines that raise a flag), so both paths yield the same records and issues.

NOTE: DuckDB's JSON parser accepts NaN, Infinity, numbers beyond the double
range and trailing commas, which the Python path rejects as invalid JSON, so
such a line becomes a record here and an issue there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from truecost.duckdb_connection import connect
from truecost.importers.base import BulkResult, ImportContext, LineIssue
from truecost.importers.formats._line_chunks import (
    CHUNK_BYTES,
    LINES_SCHEMA,
    LineIndex,
    line_chunks,
)
from truecost.importers.formats.api_bodies import fallback_timestamp, read_line
from truecost.importers.providers.fields import FORMAT_NAME
from truecost.importers.providers.registry import BodyParser, parsers
from truecost.importers.providers.sql import PathTable, compile_expression, guard_sql
from truecost.record import ARROW_SCHEMA, TIMESTAMP_FROM_RECORD, UsageRecord, records_to_arrow

# How many skipped lines a BulkResult lists; the rest are only counted.
MAX_LISTED_ISSUES = 1000


def read_bulk(
    paths: list[Path], context: ImportContext, chunk_bytes: int = CHUNK_BYTES
) -> BulkResult | None:
    """Read ``paths`` through DuckDB, or return None when the options need the Python path.

    A forced provider or attribute fields read from the body are handled by the
    Python path only. ``chunk_bytes`` is how much of a file DuckDB gets per batch.
    """
    if context.provider or context.attribute_fields:
        return None
    query = build_query([p for p in parsers() if p.bulk is not None])
    collected = _Collected()
    connection = connect()
    try:
        for path in paths:
            _read_file(connection, query, path, context, collected, chunk_bytes)
    finally:
        connection.close()
    combined = (
        pa.concat_tables(collected.tables) if collected.tables else ARROW_SCHEMA.empty_table()
    )
    return BulkResult(
        combined, collected.lines_read, collected.issues, collected.issue_count, len(paths)
    )


@dataclass
class _Collected:
    """Records, skipped lines and counts gathered over all files."""

    tables: list[pa.Table] = field(default_factory=list)
    issues: list[LineIssue] = field(default_factory=list)
    issue_count: int = 0
    lines_read: int = 0

    def add_issue(self, issue: LineIssue) -> None:
        self.issue_count += 1
        if len(self.issues) < MAX_LISTED_ISSUES:
            self.issues.append(issue)


def _read_file(
    connection: duckdb.DuckDBPyConnection,
    query: str,
    path: Path,
    context: ImportContext,
    collected: _Collected,
    chunk_bytes: int,
) -> None:
    """Add the records of ``path``: DuckDB's first, then the Python path's for the lines left."""
    fallback = fallback_timestamp(path, context)
    index = LineIndex()
    batches = _batches(path, index, chunk_bytes)
    reader = pa.RecordBatchReader.from_batches(LINES_SCHEMA, batches)

    params = {
        "fallback_time": fallback[0],
        "fallback_source": fallback[1],
        "feature": context.feature,
        "user": context.user,
        "environment": context.environment,
        "source_file": str(path),
    }
    connection.register("lines", reader)
    try:
        result = connection.sql(query, params=params).to_arrow_table()
    finally:
        connection.unregister("lines")
    fast = _taken_lines(result).cast(ARROW_SCHEMA)

    collected.tables.append(fast)
    collected.lines_read += fast.num_rows
    left = index.numbers_except(fast.column("source_line").to_numpy())

    records: list[UsageRecord] = []
    for number, raw in index.read_lines(path, left):
        stripped = raw.strip()
        if not stripped:
            continue
        collected.lines_read += 1
        for item in read_line(stripped, str(path), number, context, fallback):
            if isinstance(item, LineIssue):
                collected.add_issue(item)
            else:
                records.append(item)
    if records:
        collected.tables.append(records_to_arrow(records))


def _taken_lines(result: pa.Table) -> pa.Table:
    """Keep the rows a parser took (``parser`` not NULL) and drop the ``parser`` column.

    Filtering here rather than in a WHERE spares DuckDB evaluating every parser's
    checks twice, once for the filter and once for the column.
    """
    parser = result.column("parser")
    result = result.drop_columns(["parser"])
    if parser.null_count == 0:
        return result
    return result.filter(pc.is_valid(parser))


def _batches(path: Path, index: LineIndex, chunk_bytes: int) -> Iterator[pa.RecordBatch]:
    # DuckDB pulls these while it parses earlier batches, so reading overlaps parsing.
    for chunk in line_chunks(path, chunk_bytes):
        index.add(chunk)
        yield from chunk.table().to_batches()


# The output columns that differ by parser, in ARROW_SCHEMA order around the fixed ones.
_TOKEN_COLUMNS = (
    "input_tokens",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
    "web_searches",
    "input_audio_tokens",
    "output_audio_tokens",
    "batch",
    "service_tier",
)


def build_query(bulk_parsers: list[BodyParser]) -> str:
    """Return the query that builds the records of ``bulk_parsers`` from the table ``lines``.

    One SELECT streams every line through once: each output column is a CASE on
    the parser the line's shape picked, and the WHERE keeps a line only when its
    parser's type guards and ``eligible`` hold.
    """
    table = PathTable()
    compiled = {p.name: _compile(p, table) for p in bulk_parsers if p.bulk is not None}
    numbers = {name: number for number, name in enumerate(compiled, start=1)}
    # The first parser whose shape matches picks the line. Unless its guards and ``eligible``
    # are true, parser is NULL and the Python path reads the line.
    picks = " ".join(
        f"WHEN {c.shape} THEN CASE WHEN {c.checks} AND ({c.eligible}) THEN {numbers[name]} END"
        for name, c in compiled.items()
    )

    def by_parser(column: str) -> str:
        branches = " ".join(
            f"WHEN {numbers[name]} THEN ({c.columns[column]})" for name, c in compiled.items()
        )
        return f"CASE parser {branches} END"

    json_paths = ", ".join("'" + p.replace("'", "''") + "'" for p in table.json_paths())
    nested = ", ".join(["*", *table.nested_columns()])
    tokens = ",\n".join(f"{by_parser(name)} AS {name}" for name in _TOKEN_COLUMNS)
    return f"""
        SELECT
            {by_parser("provider")} || ':' || ({by_parser("response_id")}) AS id,
            coalesce({by_parser("created")}, $fallback_time) AS ts,
            {by_parser("provider")} AS provider,
            {by_parser("model")} AS model,
            $feature AS feature, $user AS user_id, $environment AS environment,
            {tokens},
            CAST({by_parser("latency_ms")} AS BIGINT) AS latency_ms,
            {by_parser("status")} AS status,
            CAST({by_parser("reported_cost_usd")} AS DECIMAL(18, 12)) AS reported_cost_usd,
            $source_file AS source_file,
            line_no AS source_line,
            CASE WHEN ({by_parser("created")}) IS NULL THEN $fallback_source
                 ELSE '{TIMESTAMP_FROM_RECORD}' END AS timestamp_source,
            CAST(NULL AS VARCHAR) AS flags,
            '{FORMAT_NAME}' AS format,
            parser
        FROM (
            SELECT *, CASE {picks} END AS parser
            FROM (
                SELECT line_no, {", ".join(table.columns())}
                FROM (
                    SELECT {nested}
                    FROM (
                        -- TRY turns invalid JSON into NULL, as json_valid would reject it,
                        -- without parsing every valid line a second time.
                        SELECT line_no, TRY(json_extract(line, [{json_paths}])) AS v
                        FROM lines
                        WHERE starts_with(ltrim(line), '{{')
                    )
                )
            )
        )
    """


@dataclass(frozen=True, slots=True)
class _CompiledParser:
    """One parser's SQL: its shape, the guards and ``eligible`` that admit a line, its columns."""

    shape: str
    checks: str
    eligible: str
    columns: dict[str, str]


def _compile(parser: BodyParser, table: PathTable) -> _CompiledParser:
    assert parser.bulk is not None
    columns: dict[str, str] = {"provider": "'" + parser.provider.replace("'", "''") + "'"}
    guards: set[str] = set()
    for name, expression in parser.bulk.expressions().items():
        sql, needed = compile_expression(expression, table)
        columns[name] = sql
        guards |= needed
    eligible, needed = compile_expression(parser.bulk.eligible, table)
    shape, shape_guards = compile_expression(parser.bulk.shape, table)
    checks = guard_sql(guards | needed | shape_guards)
    return _CompiledParser(shape, checks, eligible, columns)
