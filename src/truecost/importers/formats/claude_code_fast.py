"""The fast path of the Claude Code bulk reader, for clean logs.

It runs in three steps, so that DuckDB's JSON scan stays parallel:

1. One scan of every session file pulls the few fields a record needs into
   Arrow. No window function runs over the scan: numbering the rows there made
   DuckDB read the files on one thread at a time and doubled the time.
2. The rows come back in file order, line by line, so an ordinal and each line's
   number within its file are computed from the position of the row.
3. A hash aggregate finds the last line of every request; the usage objects of
   those lines only are parsed, checked and turned into records.

It returns None, and the careful reader in ``claude_code_bulk`` runs instead,
when a file contains a line that is not valid JSON or a field of another type
(DuckDB then fails the scan), when an attribute path needs extra columns, or if
the scan ever returned files out of order. A file in which the last line of a request has
an invalid value is left out and read again line by line, which reports each bad line.

NOTE: DuckDB skips blank lines, so in a file with one, later line numbers are
one lower than in the file; Claude Code writes no blank lines. An invalid value
on a line that is not the last of its request is not reported on this path.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from truecost.duckdb_connection import connect
from truecost.importers.base import BulkResult, ImportContext, LineIssue
from truecost.importers.formats.claude_code import (
    FORMAT_NAME,
    PROVIDER,
    SYNTHETIC_MODEL,
    SYNTHETIC_REASON,
    SessionFile,
)
from truecost.record import ARROW_SCHEMA, TIMESTAMP_FROM_RECORD

# Only the top-level fields are typed. ``usage`` stays JSON text, parsed for last lines only.
_COLUMNS = {
    "timestamp": "VARCHAR",
    "requestId": "VARCHAR",
    "message": "STRUCT(id VARCHAR, model VARCHAR, usage JSON)",
}
_MAX_LINE_BYTES = 64 * 1024 * 1024
_TIMESTAMP_PATTERN = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z"
# The shape Claude Code writes, and a real date and time from year 1 on: "2025-02-30" and
# "0000-01-01" have the shape but fail here, so the per-line reader reports them.
TIMESTAMP_VALID_SQL = (
    f"coalesce(regexp_full_match(timestamp, '{_TIMESTAMP_PATTERN}') "
    "AND TRY_CAST(timestamp AS TIMESTAMPTZ) >= TIMESTAMPTZ '0001-01-01 00:00:00+00', false)"
)
_COUNT_PATHS = {
    "input": "input_tokens",
    "output": "output_tokens",
    "cache_creation": "cache_creation_input_tokens",
    "cache_read": "cache_read_input_tokens",
    "write_5m": "cache_creation.ephemeral_5m_input_tokens",
    "write_1h": "cache_creation.ephemeral_1h_input_tokens",
    "searches": "server_tool_use.web_search_requests",
}

# The usage object is parsed once into these fields, each count still JSON text.
_USAGE_SCHEMA = (
    '{"input_tokens": "JSON", "output_tokens": "JSON", "cache_creation_input_tokens": "JSON", '
    '"cache_read_input_tokens": "JSON", "service_tier": "VARCHAR", '
    '"cache_creation": {"ephemeral_5m_input_tokens": "JSON", "ephemeral_1h_input_tokens": "JSON"}, '
    '"server_tool_use": {"web_search_requests": "JSON"}}'
)

_SCAN = f"""
SELECT file_index, timestamp, requestId AS request_id, message.id AS message_id,
       message.model AS model, message.usage AS usage
FROM read_ndjson($files, columns = $columns, maximum_object_size = {_MAX_LINE_BYTES})
"""

# Every synthetic-model line is a group of its own, so that each is reported.
_KEEP = f"""
SELECT max(ordinal) AS ordinal FROM lines WHERE usage IS NOT NULL AND NOT excluded
GROUP BY message_id, coalesce(request_id, ''),
         CASE WHEN model = '{SYNTHETIC_MODEL}' THEN ordinal END
"""


def _count(name: str) -> str:
    # On a valid row only digit strings reach this cast, as _COUNTS_ARE_DIGITS checks.
    return f"coalesce(u.{_COUNT_PATHS[name]}::VARCHAR::BIGINT, 0)"


# A JSON null arrives as SQL NULL, which concat_ws leaves out. Every other count must be
# written as a plain integer of zero or more: a string, a fraction, a negative number,
# an exponent or a value too large for BIGINT fails this one pattern.
_COUNTS_ARE_DIGITS = (
    "regexp_full_match(concat_ws(',', "
    + ", ".join(f"u.{path}::VARCHAR" for path in _COUNT_PATHS.values())
    + r"), '(\d{1,18}(,\d{1,18})*)?')"
)
_NO_SPLIT = (
    "u.cache_creation.ephemeral_5m_input_tokens IS NULL "
    "AND u.cache_creation.ephemeral_1h_input_tokens IS NULL"
)

# DuckDB writes JSON text without leading spaces, so an object starts with "{".
_RECORDS = f"""
WITH parsed AS (
    SELECT *, CASE WHEN left(usage::VARCHAR, 1) = '{{'
                   THEN json_transform(usage, '{_USAGE_SCHEMA}') END AS u
    FROM lines WHERE last_of_request
),
checked AS (
    SELECT *, model = '{SYNTHETIC_MODEL}' AS synthetic,
           u IS NOT NULL AND coalesce(model, '') <> '' AND coalesce(message_id, '') <> ''
           AND {TIMESTAMP_VALID_SQL}
           AND {_COUNTS_ARE_DIGITS} AS counts_valid
    FROM parsed
)
SELECT
    '{PROVIDER}:' || message_id
        || CASE WHEN coalesce(request_id, '') = '' THEN '' ELSE ':' || request_id END AS id,
    TRY_CAST(timestamp AS TIMESTAMPTZ) AS ts,
    model,
    CASE WHEN counts_valid THEN {_count("input")} END AS input_tokens,
    CASE WHEN counts_valid THEN {_count("cache_read")} END AS cache_read_tokens,
    CASE WHEN NOT counts_valid THEN NULL WHEN {_NO_SPLIT} THEN {_count("cache_creation")}
         ELSE {_count("write_5m")} END AS cache_write_5m_tokens,
    CASE WHEN NOT counts_valid OR {_NO_SPLIT} THEN 0 ELSE {_count("write_1h")}
    END AS cache_write_1h_tokens,
    CASE WHEN counts_valid THEN {_count("output")} END AS output_tokens,
    CASE WHEN counts_valid THEN {_count("searches")} END AS web_searches,
    nullif(u.service_tier, '') AS service_tier,
    line_number AS source_line,
    synthetic,
    synthetic OR counts_valid AS valid,
    file_index,
    ordinal
FROM checked
"""


def read_sessions_fast(
    sessions: list[SessionFile], context: ImportContext
) -> tuple[BulkResult, set[str]] | None:
    """Read session logs in bulk, and return the files to read again line by line too."""
    if context.attribute_fields:
        return None
    paths = [str(session.path) for session in sessions]
    con = connect()
    try:
        try:
            lines = con.sql(_SCAN, params={"files": paths, "columns": _COLUMNS}).to_arrow_table()
        except (duckdb.InvalidInputException, duckdb.ConversionException):
            # A line that is not valid JSON, or a field of another type: the careful
            # reader reports it with its line number.
            return None
        lines = _number_lines(lines)
        if lines is None:
            return None
        table, reread = _last_line_records(con, lines, len(paths))
    finally:
        con.close()
    table = _in_file_order(table)
    table = _add_other_columns(table, sessions, context)
    return _split(table, len(paths)), {paths[index] for index in reread}


def _last_line_records(
    con: duckdb.DuckDBPyConnection, lines: pa.Table, files: int
) -> tuple[pa.Table, list[int]]:
    """Build the record of the last line of each request, leaving out files with a bad one.

    A file holding an invalid last line is left out and read again line by line. The
    requests it held then keep their last line in the other files, which is checked in
    turn, so this repeats until every last line is valid.
    """
    file_index = lines.column("file_index").to_numpy()
    excluded = np.zeros(files, dtype=bool)
    while True:
        con.register("lines", lines.append_column("excluded", pa.array(excluded[file_index])))
        last_ordinals = con.sql(_KEEP).to_arrow_table().column("ordinal").to_numpy()
        mask = np.zeros(lines.num_rows, dtype=bool)
        mask[last_ordinals] = True
        con.register("lines", lines.append_column("last_of_request", pa.array(mask)))
        table = con.sql(_RECORDS).to_arrow_table()
        invalid = pc.invert(table.column("valid"))
        bad_files = np.unique(table.filter(invalid).column("file_index").to_numpy())
        if bad_files.size == 0:
            return table, np.flatnonzero(excluded).tolist()
        excluded[bad_files] = True


def _number_lines(lines: pa.Table) -> pa.Table | None:
    """Add each row's ordinal and line number, or return None if the files came out of order."""
    file_index = lines.column("file_index").to_numpy()
    if file_index.size and bool((np.diff(file_index) < 0).any()):
        return None
    ordinal = np.arange(file_index.size, dtype=np.int64)
    first_row_of_file = np.searchsorted(file_index, file_index, side="left")
    line_number = ordinal - first_row_of_file + 1
    return lines.append_column("ordinal", pa.array(ordinal)).append_column(
        "line_number", pa.array(line_number)
    )


def _in_file_order(table: pa.Table) -> pa.Table:
    """Sort by ordinal, unless DuckDB returned the rows in that order (DuckDB 2.0.1 does)."""
    ordinal = table.column("ordinal").to_numpy()
    if ordinal.size and bool((np.diff(ordinal) < 0).any()):
        return table.take(pa.array(np.argsort(ordinal, kind="stable")))
    return table


def _add_other_columns(
    table: pa.Table, sessions: list[SessionFile], context: ImportContext
) -> pa.Table:
    """Add the columns that come from each row's file or are the same on every row.

    Arrow fills them here more cheaply than DuckDB would return them.
    """
    rows = table.num_rows
    file_index = table.column("file_index")
    columns: dict[str, pa.Array] = {
        "source_file": pc.take(pa.array([str(s.path) for s in sessions], pa.string()), file_index),
        "provider": _repeat(context.provider or PROVIDER, pa.string(), rows),
        "user_id": _repeat(context.user, pa.string(), rows),
        "environment": _repeat(context.environment, pa.string(), rows),
        "reasoning_tokens": _repeat(0, pa.int64(), rows),
        "input_audio_tokens": _repeat(0, pa.int64(), rows),
        "output_audio_tokens": _repeat(0, pa.int64(), rows),
        "batch": _repeat(False, pa.bool_(), rows),
        "latency_ms": _repeat(None, pa.int64(), rows),
        "status": _repeat("ok", pa.string(), rows),
        "reported_cost_usd": _repeat(None, ARROW_SCHEMA.field("reported_cost_usd").type, rows),
        "timestamp_source": _repeat(TIMESTAMP_FROM_RECORD, pa.string(), rows),
        "flags": _repeat(None, pa.string(), rows),
        "format": _repeat(FORMAT_NAME, pa.string(), rows),
    }
    if context.feature:
        columns["feature"] = _repeat(context.feature, pa.string(), rows)
    else:
        projects = pa.array([s.project for s in sessions], pa.string())
        columns["feature"] = pc.take(projects, file_index)
    for name, column in columns.items():
        table = table.append_column(name, column)
    return table


def _repeat(value: object, type_: pa.DataType, rows: int) -> pa.Array:
    """Return an array of ``rows`` copies of ``value``."""
    return pa.repeat(pa.scalar(value, type_), rows)


def _split(table: pa.Table, files: int) -> BulkResult:
    """Separate the records from the synthetic-model lines, which become issues."""
    # This path counts the last lines of requests, not every line read.
    lines_read = table.num_rows
    synthetic = table.column("synthetic")
    if not pc.any(synthetic).as_py():
        # Clean logs, the common case: nothing to filter out.
        records = table.select(ARROW_SCHEMA.names).cast(ARROW_SCHEMA)
        return BulkResult(records, lines_read, [], 0, files)
    issues = [
        LineIssue(row["source_file"], row["source_line"], SYNTHETIC_REASON)
        for row in table.filter(synthetic).select(["source_file", "source_line"]).to_pylist()
    ]
    records = table.filter(pc.invert(synthetic)).select(ARROW_SCHEMA.names).cast(ARROW_SCHEMA)
    return BulkResult(records, lines_read, issues, len(issues), files)
