"""The ledger's tables and its ordered, named, transactional migrations."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from truecost.errors import LedgerError
from truecost.ledger.sql import first_row

# Columns of ``records`` in order: the import columns of truecost.record.ARROW_SCHEMA,
# then what pricing adds.
RECORD_COLUMNS_SQL = """
    id VARCHAR NOT NULL,
    ts TIMESTAMPTZ NOT NULL,
    provider VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    feature VARCHAR,
    user_id VARCHAR,
    environment VARCHAR,
    input_tokens BIGINT NOT NULL,
    cache_read_tokens BIGINT NOT NULL,
    cache_write_5m_tokens BIGINT NOT NULL,
    cache_write_1h_tokens BIGINT NOT NULL,
    output_tokens BIGINT NOT NULL,
    reasoning_tokens BIGINT NOT NULL,
    web_searches BIGINT NOT NULL,
    input_audio_tokens BIGINT NOT NULL,
    output_audio_tokens BIGINT NOT NULL,
    batch BOOLEAN NOT NULL,
    service_tier VARCHAR,
    latency_ms BIGINT,
    status VARCHAR,
    reported_cost_usd DECIMAL(18, 12),
    source_file VARCHAR,
    source_line BIGINT,
    timestamp_source VARCHAR,
    flags VARCHAR,
    format VARCHAR,
    cost_usd DECIMAL(18, 12),
    uncached_cost_usd DECIMAL(18, 12),
    price_model VARCHAR,
    price_note VARCHAR
"""

Migration = tuple[int, str, Callable[[duckdb.DuckDBPyConnection], None]]


def _create_base_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE TABLE records ({RECORD_COLUMNS_SQL})").fetchall()
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)").fetchall()
    con.execute(
        """
        CREATE TABLE imports (
            id INTEGER PRIMARY KEY,
            started_at TIMESTAMPTZ NOT NULL,
            finished_at TIMESTAMPTZ,
            files INTEGER,
            records_read BIGINT,
            imported BIGINT,
            duplicates BIGINT,
            skipped_lines BIGINT,
            paths VARCHAR
        )
        """
    ).fetchall()


def _create_alert_tables(con: duckdb.DuckDBPyConnection) -> None:
    # One row per alert that fired: ``alert_key`` is the rule plus its period, so
    # each alert fires once per period however often ``alerts check`` runs.
    con.execute(
        """
        CREATE TABLE alert_firings (
            alert_key VARCHAR PRIMARY KEY,
            rule VARCHAR NOT NULL,
            period VARCHAR NOT NULL,
            fired_at TIMESTAMPTZ NOT NULL,
            evaluated_at TIMESTAMPTZ NOT NULL,
            payload VARCHAR NOT NULL
        )
        """
    ).fetchall()
    # One row per alert and notifier until delivered; a failed delivery stays
    # pending and is retried by the next check.
    con.execute(
        """
        CREATE TABLE notification_outbox (
            alert_key VARCHAR NOT NULL,
            notifier VARCHAR NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error VARCHAR,
            last_attempt_at TIMESTAMPTZ,
            delivered_at TIMESTAMPTZ,
            PRIMARY KEY (alert_key, notifier)
        )
        """
    ).fetchall()


# Each migration runs once, in order, inside its own transaction. Append new ones;
# never edit or reorder those already released.
MIGRATIONS: list[Migration] = [
    (1, "create records, meta and imports", _create_base_tables),
    (2, "create alert_firings and notification_outbox", _create_alert_tables),
]

SCHEMA_VERSION = MIGRATIONS[-1][0]


def migrate(con: duckdb.DuckDBPyConnection, *, read_only: bool = False) -> None:
    """Bring the ledger's schema up to ``SCHEMA_VERSION``."""
    current = _current_version(con)
    if current > SCHEMA_VERSION:
        raise LedgerError(
            f"the ledger has schema version {current}, newer than this truecost knows "
            f"({SCHEMA_VERSION}). Upgrade truecost to read it."
        )
    pending = [m for m in MIGRATIONS if m[0] > current]
    if pending and read_only:
        raise LedgerError(
            "the ledger needs a schema upgrade, which a read-only open cannot do. "
            "Run 'truecost import' once to upgrade it."
        )
    for version, _name, step in pending:
        con.execute("BEGIN TRANSACTION").fetchall()
        try:
            step(con)
            con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(version)]
            ).fetchall()
            con.execute("COMMIT").fetchall()
        except BaseException:
            con.execute("ROLLBACK").fetchall()
            raise


def _current_version(con: duckdb.DuckDBPyConnection) -> int:
    tables = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
        ).fetchall()
    }
    if tables and "meta" not in tables:
        # Migrating would write truecost's tables into someone else's database.
        shown = ", ".join(sorted(tables)[:5])
        raise LedgerError(
            f"this file is not a truecost ledger (it contains tables {shown}). "
            "Pass --ledger with a new file name or an existing truecost ledger."
        )
    exists = first_row(
        con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'")
    )
    if not exists or exists[0] == 0:
        return 0
    row = first_row(con.execute("SELECT value FROM meta WHERE key = 'schema_version'"))
    return int(row[0]) if row else 0
