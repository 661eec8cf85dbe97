"""The registry of log formats and the detection that picks one for each file."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from truecost.errors import MissingInputError, UnknownFormatError
from truecost.importers.base import Importer

_IMPORTERS: dict[str, Importer] = {}

# File name endings that may hold logs when a folder is walked.
LOG_SUFFIXES = (".jsonl", ".json", ".ndjson", ".csv", ".log")
# Endings of compressed files, which truecost does not read. A log with one of these after a
# log suffix (app.jsonl.gz) is listed in the summary, so a rotated log is not lost unnoticed.
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".zst")
_HEAD_LINES = 5


def register(importer: Importer) -> Importer:
    """Add ``importer`` under its ``name``; a later registration of the same name wins."""
    if not importer.name:
        raise ValueError(f"{type(importer).__name__} has no name")
    _IMPORTERS[importer.name] = importer
    return importer


def importers() -> list[Importer]:
    """Return the registered importers in detection order."""
    _load_builtin()
    return sorted(_IMPORTERS.values(), key=lambda imp: (imp.detect_priority, imp.name))


def get_importer(name: str) -> Importer:
    """Return the importer registered as ``name``, suggesting the closest name if there is none."""
    _load_builtin()
    if name in _IMPORTERS:
        return _IMPORTERS[name]
    close = difflib.get_close_matches(name, list(_IMPORTERS), n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    known = ", ".join(sorted(_IMPORTERS))
    raise UnknownFormatError(f"unknown format '{name}'.{hint} Known formats: {known}.")


def _load_builtin() -> None:
    # Importing the package modules runs their register() calls.
    import truecost.importers.formats  # noqa: F401


def read_head(path: Path) -> list[bytes]:
    """Return the first non-empty lines of ``path`` for format detection."""
    head: list[bytes] = []
    with path.open("rb") as handle:
        for raw in handle:
            # Spreadsheet programs start UTF-8 files with a byte-order mark.
            line = raw.removeprefix(b"\xef\xbb\xbf").strip() if not head else raw.strip()
            if line:
                head.append(line[:65536])
            if len(head) >= _HEAD_LINES:
                break
    return head


@dataclass
class ImportPlan:
    """The importer for each input file, and the empty files left out."""

    files: list[tuple[Importer, Path]] = field(default_factory=list)
    empty: list[Path] = field(default_factory=list)
    # Compressed logs found in walked folders, which are not read.
    compressed: list[Path] = field(default_factory=list)
    # The column map that detection applies, from ``plan_import``.
    column_map: dict[str, str] = field(default_factory=dict)
    # Every file planned, resolved, so that a file named twice (itself and in its folder,
    # or through a link) is read once.
    seen: set[Path] = field(default_factory=set)
    # Files (resolved) in a folder read whole that another format reads instead.
    excluded: set[Path] = field(default_factory=set)


def plan_import(
    paths: list[Path], forced_format: str | None = None, column_map: Mapping[str, str] | None = None
) -> ImportPlan:
    """Pair every input path with the importer that reads it.

    ``column_map`` is the import's ``ImportContext.column_map``, so that a table whose
    columns the map renames is still detected.

    A folder claimed by an importer as a whole (a Claude Code projects folder)
    stays one entry; any other folder is walked for log files. Empty files are
    left out (log rotation makes them) unless nothing else is left. Raises
    ``MissingInputError`` for a missing path or a folder without log files and
    ``UnknownFormatError`` for a file no importer recognises.
    """
    forced = get_importer(forced_format) if forced_format else None
    plan = ImportPlan(column_map=dict(column_map or {}))
    for path in paths:
        if not path.exists():
            raise MissingInputError(
                f"{path}: no such file or folder. Check the path and try again."
            )
        if path.is_dir():
            _plan_directory(path, forced, plan)
        else:
            _plan_file(path, forced, plan)
    if not plan.files and plan.empty:
        shown = ", ".join(str(p) for p in plan.empty[:3])
        raise MissingInputError(
            f"{shown}: every input file is empty. Point truecost at files with records."
        )
    return plan


def _plan_file(path: Path, forced: Importer | None, plan: ImportPlan) -> None:
    resolved = path.resolve()
    if resolved in plan.seen:
        return
    plan.seen.add(resolved)
    if not read_head(path):
        plan.empty.append(path)
        return
    plan.files.append((forced or detect_file(path, plan.column_map), path))


def _plan_directory(path: Path, forced: Importer | None, plan: ImportPlan) -> None:
    candidates = [forced] if forced else importers()
    for importer in candidates:
        if importer.detect_directory(path):
            plan.files.append((importer, path))
            if not forced:
                for file, read_with_folder in importer.files_beside(path):
                    _plan_beside(file, importer, read_with_folder, plan)
            return
    found = sorted(p for p in path.rglob("*") if p.is_file())
    files = [p for p in found if p.suffix.lower() in LOG_SUFFIXES]
    plan.compressed.extend(p for p in found if _is_compressed_log(p))
    if not files:
        suffixes = ", ".join(LOG_SUFFIXES)
        compressed = [p.name for p in found if _is_compressed_log(p)]
        hint = (
            f" It holds compressed logs ({', '.join(compressed[:3])}); decompress them first."
            if compressed
            else " Point truecost at a folder of logs or at the files themselves."
        )
        raise MissingInputError(
            f"{path}: the folder contains no log files (looked for {suffixes}).{hint}"
        )
    for file in files:
        _plan_file(file, forced, plan)


def _is_compressed_log(path: Path) -> bool:
    """Return True for a name such as app.jsonl.gz or, rotated, app.jsonl.1.gz."""
    suffixes = [suffix.lower() for suffix in path.suffixes]
    return (
        len(suffixes) >= 2
        and suffixes[-1] in COMPRESSED_SUFFIXES
        and any(suffix in LOG_SUFFIXES for suffix in suffixes[:-1])
    )


def _plan_beside(path: Path, claimer: Importer, read_with_folder: bool, plan: ImportPlan) -> None:
    """Plan a file kept in a folder that ``claimer`` reads as a whole.

    ``read_with_folder`` is True when ``claimer`` reads the file with the folder. Such a file
    is left to ``claimer`` when no other format recognises it. A file that another format
    takes, or that is planned already, is excluded from the folder's reading.
    """
    resolved = path.resolve()
    if resolved in plan.seen:
        if read_with_folder:
            plan.excluded.add(resolved)
        return
    if _is_compressed_log(path):
        plan.compressed.append(path)
        return
    if path.suffix.lower() not in LOG_SUFFIXES or not read_head(path):
        return
    try:
        importer = detect_file(path, plan.column_map)
    except UnknownFormatError:
        return
    if importer is claimer and read_with_folder:
        return
    plan.seen.add(resolved)
    plan.files.append((importer, path))
    if read_with_folder:
        plan.excluded.add(resolved)


def detect_file(path: Path, column_map: Mapping[str, str] | None = None) -> Importer:
    """Return the importer for a single file, or raise ``UnknownFormatError``.

    ``column_map`` ({record field: column name}) is applied by the formats that read one.
    """
    mapping = column_map or {}
    head = read_head(path)
    if not head:
        raise UnknownFormatError(
            f"{path}: the file is empty. Remove it from the import or add records."
        )
    for importer in importers():
        if importer.detect_mapped(path, head, mapping):
            return importer
    # A bad line among the first few must not hide the format of the rest: the
    # importer skips and reports it. So each line is also tried on its own.
    for importer in importers():
        if any(importer.detect_mapped(path, [line], mapping) for line in head):
            return importer
    for importer in importers():
        reason = importer.near_miss(path, head)
        if reason is not None:
            raise UnknownFormatError(f"{path}: {reason}")
    known = ", ".join(sorted(_IMPORTERS))
    raise UnknownFormatError(
        f"{path}: no importer recognises this file. Name its format with --format on "
        f"'truecost import', or --input-format on 'report' and 'records' (one of: {known})."
    )
