"""The ledger: a DuckDB file of priced usage records.

Imports are idempotent because a record whose id is already stored is skipped.
Each batch is inserted and priced in one transaction, so an interrupted import
leaves the ledger as it was before the unfinished batch.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import platformdirs
import pyarrow as pa
import pyarrow.compute as pc

from truecost.duckdb_connection import connect
from truecost.errors import LedgerError
from truecost.ledger.schema import migrate
from truecost.ledger.sql import first_row
from truecost.pricing.apply import build_rate_table, priced_select_sql
from truecost.pricing.catalog import PriceCatalog
from truecost.record import ARROW_SCHEMA

LEDGER_ENV = "TRUECOST_LEDGER"
IMPORT_COLUMNS = list(ARROW_SCHEMA.names)
_FINGERPRINT_KEY = "price_fingerprint"


def default_ledger_path() -> Path:
    """Return the ledger path: ``$TRUECOST_LEDGER``, else ``ledger.duckdb`` in the user data folder."""
    from_env = os.environ.get(LEDGER_ENV)
    if from_env:
        return Path(from_env)
    return Path(platformdirs.user_data_dir("truecost")) / "ledger.duckdb"


@dataclass(frozen=True)
class InsertResult:
    """Counts of one stored batch; ``unpriced`` are stored records no price matched."""

    inserted: int
    duplicates: int
    unpriced: int
    # Stored records replaced by a later line of their request, counted in ``inserted`` too.
    replaced: int = 0


class Ledger:
    """An open ledger. ``path`` None opens a temporary in-memory ledger."""

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self.con = _connect(path, read_only)
        try:
            migrate(self.con, read_only=read_only)
        except duckdb.Error as exc:
            self.con.close()
            raise LedgerError(f"{path}: cannot read the ledger: {exc}") from None
        except LedgerError as exc:
            self.con.close()
            raise LedgerError(f"{path or 'in-memory ledger'}: {exc}") from None

    def close(self) -> None:
        """Close the connection; later calls on this ledger fail."""
        self.con.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def count(self) -> int:
        """Return the number of stored records."""
        row = first_row(self.con.execute("SELECT count(*) FROM records"))
        return int(row[0]) if row else 0

    def insert(self, table: pa.Table, catalog: PriceCatalog) -> tuple[int, int]:
        """Price and store a batch of records; return ``(inserted, duplicates)``."""
        result = self.insert_batch(table, catalog)
        return result.inserted, result.duplicates

    def insert_batch(
        self, table: pa.Table, catalog: PriceCatalog, *, replace_earlier_lines: bool = False
    ) -> InsertResult:
        """Price and store a batch of records in one transaction.

        Records with an id already stored, or repeated inside the batch, are
        duplicates: the first one seen is kept. With ``replace_earlier_lines``, a
        record from a later line of the file a stored record came from, or with a
        later timestamp, replaces it: the log grew since the last import.
        """
        if table.num_rows == 0:
            return InsertResult(0, 0, 0)
        batch = table.select(IMPORT_COLUMNS)
        self.con.register("incoming", batch)
        try:
            self.con.execute("BEGIN TRANSACTION").fetchall()
            try:
                replaced = self._delete_earlier_lines() if replace_earlier_lines else 0
                inserted, unpriced = self._insert_new(catalog)
                self.con.execute("COMMIT").fetchall()
            except BaseException:
                self._rollback()
                raise
        finally:
            self.con.unregister("incoming")
        return InsertResult(inserted, table.num_rows - inserted, unpriced, replaced)

    def _delete_earlier_lines(self) -> int:
        """Delete the stored records that a later line in ``incoming`` updates."""
        deleted = first_row(
            self.con.execute(
                """
                DELETE FROM records WHERE id IN (
                    SELECT r.id FROM records AS r JOIN incoming AS i USING (id)
                    WHERE (i.source_file = r.source_file AND i.source_line > r.source_line)
                       OR i.ts > r.ts
                )
                """
            )
        )
        return int(deleted[0]) if deleted else 0

    def _insert_new(self, catalog: PriceCatalog) -> tuple[int, int]:
        self._ensure_priced_with(catalog)
        # Ranking every row by id to drop repeats is slow on large batches, so only the
        # ids that repeat inside the batch (usually none) are ranked, and a batch without
        # repeats goes straight from the Arrow table into the ledger.
        repeats = first_row(
            self.con.execute(
                "SELECT count(*) FROM (SELECT id FROM incoming GROUP BY id HAVING count(*) > 1)"
            )
        )
        if repeats and repeats[0]:
            self.con.execute(
                """
                CREATE OR REPLACE TEMP TABLE repeated AS
                SELECT id FROM incoming GROUP BY id HAVING count(*) > 1;
                CREATE OR REPLACE TEMP VIEW fresh AS
                SELECT * FROM incoming
                WHERE id NOT IN (SELECT id FROM records) AND id NOT IN (SELECT id FROM repeated)
                UNION ALL
                SELECT * FROM (
                    SELECT * FROM incoming
                    WHERE id IN (SELECT id FROM repeated) AND id NOT IN (SELECT id FROM records)
                    QUALIFY row_number() OVER (PARTITION BY id ORDER BY source_file, source_line) = 1
                )
                """
            ).fetchall()
        else:
            self.con.execute(
                """
                CREATE OR REPLACE TEMP VIEW fresh AS
                SELECT * FROM incoming WHERE id NOT IN (SELECT id FROM records)
                """
            ).fetchall()
        rates = build_rate_table(self.con, catalog, "incoming")
        hourly = _has_hourly_prices(rates)
        unpriced_before = self._unpriced_count()
        self.con.register("rates", rates)
        try:
            select = priced_select_sql("fresh", "rates", IMPORT_COLUMNS)
            inserted = first_row(self.con.execute(f"INSERT INTO records {select}"))
        finally:
            # After an interrupt the transaction is aborted and these fail too. The caller's
            # rollback removes them, and the first error is the one to report.
            with contextlib.suppress(duckdb.Error):
                self.con.unregister("rates")
                self.con.execute("DROP VIEW fresh; DROP TABLE IF EXISTS repeated").fetchall()
        unpriced = self._unpriced_count() - unpriced_before
        if hourly:
            # An hourly price is shared by every call of its hour, stored or new.
            self._reprice_all(catalog)
        return (int(inserted[0]) if inserted else 0), unpriced

    def _rollback(self) -> None:
        """Roll back the open transaction; after an interrupt DuckDB may have ended it already."""
        # The original error is what the caller needs to see, not this one.
        with contextlib.suppress(duckdb.Error):
            self.con.execute("ROLLBACK").fetchall()

    def _unpriced_count(self) -> int:
        row = first_row(self.con.execute("SELECT count(*) FROM records WHERE cost_usd IS NULL"))
        return int(row[0]) if row else 0

    def record_import(
        self,
        started_at: datetime,
        paths: list[str],
        counts: dict[str, int],
    ) -> None:
        """Add a row to the ``imports`` table: when, which paths, and what was read and stored."""
        self.con.execute(
            """
            INSERT INTO imports
            SELECT coalesce(max(id), 0) + 1, ?, now(), ?, ?, ?, ?, ?, ? FROM imports
            """,
            [
                started_at,
                counts["files"],
                counts["records_read"],
                counts["imported"],
                counts["duplicates"],
                counts["skipped_lines"],
                "\n".join(paths),
            ],
        ).fetchall()

    def ensure_priced(self, catalog: PriceCatalog) -> bool:
        """Reprice every record if the prices changed since they were priced; return True if it did."""
        if self.read_only:
            return False
        self.con.execute("BEGIN TRANSACTION").fetchall()
        try:
            changed = self._ensure_priced_with(catalog)
            self.con.execute("COMMIT").fetchall()
        except BaseException:
            self._rollback()
            raise
        return changed

    def _reprice_all(self, catalog: PriceCatalog) -> None:
        rates = build_rate_table(self.con, catalog, "records")
        self.con.register("rates", rates)
        try:
            select = priced_select_sql(
                "records", "rates", IMPORT_COLUMNS, _has_hourly_prices(rates)
            )
            self.con.execute(f"CREATE OR REPLACE TEMP TABLE repriced AS {select}").fetchall()
            self.con.execute("DELETE FROM records").fetchall()
            self.con.execute("INSERT INTO records SELECT * FROM repriced").fetchall()
            self.con.execute("DROP TABLE repriced").fetchall()
        finally:
            self.con.unregister("rates")

    def priced_with(self, catalog: PriceCatalog) -> bool:
        """Return True when the stored records were priced with ``catalog``'s prices."""
        row = first_row(
            self.con.execute("SELECT value FROM meta WHERE key = ?", [_FINGERPRINT_KEY])
        )
        return row is not None and row[0] == catalog.fingerprint

    def _ensure_priced_with(self, catalog: PriceCatalog) -> bool:
        if self.priced_with(catalog):
            return False
        fingerprint = catalog.fingerprint
        if self.count():
            self._reprice_all(catalog)
        self.con.execute(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)", [_FINGERPRINT_KEY, fingerprint]
        ).fetchall()
        return True


def _has_hourly_prices(rates: pa.Table) -> bool:
    return bool(rates.num_rows) and pc.max(rates.column("usd_per_hour_pico")).as_py() > 0


# DuckDB would hand a file with one of these headers to an extension instead of opening it.
_FOREIGN_HEADERS = {b"SQLite format 3\x00": "a SQLite database"}


def _reject_foreign_file(path: Path) -> None:
    """Raise ``LedgerError`` for a file that is another kind of database."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        # A missing or unreadable file is reported when DuckDB opens it.
        return
    for header, kind in _FOREIGN_HEADERS.items():
        if head.startswith(header):
            raise LedgerError(
                f"{path} is {kind}, not a truecost ledger. Pass --ledger with a ledger file, "
                "or a new path to start one."
            )


def _connect(path: Path | None, read_only: bool) -> duckdb.DuckDBPyConnection:
    if path is None:
        return connect()
    if read_only and not path.exists():
        raise LedgerError(
            f"{path}: no ledger here yet. Import logs first with 'truecost import FILES', "
            "or pass --ledger PATH."
        )
    _reject_foreign_file(path)
    try:
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        return connect(path, read_only=read_only)
    except (duckdb.Error, OSError) as exc:
        access = "read" if read_only else "read and write"
        raise LedgerError(
            f"{path}: cannot open the ledger ({exc}). Check that it is a truecost ledger, "
            f"that no other process writes to it, and that you may {access} it."
        ) from None


def open_ledger(path: Path | None = None, *, read_only: bool = False) -> Ledger:
    """Open (and create or upgrade) the ledger at ``path``, default ``default_ledger_path()``."""
    return Ledger(path or default_ledger_path(), read_only=read_only)
