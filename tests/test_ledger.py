"""The ledger: idempotent imports, interrupted imports, repricing and schema versions."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import plugin_format  # noqa: F401  (registers the test format)
from truecost.errors import InputError, LedgerError
from truecost.importers import ImportContext
from truecost.ledger import Ledger, ingest
from truecost.ledger.ingest import import_paths
from truecost.pricing import PriceCatalog

MODEL = "claude-sonnet-4-20250514"


def write_tiny(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def rows(start: int, count: int) -> list[str]:
    return [f"r{i},2025-09-03T10:00:00+00:00,{MODEL},1000,100" for i in range(start, start + count)]


def test_import_twice_adds_nothing(tmp_path: Path, ledger: Ledger, catalog: PriceCatalog) -> None:
    logs = write_tiny(tmp_path / "a.tiny", rows(0, 5))
    first = import_paths(ledger, [logs], catalog, ImportContext())
    second = import_paths(ledger, [logs], catalog, ImportContext())
    assert first.imported == 5
    assert second.imported == 0
    assert second.duplicates == 5
    assert ledger.count() == 5


def test_overlapping_files_count_once(
    tmp_path: Path, ledger: Ledger, catalog: PriceCatalog
) -> None:
    a = write_tiny(tmp_path / "a.tiny", rows(0, 5))
    b = write_tiny(tmp_path / "b.tiny", rows(3, 5))
    summary = import_paths(ledger, [a, b], catalog, ImportContext())
    assert summary.imported == 8
    assert summary.duplicates == 2
    assert ledger.count() == 8


def test_records_priced_on_import(tmp_path: Path, ledger: Ledger, catalog: PriceCatalog) -> None:
    logs = write_tiny(tmp_path / "a.tiny", rows(0, 2))
    import_paths(ledger, [logs], catalog, ImportContext())
    total = ledger.con.execute("SELECT sum(cost_usd) FROM records").fetchall()[0][0]
    # 2 x (1,000 input at $3/M + 100 output at $15/M)
    assert total == Decimal("0.009")


def test_interrupt_keeps_committed_batches(
    tmp_path: Path, ledger: Ledger, catalog: PriceCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest, "BATCH_RECORDS", 3)
    logs = write_tiny(tmp_path / "a.tiny", [*rows(0, 7), "INTERRUPT", *rows(7, 3)])
    with pytest.raises(KeyboardInterrupt):
        import_paths(ledger, [logs], catalog, ImportContext())
    # Two full batches of three were committed; the unfinished batch (r6) was not.
    assert ledger.count() == 6
    resumed = import_paths(
        ledger, [write_tiny(tmp_path / "a.tiny", rows(0, 10))], catalog, ImportContext()
    )
    assert resumed.imported == 4
    assert ledger.count() == 10


def test_strict_stops_at_bad_line(tmp_path: Path, ledger: Ledger, catalog: PriceCatalog) -> None:
    logs = write_tiny(tmp_path / "a.tiny", [*rows(0, 2), "broken line", *rows(2, 2)])
    with pytest.raises(InputError, match=r"a\.tiny:3: expected 5 comma-separated fields"):
        import_paths(ledger, [logs], catalog, ImportContext(), strict=True)
    assert ledger.count() == 0


def test_bad_lines_listed_and_counted(
    tmp_path: Path, ledger: Ledger, catalog: PriceCatalog
) -> None:
    logs = write_tiny(tmp_path / "a.tiny", [*rows(0, 2), *["x"] * 12])
    summary = import_paths(ledger, [logs], catalog, ImportContext())
    assert summary.imported == 2
    assert summary.skipped_lines == 12
    assert len(summary.issues) == 10
    assert str(summary.issues[0]).endswith("a.tiny:3: expected 5 comma-separated fields")


def test_override_file_reprices_ledger(
    tmp_path: Path, ledger: Ledger, catalog: PriceCatalog
) -> None:
    logs = write_tiny(tmp_path / "a.tiny", rows(0, 1))
    import_paths(ledger, [logs], catalog, ImportContext())
    overrides = tmp_path / "prices.toml"
    overrides.write_text(f'[[price]]\nmodel = "{MODEL}"\ndiscount = "0.2"\n', encoding="utf-8")
    assert ledger.ensure_priced(PriceCatalog([overrides])) is True
    cost = ledger.con.execute("SELECT cost_usd FROM records").fetchall()[0][0]
    # (1,000 x $3/M + 100 x $15/M) x 0.8
    assert cost == Decimal("0.0036")


def test_custom_model_priced_by_override(tmp_path: Path, ledger: Ledger) -> None:
    overrides = tmp_path / "prices.toml"
    overrides.write_text(
        '[[price]]\nmodel = "our-llama-*"\ninput_usd_per_mtok = "0.10"\noutput_usd_per_mtok = "0.40"\n'
        'request_usd = "0.0001"\n',
        encoding="utf-8",
    )
    logs = write_tiny(tmp_path / "a.tiny", ["x1,2025-09-03T10:00:00+00:00,our-llama-70b,1000,1000"])
    import_paths(ledger, [logs], PriceCatalog([overrides]), ImportContext())
    row = ledger.con.execute("SELECT cost_usd, price_model FROM records").fetchall()[0]
    assert row == (Decimal("0.0006"), "custom/our-llama-70b")


def test_newer_schema_rejected(tmp_path: Path) -> None:
    path = tmp_path / "ledger.duckdb"
    with Ledger(path) as ledger:
        ledger.con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'").fetchall()
    with pytest.raises(LedgerError, match="schema version 999"):
        Ledger(path)


def test_garbage_file_is_ledger_error(tmp_path: Path) -> None:
    path = tmp_path / "not-a-ledger.duckdb"
    path.write_bytes(b"this is not a database\n" * 100)
    with pytest.raises(LedgerError, match="cannot open the ledger"):
        Ledger(path)


def test_import_counts_unpriced_and_logs_run(
    tmp_path: Path, ledger: Ledger, catalog: PriceCatalog
) -> None:
    logs = write_tiny(
        tmp_path / "a.tiny", [*rows(0, 2), "u1,2025-09-03T10:00:00+00:00,unknown-model-x,10,1"]
    )
    summary = import_paths(ledger, [logs], catalog, ImportContext())
    assert summary.imported == 3
    assert summary.unpriced == 1
    runs = ledger.con.execute(
        "SELECT id, files, records_read, imported, duplicates, skipped_lines FROM imports"
    ).fetchall()
    assert runs == [(1, 1, 3, 3, 0, 0)]


def test_foreign_database_rejected(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE invoices (id INTEGER)").fetchall()
    con.close()
    with pytest.raises(LedgerError, match="not a truecost ledger"):
        Ledger(path)
    con = duckdb.connect(str(path))
    tables = con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    con.close()
    assert tables == [("invoices",)]


def test_csv_file_as_ledger_rejected(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(LedgerError, match="not a truecost ledger"):
        Ledger(path)


def test_oversized_count_skipped(tmp_path: Path, ledger: Ledger, catalog: PriceCatalog) -> None:
    logs = write_tiny(
        tmp_path / "a.tiny", [*rows(0, 1), f"big,2025-09-03T10:00:00+00:00,{MODEL},20000000000,1"]
    )
    summary = import_paths(ledger, [logs], catalog, ImportContext())
    assert summary.imported == 1
    assert summary.skipped_lines == 1
    assert str(summary.issues[0]).endswith(
        "a.tiny:2: a token count above 10,000,000,000 in one call; fix or remove the line"
    )


def test_empty_file_skipped_with_issue(
    tmp_path: Path, ledger: Ledger, catalog: PriceCatalog
) -> None:
    good = write_tiny(tmp_path / "a.tiny", rows(0, 2))
    empty = tmp_path / "b.tiny"
    empty.write_text("", encoding="utf-8")
    summary = import_paths(ledger, [good, empty], catalog, ImportContext())
    assert summary.imported == 2
    assert [str(issue) for issue in summary.issues] == [f"{empty}: the file is empty; skipped"]


def test_custom_model_missing_input_noted(tmp_path: Path, ledger: Ledger) -> None:
    overrides = tmp_path / "prices.toml"
    overrides.write_text(
        '[[price]]\nmodel = "half-priced-*"\noutput_usd_per_mtok = "1"\n', encoding="utf-8"
    )
    logs = write_tiny(tmp_path / "a.tiny", ["h1,2025-09-03T10:00:00+00:00,half-priced-x,1000,1000"])
    import_paths(ledger, [logs], PriceCatalog([overrides]), ImportContext())
    cost, note = ledger.con.execute("SELECT cost_usd, price_note FROM records").fetchall()[0]
    assert cost == Decimal("0.001")
    assert note == (
        "priced by override prices.toml#1; "
        "override prices.toml#1 gives no input price: input tokens billed at $0"
    )


def test_misdated_records_skipped(tmp_path: Path, ledger: Ledger, catalog: PriceCatalog) -> None:
    logs = write_tiny(
        tmp_path / "a.tiny",
        [
            *rows(0, 1),
            f"old,1970-01-02T00:00:00+00:00,{MODEL},10,1",
            f"future,5138-11-16T09:46:39+00:00,{MODEL},10,1",
        ],
    )
    summary = import_paths(ledger, [logs], catalog, ImportContext())
    assert summary.imported == 1
    assert [issue.line for issue in summary.issues] == [2, 3]
    assert "timestamp 5138-11-16 09:46 UTC is outside 2015 to a year from now" in str(
        summary.issues[1]
    )


def test_unpriced_web_searches_noted(ledger: Ledger, catalog: PriceCatalog) -> None:
    from datetime import UTC, datetime

    from truecost.record import UsageRecord, records_to_arrow

    record = UsageRecord(
        id="ws",
        timestamp=datetime(2026, 8, 11, tzinfo=UTC),
        provider="openrouter",
        model="openai/gpt-4.1-mini",
        input_tokens=1000,
        output_tokens=10,
        other_units={"web_searches": 2},
    )
    ledger.insert(records_to_arrow([record]), catalog)
    note = ledger.con.execute("SELECT price_note FROM records").fetchall()[0][0]
    assert (
        note == "2 web searches not priced: the price data has no web-search price for this model"
    )


def test_sqlite_file_rejected_offline(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "other.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE foo (a)").connection.commit()
    with pytest.raises(LedgerError, match="is a SQLite database, not a truecost ledger"):
        Ledger(path, read_only=True)


def test_connections_never_fetch_extensions() -> None:
    from truecost.duckdb_connection import connect

    con = connect()
    settings = con.execute(
        "SELECT current_setting('autoinstall_known_extensions'), "
        "current_setting('autoload_known_extensions')"
    ).fetchall()
    assert settings == [(False, False)]
