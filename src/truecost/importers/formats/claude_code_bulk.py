"""The DuckDB reader behind ``ClaudeCodeImporter.read_bulk``.

Clean logs take the one-statement reader in ``claude_code_fast`` first. When it
declines, this careful reader runs. DuckDB parses every session file in parallel
with an explicit schema of the few fields a record needs. It numbers the lines in
file order with ``row_number() OVER ()``, because DuckDB keeps the row order of a
single table function scan under an empty ``OVER ()``. ``QUALIFY`` then keeps the
last line of every request. A file with any line the SQL cannot read exactly
(invalid JSON, a count that is not a non-negative integer, a timestamp in
another shape) is read again by the per-line reader, which reports each such
line with its number and reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
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
    foreign_file_issue,
    scan_session,
)
from truecost.importers.formats.claude_code_fast import TIMESTAMP_VALID_SQL, read_sessions_fast
from truecost.record import ARROW_SCHEMA, TIMESTAMP_FROM_RECORD, UsageRecord, records_to_arrow

# The list of skipped lines in a BulkResult stops here; issue_count keeps counting.
MAX_KEPT_ISSUES = 1000
# Claude Code lines with pasted images or long tool output run to megabytes.
_MAX_LINE_BYTES = 64 * 1024 * 1024

# Counts are read as raw JSON so that 1.5, "7" or true are caught instead of cast.
_USAGE = (
    "STRUCT(input_tokens JSON, output_tokens JSON, cache_creation_input_tokens JSON, "
    "cache_read_input_tokens JSON, "
    "cache_creation STRUCT(ephemeral_5m_input_tokens JSON, ephemeral_1h_input_tokens JSON), "
    "service_tier VARCHAR, server_tool_use STRUCT(web_search_requests JSON))"
)
_COLUMNS = {
    "type": "VARCHAR",
    "timestamp": "VARCHAR",
    "requestId": "VARCHAR",
    "message": f"STRUCT(id VARCHAR, model VARCHAR, usage {_USAGE})",
}
_COUNT_PATHS = (
    "usage.input_tokens",
    "usage.output_tokens",
    "usage.cache_creation_input_tokens",
    "usage.cache_read_input_tokens",
    "usage.cache_creation.ephemeral_5m_input_tokens",
    "usage.cache_creation.ephemeral_1h_input_tokens",
    "usage.server_tool_use.web_search_requests",
)


@dataclass
class _Attributes:
    """Extra JSON columns and the SQL expression of feature, user and environment."""

    columns: dict[str, str]
    expressions: dict[str, str]


def read_sessions_bulk(sessions: list[SessionFile], context: ImportContext) -> BulkResult | None:
    """Read ``sessions`` through DuckDB; None when an attribute path needs the per-line reader."""
    attributes = _attribute_sql(context)
    if attributes is None:
        return None
    if not sessions:
        return BulkResult(ARROW_SCHEMA.empty_table(), 0, [], 0, 0)
    fast = read_sessions_fast(sessions, context)
    if fast is not None:
        result, reread = fast
        return _finish(result.table, sessions, reread, context, result.issues, result.lines_read)
    con = connect()
    try:
        _load_lines(con, sessions, attributes)
        table = _winners(con, context, attributes)
        issues = _synthetic_issues(con)
        lines = con.execute("SELECT coalesce(sum(lines), 0) FROM cc_stats WHERE NOT reread")
        lines_read = int(_one(lines))
        flagged = con.execute("SELECT filename FROM cc_stats WHERE reread").fetchall()
    finally:
        con.close()
    return _finish(table, sessions, {row[0] for row in flagged}, context, issues, lines_read)


def _finish(
    table: pa.Table,
    sessions: list[SessionFile],
    reread: set[str],
    context: ImportContext,
    issues: list[LineIssue],
    lines_read: int,
) -> BulkResult:
    """Add the files read again line by line, and order the issues by file and line."""
    if reread:
        table, lines_read = _merge_reread(table, sessions, reread, context, issues, lines_read)
    # Few files give no record and no issue, so only those have their first line checked.
    used = set(pc.unique(table.column("source_file")).to_pylist()) | {i.file for i in issues}
    for session in sessions:
        if str(session.path) not in used:
            foreign = foreign_file_issue(session.path)
            if foreign is not None:
                issues.append(foreign)
    order = {str(s.path): i for i, s in enumerate(sessions)}
    issues.sort(key=lambda issue: (order[issue.file], issue.line))
    return BulkResult(table, lines_read, issues[:MAX_KEPT_ISSUES], len(issues), len(sessions))


def _load_lines(
    con: duckdb.DuckDBPyConnection, sessions: list[SessionFile], attributes: _Attributes
) -> None:
    files = pa.table(
        {
            "filename": [str(s.path) for s in sessions],
            "project": [s.project for s in sessions],
            "file_index": list(range(len(sessions))),
        }
    )
    con.register("cc_files", files)
    columns = {**_COLUMNS, **attributes.columns}
    extra = "".join(f", {_quote(name)} AS {_quote('attr:' + name)}" for name in attributes.columns)
    con.execute(
        f"""
        CREATE TEMP TABLE cc_lines AS
        SELECT row_number() OVER () AS ordinal, filename, type, timestamp,
               requestId AS request_id, message.id AS message_id, message.model AS model,
               message.usage AS usage{extra}
        FROM read_ndjson($files, columns = $columns, filename = true, ignore_errors = true,
                         maximum_object_size = {_MAX_LINE_BYTES})
        """,
        {"files": files.column("filename").to_pylist(), "columns": columns},
    )
    con.execute(
        f"""
        CREATE TEMP TABLE cc_stats AS
        SELECT f.filename, f.project, f.file_index, min(l.ordinal) AS first_ordinal,
               count(l.ordinal) AS lines, coalesce(bool_or({_NEEDS_REREAD}), false) AS reread
        FROM cc_files f LEFT JOIN cc_lines l USING (filename)
        GROUP BY ALL
        """
    )


def _count(path: str) -> str:
    return f"coalesce(TRY_CAST({path} AS BIGINT), 0)"


def _is_null(path: str) -> str:
    return f"({path} IS NULL OR json_type({path}) = 'NULL')"


def _valid_count(path: str) -> str:
    return (
        f"({_is_null(path)} OR (json_type({path}) IN ('UBIGINT', 'BIGINT') "
        f"AND TRY_CAST({path} AS BIGINT) >= 0))"
    )


_VALID_REQUEST = " AND ".join(
    [
        "coalesce(model, '') <> ''",
        "coalesce(message_id, '') <> ''",
        TIMESTAMP_VALID_SQL,
        *(_valid_count(path) for path in _COUNT_PATHS),
    ]
)
# NOTE: a usage value that is not an object reads as an object of nulls here, so
# such a line counts as zero tokens in the bulk path but is an issue per line.
_NEEDS_REREAD = (
    f"l.type IS NULL OR (l.usage IS NOT NULL AND l.model IS DISTINCT FROM '{SYNTHETIC_MODEL}' "
    f"AND NOT ({_VALID_REQUEST}))"
)
_NO_SPLIT = (
    f"{_is_null('usage.cache_creation.ephemeral_5m_input_tokens')} "
    f"AND {_is_null('usage.cache_creation.ephemeral_1h_input_tokens')}"
)


def _winners(
    con: duckdb.DuckDBPyConnection, context: ImportContext, attributes: _Attributes
) -> pa.Table:
    expr = attributes.expressions
    sql = f"""
        SELECT
            '{PROVIDER}:' || message_id
                || CASE WHEN coalesce(request_id, '') = '' THEN '' ELSE ':' || request_id END AS id,
            TRY_CAST(timestamp AS TIMESTAMPTZ) AS ts,
            $provider AS provider,
            model,
            coalesce(nullif(coalesce({expr["feature"]}, $feature), ''), s.project) AS feature,
            coalesce({expr["user"]}, $user) AS user_id,
            coalesce({expr["environment"]}, $environment) AS environment,
            {_count("usage.input_tokens")} AS input_tokens,
            {_count("usage.cache_read_input_tokens")} AS cache_read_tokens,
            CASE WHEN {_NO_SPLIT} THEN {_count("usage.cache_creation_input_tokens")}
                 ELSE {_count("usage.cache_creation.ephemeral_5m_input_tokens")}
            END AS cache_write_5m_tokens,
            CASE WHEN {_NO_SPLIT} THEN 0
                 ELSE {_count("usage.cache_creation.ephemeral_1h_input_tokens")}
            END AS cache_write_1h_tokens,
            {_count("usage.output_tokens")} AS output_tokens,
            0 AS reasoning_tokens,
            {_count("usage.server_tool_use.web_search_requests")} AS web_searches,
            0 AS input_audio_tokens,
            0 AS output_audio_tokens,
            false AS batch,
            nullif(usage.service_tier, '') AS service_tier,
            NULL::BIGINT AS latency_ms,
            'ok' AS status,
            NULL::DECIMAL(18, 12) AS reported_cost_usd,
            filename AS source_file,
            ordinal - s.first_ordinal + 1 AS source_line,
            '{TIMESTAMP_FROM_RECORD}' AS timestamp_source,
            NULL::VARCHAR AS flags,
            '{FORMAT_NAME}' AS format
        FROM cc_lines l JOIN cc_stats s USING (filename)
        WHERE NOT s.reread AND usage IS NOT NULL AND model <> '{SYNTHETIC_MODEL}'
        QUALIFY row_number() OVER (
            PARTITION BY message_id, coalesce(request_id, '') ORDER BY ordinal DESC
        ) = 1
        ORDER BY ordinal
    """
    params = {
        "provider": context.provider or PROVIDER,
        "feature": context.feature,
        "user": context.user,
        "environment": context.environment,
    }
    return con.sql(sql, params=params).to_arrow_table().cast(ARROW_SCHEMA)


def _synthetic_issues(con: duckdb.DuckDBPyConnection) -> list[LineIssue]:
    rows = con.execute(
        f"""
        SELECT filename, ordinal - s.first_ordinal + 1
        FROM cc_lines l JOIN cc_stats s USING (filename)
        WHERE NOT s.reread AND usage IS NOT NULL AND model = '{SYNTHETIC_MODEL}'
        ORDER BY ordinal
        """
    ).fetchall()
    return [LineIssue(name, int(line), SYNTHETIC_REASON) for name, line in rows]


def _merge_reread(
    table: pa.Table,
    sessions: list[SessionFile],
    reread: set[str],
    context: ImportContext,
    issues: list[LineIssue],
    lines_read: int,
) -> tuple[pa.Table, int]:
    """Read the flagged files line by line and merge their records into ``table``.

    A request found in several files keeps its line from the file latest in order,
    as in the per-line reader, whichever reader produced it.
    """
    extra: list[UsageRecord] = []
    for session in sessions:
        if str(session.path) not in reread:
            continue
        scan = scan_session(session, context)
        lines_read += scan.lines
        issues.extend(scan.issues)
        extra.extend(scan.records.values())
    combined = pa.concat_tables([table, records_to_arrow(extra)])
    order = pa.array([str(session.path) for session in sessions], pa.string())
    file_rank = pc.index_in(combined.column("source_file"), value_set=order)
    con = connect()
    try:
        con.register("combined", combined.append_column("file_rank", file_rank))
        merged = con.sql(
            """
            SELECT * EXCLUDE (file_rank) FROM combined
            QUALIFY row_number() OVER (
                PARTITION BY id ORDER BY file_rank DESC, source_line DESC
            ) = 1
            ORDER BY file_rank, source_line
            """
        ).to_arrow_table()
    finally:
        con.close()
    return merged.cast(ARROW_SCHEMA), lines_read


def _attribute_sql(context: ImportContext) -> _Attributes | None:
    """Translate the attribute paths of ``context`` into JSON columns and SQL expressions.

    Returns None for a path inside a field the reader already types (such as
    ``message.model``), which the per-line reader handles instead.
    """
    attributes = _Attributes(columns={}, expressions={})
    for name in ("feature", "user", "environment"):
        path = context.attribute_fields.get(name)
        if path is None:
            attributes.expressions[name] = "NULL"
            continue
        first, *rest = path.split(".")
        if first in _COLUMNS:
            return None
        attributes.columns[first] = "JSON"
        value = _quote("attr:" + first)
        if rest:
            json_path = "$." + ".".join('"' + key.replace('"', '\\"') + '"' for key in rest)
            value = f"json_extract({value}, {_literal(json_path)})"
        attributes.expressions[name] = _scalar_text(value)
    return attributes


def _scalar_text(value: str) -> str:
    """SQL for the text Python's ``str()`` gives a JSON scalar; objects and arrays give NULL."""
    return f"""(CASE json_type({value})
        WHEN 'VARCHAR' THEN {value} ->> '$'
        WHEN 'BOOLEAN' THEN CASE WHEN {value}::BOOLEAN THEN 'True' ELSE 'False' END
        WHEN 'BIGINT' THEN {value} ->> '$'
        WHEN 'UBIGINT' THEN {value} ->> '$'
        WHEN 'DOUBLE' THEN CAST({value}::DOUBLE AS VARCHAR)
    END)"""


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _one(relation: Any) -> Any:
    row = relation.fetchone()
    return row[0] if row else 0
