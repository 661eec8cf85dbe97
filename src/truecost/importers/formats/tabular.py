"""Generic CSV and JSONL usage tables, one request per row.

The columns are named like the ``UsageRecord`` fields (see ``TABULAR_FIELDS``);
``ImportContext.column_map`` ({record field: column name}) renames any of
them. Only ``timestamp`` and ``model`` are required, plus ``provider`` unless
the import names one. A row without an ``id`` gets a hash of its content.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from truecost.errors import InputError
from truecost.importers.base import ImportContext, Importer, ImportItem, LineIssue
from truecost.importers.formats._values import BadValue, cost_usd, optional_text, parse_timestamp
from truecost.importers.registry import register
from truecost.record import (
    MAX_TOKENS,
    TIMESTAMP_FROM_OPTION,
    TIMESTAMP_FROM_RECORD,
    WEB_SEARCHES,
    UsageRecord,
)

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

COUNT_FIELDS = (
    "input_tokens",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
    "web_searches",
)
TEXT_FIELDS = ("feature", "user", "environment", "service_tier", "status")
TABULAR_FIELDS = (
    "id",
    "timestamp",
    "provider",
    "model",
    "feature",
    "user",
    "environment",
    *COUNT_FIELDS[:6],
    "web_searches",
    "batch",
    "service_tier",
    "latency_ms",
    "status",
    "reported_cost_usd",
)
# The maximum number of characters in one CSV cell. The csv module's default, 131,072, is
# too small for logged prompts: a million tokens of English text is roughly 4 million
# characters. The bound stops an unbalanced quote, which turns the rest of the file into
# one cell, from reading the whole file into memory.
MAX_CELL_CHARS = 16 * 1024 * 1024
_COUNT_TEXT = re.compile(r"\s*\d+\s*")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}


def column_names(context: ImportContext) -> dict[str, str]:
    """Return {record field: column name}, with ``context.column_map`` applied."""
    unknown = sorted(set(context.column_map) - set(TABULAR_FIELDS))
    if unknown:
        raise InputError(
            f"column map names unknown record fields {unknown}; valid fields: "
            + ", ".join(TABULAR_FIELDS)
        )
    return {name: context.column_map.get(name, name) for name in TABULAR_FIELDS}


def record_from_row(
    row: dict[str, Any], columns: dict[str, str], context: ImportContext, where: tuple[str, int]
) -> UsageRecord:
    """Build a record from one row; raise ``BadValue`` naming the column and value."""

    def cell(name: str) -> Any:
        value = row.get(columns[name])
        return None if value == "" else value

    counts = {name: _count(cell(name), columns[name]) for name in COUNT_FIELDS}
    searches = counts.pop("web_searches")
    for name in ("model", "provider"):
        if isinstance(cell(name), dict | list):
            kind = "an object" if isinstance(cell(name), dict) else "a list"
            raise BadValue(f"column '{columns[name]}' is {kind}; write the {name} name as text")
    model = optional_text(cell("model"))
    provider = optional_text(cell("provider")) or context.provider
    if model is None:
        raise BadValue(f"column '{columns['model']}' is missing or empty; every row needs a model")
    if provider is None:
        raise BadValue(
            f"column '{columns['provider']}' is missing or empty; "
            "add it or name the provider for the whole import"
        )
    raw_time = cell("timestamp")
    source = TIMESTAMP_FROM_RECORD
    if raw_time is None and context.fallback_timestamp is not None:
        timestamp, source = context.fallback_timestamp, TIMESTAMP_FROM_OPTION
    elif raw_time is None:
        raise BadValue(f"column '{columns['timestamp']}' is missing or empty; every row needs one")
    else:
        timestamp = parse_timestamp(raw_time, f"column '{columns['timestamp']}'")
    return UsageRecord(
        id=optional_text(cell("id")) or "",
        timestamp=timestamp,
        provider=provider,
        model=model,
        other_units={WEB_SEARCHES: searches} if searches else {},
        feature=optional_text(cell("feature")) or context.attribute("feature", row),
        user=optional_text(cell("user")) or context.attribute("user", row),
        environment=optional_text(cell("environment")) or context.attribute("environment", row),
        batch=_flag(cell("batch"), columns["batch"]),
        service_tier=optional_text(cell("service_tier")),
        latency_ms=_count(cell("latency_ms"), columns["latency_ms"], default=None),
        status=optional_text(cell("status")) or "ok",
        reported_cost_usd=cost_usd(
            cell("reported_cost_usd"), f"column '{columns['reported_cost_usd']}'"
        ),
        source_file=where[0],
        source_line=where[1],
        timestamp_source=source,
        **counts,
    )


def _count(value: Any, column: str, default: int | None = 0) -> Any:
    if value is None:
        return default
    if isinstance(value, str) and _COUNT_TEXT.fullmatch(value):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        if value > MAX_TOKENS:
            raise BadValue(f"column '{column}' is {value:,}, more than {MAX_TOKENS:,} in one call")
        return value
    raise BadValue(f"column '{column}' must be a non-negative integer, got {value!r}")


def _flag(value: Any, column: str) -> bool:
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise BadValue(f"column '{column}' must be true or false, got {value!r}")


def row_id(row: dict[str, Any], seen: Counter[str]) -> str:
    """Return a stable id for a row without one: a hash of its cells and its repeat number.

    Identical rows in one file are separate requests, so the second one hashes
    with its repeat number and neither is dropped as a duplicate.
    """
    canonical = json.dumps(row, sort_keys=True, default=str)
    seen[canonical] += 1
    digest = hashlib.sha256(f"{canonical}\n{seen[canonical]}".encode()).hexdigest()
    return f"row:{digest[:32]}"


def row_of(record: UsageRecord) -> dict[str, str]:
    """Return the CSV cells of ``record`` under the default column names."""
    cells: dict[str, str] = {
        "id": record.id,
        "timestamp": record.timestamp.isoformat(),
        "provider": record.provider,
        "model": record.model,
        "web_searches": str(record.other_units.get(WEB_SEARCHES, 0)),
        "batch": "true" if record.batch else "false",
        "latency_ms": "" if record.latency_ms is None else str(record.latency_ms),
        "reported_cost_usd": ""
        if record.reported_cost_usd is None
        else str(record.reported_cost_usd),
    }
    for name in (*COUNT_FIELDS[:6],):
        cells[name] = str(getattr(record, name))
    for name in TEXT_FIELDS:
        cells[name] = getattr(record, name) or ""
    return {name: cells[name] for name in TABULAR_FIELDS}


# Names other tools give the token counts, and the record field each one is.
_KNOWN_ALIASES = {
    "prompt_tokens": "input_tokens",
    "completion_tokens": "output_tokens",
    "cached_tokens": "cache_read_tokens",
    "cache_creation_input_tokens": "cache_write_5m_tokens",
    "cache_read_input_tokens": "cache_read_tokens",
}


def check_columns(
    where: str, present: list[str], columns: dict[str, str], context: ImportContext
) -> None:
    """Reject a header (or first JSON object) whose token counts would silently read as zero.

    A mapped column that is missing, a token column spelled like a known field, a
    column another tool uses for tokens, and a table without any token column all
    raise ``InputError`` naming the column and the ``--column`` option that fixes it.
    """
    present_set = set(present)
    for field_name, column in context.column_map.items():
        if column not in present_set:
            raise InputError(
                f"{where}: --column {field_name}={column}: there is no column '{column}' "
                f"(found: {', '.join(present)})"
            )
    token_fields = COUNT_FIELDS[:6]
    unknown = [name for name in present if name not in set(columns.values())]
    for field_name in token_fields:
        if columns[field_name] in present_set:
            continue
        for name in unknown:
            alias = _KNOWN_ALIASES.get(name)
            close = difflib.get_close_matches(name, [columns[field_name]], n=1, cutoff=0.8)
            if alias == field_name or close:
                raise InputError(
                    f"{where}: column '{name}' looks like {field_name}; map it with "
                    f"--column {field_name}={name}, or rename it"
                )
    if not any(columns[name] in present_set for name in token_fields):
        expected = ", ".join(columns[name] for name in token_fields)
        raise InputError(
            f"{where}: no token column (expected one of {expected}; found: "
            f"{', '.join(present)}); map yours with --column input_tokens=COLUMN"
        )


class _TableImporter(Importer):
    """Shared row handling of the CSV and JSONL importers."""

    def _record_items(
        self, path: Path, rows: Iterator[tuple[int, Any]], context: ImportContext
    ) -> Iterator[ImportItem]:
        columns = column_names(context)
        seen: Counter[str] = Counter()
        checked = self.name == "csv"
        for number, row in rows:
            if isinstance(row, LineIssue):
                yield row
                continue
            if not checked:
                check_columns(f"{path}:{number}", list(row), columns, context)
                checked = True
            try:
                record = record_from_row(row, columns, context, (str(path), number))
            except BadValue as exc:
                yield LineIssue(str(path), number, f"{exc}; fix or remove the row")
                continue
            record.id = record.id or row_id(row, seen)
            record.format = self.name
            yield record


class CsvImporter(_TableImporter):
    """CSV with a header row, one request per row."""

    name = "csv"
    description = "CSV usage table with UsageRecord column names (or a column map)"
    detect_priority = 900

    def detect(self, path: Path, head: list[bytes]) -> bool:
        return self.detect_mapped(path, head, {})

    def detect_mapped(self, path: Path, head: list[bytes], column_map: Mapping[str, str]) -> bool:
        if path.suffix.lower() != ".csv" or not head:
            return False
        header = next(csv.reader([head[0].decode("utf-8", "replace")]), [])
        return all(column_map.get(name, name) in header for name in ("timestamp", "model"))

    def near_miss(self, path: Path, head: list[bytes]) -> str | None:
        if path.suffix.lower() != ".csv" or not head:
            return None
        first_line = head[0].decode("utf-8-sig", "replace")
        header = next(csv.reader([first_line]), [])
        # One cell means another separator, so the line is shown as it is.
        columns = ", ".join(header[:12]) if len(header) > 1 else first_line[:80]
        return (
            f"a CSV usage table needs the columns timestamp and model, and its header has: "
            f"{columns}. Rename the columns, map them with --column timestamp=COLUMN "
            "--column model=COLUMN, or check that the file is comma-separated"
        )

    def read(self, path: Path, context: ImportContext) -> Iterator[ImportItem]:
        columns = column_names(context)
        # The limit is process-wide, so set it on every read because other code may change it.
        csv.field_size_limit(MAX_CELL_CHARS)
        # utf-8-sig also reads the byte-order mark that spreadsheet programs write.
        with path.open(newline="", encoding="utf-8-sig") as handle:
            try:
                reader = csv.reader(handle)
                header = _csv_header(path, reader)
                _check_csv_header(path, header, columns, context)
                yield from self._record_items(path, _csv_rows(path, reader, header), context)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{path}: the file is not UTF-8 (it contains the byte "
                    f"{exc.object[exc.start]:#04x}); re-save it as UTF-8 and import it again"
                ) from None


def _csv_header(path: Path, reader: CsvReader) -> list[str]:
    try:
        return next(reader, [])
    except csv.Error as exc:
        raise InputError(
            f"{path}:1: invalid CSV header ({exc}); fix the first line of the file"
        ) from None


def _check_csv_header(
    path: Path, header: list[str], columns: dict[str, str], context: ImportContext
) -> None:
    """Reject a header with a repeated column name or without a timestamp and model column."""
    # Unnamed columns may repeat, because no field can be mapped to an empty name.
    positions: dict[str, list[int]] = {}
    for position, name in enumerate(header, start=1):
        if name:
            positions.setdefault(name, []).append(position)
    repeated = [
        f"'{name}' (columns {', '.join(map(str, found))})"
        for name, found in positions.items()
        if len(found) > 1
    ]
    if repeated:
        raise InputError(
            f"{path}:1: the header repeats {', '.join(repeated)}; rename or remove the "
            "repeated columns so that every column name is unique"
        )
    missing = [columns[f] for f in ("timestamp", "model") if columns[f] not in header]
    if missing:
        raise InputError(
            f"{path}:1: the header has no column {', '.join(map(repr, missing))} "
            f"(found: {', '.join(header)}); rename the column or map it with "
            "--column FIELD=COLUMN"
        )
    check_columns(f"{path}:1", list(header), columns, context)


def _csv_rows(path: Path, reader: CsvReader, header: list[str]) -> Iterator[tuple[int, Any]]:
    """Yield (line number, {column: cell}) per row, or a ``LineIssue`` for a malformed row."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # Because the default dialect is not strict, a cell over the size limit is the
            # only csv.Error expected here.
            reason = (
                f"invalid CSV ({exc}); a cell may contain at most {MAX_CELL_CHARS:,} "
                "characters, so shorten the cell, close its quote or remove the row"
            )
            yield reader.line_num, LineIssue(str(path), reader.line_num, reason)
            continue
        if not cells:
            continue
        if len(cells) != len(header):
            reason = _cell_count_mismatch(cells, len(header))
            yield reader.line_num, LineIssue(str(path), reader.line_num, reason)
            continue
        yield reader.line_num, dict(zip(header, cells, strict=True))


def _cell_count_mismatch(cells: list[str], columns: int) -> str:
    plural = "" if len(cells) == 1 else "s"
    count = f"the row has {len(cells)} cell{plural} but the header has {columns}"
    if len(cells) < columns:
        return f"{count}; add the missing cells (an empty cell is fine), or remove the row"
    if not any(cells[columns:]):
        return f"{count}; remove the trailing commas, or name the extra columns in the header"
    return f"{count}; quote any cell that contains a comma, or remove the row"


class JsonlImporter(_TableImporter):
    """JSON Lines, one object per request with UsageRecord field names as keys."""

    name = "jsonl"
    description = "JSONL usage table with UsageRecord field names (or a column map)"
    # Asked last: any more specific JSON Lines format wins over this generic one.
    detect_priority = 1000

    def detect(self, path: Path, head: list[bytes]) -> bool:
        return self.detect_mapped(path, head, {})

    def detect_mapped(self, path: Path, head: list[bytes], column_map: Mapping[str, str]) -> bool:
        if path.suffix.lower() not in (".jsonl", ".ndjson") or not head:
            return False
        try:
            first = json.loads(head[0])
        except ValueError:
            return False
        if not isinstance(first, dict):
            return False
        tokens = (column_map.get(name, name) for name in ("input_tokens", "output_tokens"))
        return column_map.get("model", "model") in first and any(key in first for key in tokens)

    def read(self, path: Path, context: ImportContext) -> Iterator[ImportItem]:
        yield from self._record_items(path, _json_rows(path), context)


def _json_rows(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw, parse_float=Decimal)
            except ValueError as exc:
                yield (
                    number,
                    LineIssue(str(path), number, f"invalid JSON ({exc}); fix or remove the line"),
                )
                continue
            if not isinstance(row, dict):
                yield (
                    number,
                    LineIssue(str(path), number, "the line is not a JSON object; remove it"),
                )
                continue
            yield number, row


register(CsvImporter())
register(JsonlImporter())
