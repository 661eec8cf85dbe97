"""Import log files into a ledger in batches, with a summary of what happened to every line."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from truecost.errors import InputError
from truecost.importers import ImportContext, Importer, LineIssue, plan_import
from truecost.ledger.store import Ledger
from truecost.pricing.catalog import PriceCatalog
from truecost.record import MAX_TOKENS, TIMESTAMP_FROM_RECORD, UsageRecord, records_to_arrow

logger = logging.getLogger("truecost.import")

BATCH_RECORDS = 50_000
LISTED_ISSUES = 10


@dataclass
class ImportSummary:
    """Counts of the records an import read, stored and skipped."""

    files: int = 0
    records_read: int = 0
    imported: int = 0
    # Of ``imported``, the records that replaced a stored one from an earlier line of their file.
    replaced: int = 0
    duplicates: int = 0
    skipped_lines: int = 0
    unpriced: int = 0
    issues: list[LineIssue] = field(default_factory=list)
    flagged: int = 0
    flag_examples: list[str] = field(default_factory=list)
    timestamp_fallbacks: dict[str, int] = field(default_factory=dict)
    formats: dict[str, int] = field(default_factory=dict)

    def add_issue(self, issue: LineIssue) -> None:
        """Count a skipped line, keeping the first few for the summary."""
        self.skipped_lines += 1
        if len(self.issues) < LISTED_ISSUES:
            self.issues.append(issue)


# Called with (files done, files total) after each file, for a progress bar.
ProgressCallback = Callable[[int, int], None]


def import_paths(
    ledger: Ledger,
    paths: list[Path],
    catalog: PriceCatalog,
    context: ImportContext,
    *,
    forced_format: str | None = None,
    strict: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportSummary:
    """Read ``paths``, price the records and store them in ``ledger``.

    With ``strict`` the first skipped line raises ``InputError``; batches
    committed before it stay in the ledger, and nothing of the bad batch does.
    """
    started_at = datetime.now(UTC)
    planned = plan_import(paths, forced_format, context.column_map)
    if planned.excluded:
        context = replace(context, excluded_files=frozenset(planned.excluded))
    plan = planned.files
    summary = ImportSummary(files=len(plan))
    for empty in planned.empty:
        summary.add_issue(LineIssue(str(empty), 0, "the file is empty; skipped"))
    for compressed in planned.compressed:
        reason = "a compressed log, which truecost does not read; decompress it and import it"
        summary.add_issue(LineIssue(str(compressed), 0, reason))
    ledger.ensure_priced(catalog)
    by_importer: dict[str, tuple[Importer, list[Path]]] = {}
    for importer, path in plan:
        by_importer.setdefault(importer.name, (importer, []))[1].append(path)
    done = 0
    for importer, importer_paths in by_importer.values():
        summary.formats[importer.name] = len(importer_paths)
        later_replace = importer.later_lines_replace
        bulk = None if strict else importer.read_bulk(importer_paths, context)
        if bulk is not None:
            _store_bulk(ledger, catalog, summary, bulk.table, bulk.table.num_rows, later_replace)
            _note_bulk_flags(summary, bulk.table)
            summary.skipped_lines += bulk.issue_count
            summary.issues.extend(bulk.issues[: max(0, LISTED_ISSUES - len(summary.issues))])
            done += len(importer_paths)
            if progress:
                progress(done, len(plan))
            continue

        def path_done() -> None:
            nonlocal done
            done += 1
            if progress:
                progress(done, len(plan))

        items = importer.read_many(importer_paths, context, path_done)
        _store_items(ledger, catalog, summary, items, strict, later_replace)
    ledger.record_import(
        started_at,
        [str(path) for path in paths],
        {
            "files": summary.files,
            "records_read": summary.records_read,
            "imported": summary.imported,
            "duplicates": summary.duplicates,
            "skipped_lines": summary.skipped_lines,
        },
    )
    logger.info(
        "imported %d of %d records from %d files (%d duplicates, %d lines skipped)",
        summary.imported,
        summary.records_read,
        summary.files,
        summary.duplicates,
        summary.skipped_lines,
    )
    return summary


def _store_items(
    ledger: Ledger,
    catalog: PriceCatalog,
    summary: ImportSummary,
    items: Iterator[UsageRecord | LineIssue],
    strict: bool,
    replace: bool,
) -> None:
    pending: list[UsageRecord] = []
    for item in items:
        if isinstance(item, LineIssue):
            if strict:
                raise InputError(f"{item}. Fix the line, or import without --strict to skip it.")
            summary.add_issue(item)
            continue
        _note_record(summary, item)
        pending.append(item)
        if len(pending) >= BATCH_RECORDS:
            _store_bulk(ledger, catalog, summary, records_to_arrow(pending), len(pending), replace)
            pending = []
    if pending:
        _store_bulk(ledger, catalog, summary, records_to_arrow(pending), len(pending), replace)


def _note_record(summary: ImportSummary, record: UsageRecord) -> None:
    if record.flags:
        summary.flagged += 1
        if len(summary.flag_examples) < LISTED_ISSUES:
            where = f"{record.source_file}:{record.source_line}"
            summary.flag_examples.append(f"{where}: {'; '.join(record.flags)}")
    if record.timestamp_source != TIMESTAMP_FROM_RECORD:
        fallbacks = summary.timestamp_fallbacks
        fallbacks[record.timestamp_source] = fallbacks.get(record.timestamp_source, 0) + 1


_COUNT_COLUMNS = (
    "input_tokens",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
    "web_searches",
    "input_audio_tokens",
    "output_audio_tokens",
)


def _drop_oversized(table: pa.Table, summary: ImportSummary) -> pa.Table:
    """Skip records with a count above ``MAX_TOKENS``, which pricing cannot represent."""
    oversized = pc.greater(table.column(_COUNT_COLUMNS[0]), MAX_TOKENS)
    for name in _COUNT_COLUMNS[1:]:
        oversized = pc.or_(oversized, pc.greater(table.column(name), MAX_TOKENS))
    if not pc.any(oversized).as_py():
        return table
    for row in table.filter(oversized).select(["source_file", "source_line"]).to_pylist():
        reason = f"a token count above {MAX_TOKENS:,} in one call; fix or remove the line"
        summary.add_issue(LineIssue(row["source_file"], row["source_line"], reason))
    return table.filter(pc.invert(oversized))


# Calls dated before this, or more than a year after the import, are logging errors
# (a millisecond epoch read as seconds, a zeroed clock), not spend to report.
EARLIEST_CALL = datetime(2015, 1, 1, tzinfo=UTC)
FUTURE_MARGIN = timedelta(days=366)


def _drop_misdated(table: pa.Table, summary: ImportSummary) -> pa.Table:
    """Skip records dated before 2015 or more than a year in the future."""
    latest = datetime.now(UTC) + FUTURE_MARGIN
    stamps = table.column("ts")
    misdated = pc.or_(pc.less(stamps, EARLIEST_CALL), pc.greater(stamps, latest))
    if not pc.any(misdated).as_py():
        return table
    for row in table.filter(misdated).select(["source_file", "source_line", "ts"]).to_pylist():
        reason = (
            f"timestamp {row['ts']:%Y-%m-%d %H:%M} UTC is outside 2015 to a year from now; "
            "fix the line (a millisecond epoch read as seconds?) or remove it"
        )
        summary.add_issue(LineIssue(row["source_file"], row["source_line"], reason))
    return table.filter(pc.invert(misdated))


def _store_bulk(
    ledger: Ledger,
    catalog: PriceCatalog,
    summary: ImportSummary,
    table: pa.Table,
    read: int,
    replace: bool,
) -> None:
    summary.records_read += read
    table = _drop_misdated(_drop_oversized(table, summary), summary)
    if table.num_rows == 0:
        return
    result = ledger.insert_batch(table, catalog, replace_earlier_lines=replace)
    summary.imported += result.inserted
    summary.replaced += result.replaced
    summary.duplicates += result.duplicates
    summary.unpriced += result.unpriced


def _note_bulk_flags(summary: ImportSummary, table: pa.Table) -> None:
    """Count flags and timestamp fallbacks of rows that came through a bulk path."""
    flagged = table.filter(pc.is_valid(table.column("flags")))
    summary.flagged += flagged.num_rows
    for row in flagged.slice(0, LISTED_ISSUES).to_pylist():
        if len(summary.flag_examples) < LISTED_ISSUES:
            summary.flag_examples.append(
                f"{row['source_file']}:{row['source_line']}: {row['flags']}"
            )
    sources = pc.value_counts(table.column("timestamp_source")).to_pylist()
    for entry in sources:
        source, count = entry["values"], entry["counts"]
        if source and source != TIMESTAMP_FROM_RECORD:
            summary.timestamp_fallbacks[source] = summary.timestamp_fallbacks.get(source, 0) + count
