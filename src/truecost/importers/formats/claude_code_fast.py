"""The fast path of the Claude Code bulk reader, for clean logs.

One DuckDB statement parses every session file, numbers the lines, keeps the
last line of each request and extracts its counts, so no intermediate table of
all lines is built, and validation runs on the kept lines only.

It returns None, and the careful reader in ``claude_code_bulk`` runs instead,
when a file contains a line that is not valid JSON or a field of another type
(DuckDB then fails the scan), or when an attribute path needs extra columns.
A file whose kept line has an invalid value is read again line by line, which
reports each bad line.

NOTE: DuckDB skips blank lines, so in a file with one, later line numbers are
one lower than in the file; Claude Code writes no blank lines. An invalid value
on a line that is not the last of its request is not reported on this path.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from truecost.importers.base import BulkResult, ImportContext, LineIssue
from truecost.importers.formats.claude_code import (
    FORMAT_NAME,
    PROVIDER,
    SYNTHETIC_MODEL,
    SYNTHETIC_REASON,
    SessionFile,
)
from truecost.record import ARROW_SCHEMA, TIMESTAMP_FROM_RECORD

# Only the top-level fields are typed. ``usage`` stays JSON text, read for kept lines only.
_COLUMNS = {
    "timestamp": "VARCHAR",
    "requestId": "VARCHAR",
    "message": "STRUCT(id VARCHAR, model VARCHAR, usage JSON)",
}
_MAX_LINE_BYTES = 64 * 1024 * 1024
_TIMESTAMP_PATTERN = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z"
_COUNT_PATHS = {
    "input": "input_tokens",
    "output": "output_tokens",
    "cache_creation": "cache_creation_input_tokens",
    "cache_read": "cache_read_input_tokens",
    "write_5m": "cache_creation.ephemeral_5m_input_tokens",
    "write_1h": "cache_creation.ephemeral_1h_input_tokens",
    "searches": "server_tool_use.web_search_requests",
}


# The usage object is parsed once into these fields, each count still JSON text, so the
# checks below look at small values instead of parsing the whole object per field.
_USAGE_SCHEMA = (
    '{"input_tokens": "JSON", "output_tokens": "JSON", "cache_creation_input_tokens": "JSON", '
    '"cache_read_input_tokens": "JSON", "service_tier": "VARCHAR", '
    '"cache_creation": {"ephemeral_5m_input_tokens": "JSON", "ephemeral_1h_input_tokens": "JSON"}, '
    '"server_tool_use": {"web_search_requests": "JSON"}}'
)
_TRANSFORM = f"json_transform(usage, '{_USAGE_SCHEMA}')"


def _count(name: str) -> str:
    return f"coalesce(TRY_CAST(u.{_COUNT_PATHS[name]} AS BIGINT), 0)"


def _valid_count(name: str) -> str:
    # A count must be a JSON integer of zero or more, or absent or null.
    field = f"u.{_COUNT_PATHS[name]}"
    return (
        f"({field} IS NULL OR json_type({field}) IN ('UBIGINT', 'NULL') "
        f"OR (json_type({field}) = 'BIGINT' AND TRY_CAST({field} AS BIGINT) >= 0))"
    )


_VALID = " AND ".join(
    [
        "json_type(usage) = 'OBJECT'",
        "coalesce(model, '') <> ''",
        "coalesce(message_id, '') <> ''",
        f"coalesce(regexp_full_match(timestamp, '{_TIMESTAMP_PATTERN}'), false)",
        *(_valid_count(name) for name in _COUNT_PATHS),
    ]
)
_NO_SPLIT = (
    "coalesce(json_type(u.cache_creation.ephemeral_5m_input_tokens), 'NULL') = 'NULL' "
    "AND coalesce(json_type(u.cache_creation.ephemeral_1h_input_tokens), 'NULL') = 'NULL'"
)

_QUERY = f"""
WITH scanned AS (
    SELECT row_number() OVER () AS ordinal, filename, timestamp, requestId AS request_id,
           message.id AS message_id, message.model AS model, message.usage AS usage
    FROM read_ndjson($files, columns = $columns, filename = true,
                     maximum_object_size = {_MAX_LINE_BYTES})
),
lines AS (
    SELECT *, row_number() OVER (PARTITION BY filename ORDER BY ordinal) AS line_number
    FROM scanned
),
-- The last line of each request, found by a hash aggregate, which DuckDB runs about
-- twice as fast as ranking the lines of each request. Every synthetic-model line is
-- a group of its own, so each is reported.
kept AS (
    SELECT last.* FROM (
        SELECT arg_max(
            struct_pack(ordinal, filename, line_number, timestamp, request_id, message_id,
                        model, usage),
            ordinal) AS last
        FROM lines
        WHERE usage IS NOT NULL
        GROUP BY message_id, coalesce(request_id, ''),
                 CASE WHEN model = '{SYNTHETIC_MODEL}' THEN ordinal END
    )
),
parsed AS (
    SELECT *, CASE WHEN json_type(usage) = 'OBJECT' THEN {_TRANSFORM} END AS u FROM kept
)
SELECT
    '{PROVIDER}:' || message_id
        || CASE WHEN coalesce(request_id, '') = '' THEN '' ELSE ':' || request_id END AS id,
    TRY_CAST(timestamp AS TIMESTAMPTZ) AS ts,
    $provider AS provider,
    model,
    coalesce(nullif($feature, ''), f.project) AS feature,
    $user AS user_id,
    $environment AS environment,
    {_count("input")} AS input_tokens,
    {_count("cache_read")} AS cache_read_tokens,
    CASE WHEN {_NO_SPLIT} THEN {_count("cache_creation")} ELSE {_count("write_5m")}
    END AS cache_write_5m_tokens,
    CASE WHEN {_NO_SPLIT} THEN 0 ELSE {_count("write_1h")} END AS cache_write_1h_tokens,
    {_count("output")} AS output_tokens,
    0 AS reasoning_tokens,
    {_count("searches")} AS web_searches,
    0 AS input_audio_tokens,
    0 AS output_audio_tokens,
    false AS batch,
    nullif(u.service_tier, '') AS service_tier,
    NULL::BIGINT AS latency_ms,
    'ok' AS status,
    NULL::DECIMAL(18, 12) AS reported_cost_usd,
    filename AS source_file,
    line_number AS source_line,
    '{TIMESTAMP_FROM_RECORD}' AS timestamp_source,
    NULL::VARCHAR AS flags,
    '{FORMAT_NAME}' AS format,
    model = '{SYNTHETIC_MODEL}' AS synthetic,
    model = '{SYNTHETIC_MODEL}' OR ({_VALID}) AS valid,
FROM parsed JOIN files AS f USING (filename)
ORDER BY ordinal
"""


def read_sessions_fast(
    sessions: list[SessionFile], context: ImportContext
) -> tuple[BulkResult, set[str]] | None:
    """Read clean session logs in one pass; also return the files to read again line by line."""
    if context.attribute_fields:
        return None
    paths = [str(session.path) for session in sessions]
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'").fetchall()
        files = pa.table({"filename": paths, "project": [s.project for s in sessions]})
        con.register("files", files)
        params = {
            "files": paths,
            "columns": _COLUMNS,
            "provider": context.provider or PROVIDER,
            "feature": context.feature,
            "user": context.user,
            "environment": context.environment,
        }
        try:
            table = con.sql(_QUERY, params=params).to_arrow_table()
        except (duckdb.InvalidInputException, duckdb.ConversionException):
            # A line that is not valid JSON, or a field of another type: the careful
            # reader reports it with its line number.
            return None
    finally:
        con.close()
    return _split(table, len(paths))


def _split(table: pa.Table, files: int) -> tuple[BulkResult, set[str]]:
    """Separate records, synthetic-model lines and files with an invalid kept line."""
    # This path counts the lines that carry usage and were kept, not every line read.
    lines_read = table.num_rows
    valid = table.column("valid")
    synthetic = table.column("synthetic")
    if pc.all(valid).as_py() is not False and not pc.any(synthetic).as_py():
        # Clean logs, the common case: nothing to filter out.
        records = table.select(ARROW_SCHEMA.names).cast(ARROW_SCHEMA)
        return BulkResult(records, lines_read, [], 0, files), set()
    invalid = table.filter(pc.invert(valid))
    reread = set(invalid.column("source_file").to_pylist())
    keep = pc.and_(valid, pc.invert(synthetic))
    if reread:
        outside = pc.invert(pc.is_in(table.column("source_file"), pa.array(sorted(reread))))
        keep = pc.and_(keep, outside)
    issues = [
        LineIssue(row["source_file"], row["source_line"], SYNTHETIC_REASON)
        for row in table.filter(synthetic).select(["source_file", "source_line"]).to_pylist()
        if row["source_file"] not in reread
    ]
    records = table.filter(keep).select(ARROW_SCHEMA.names).cast(ARROW_SCHEMA)
    result = BulkResult(records, lines_read, issues, len(issues), files)
    return result, reread
