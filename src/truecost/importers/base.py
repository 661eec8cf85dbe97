"""The importer contract and the context every importer reads its options from."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from truecost.record import UsageRecord


@dataclass(frozen=True, slots=True)
class LineIssue:
    """A line an importer skipped, with the reason and how to fix it."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        # Line 0 means the issue concerns the whole file.
        if self.line == 0:
            return f"{self.file}: {self.reason}"
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class ImportContext:
    """Options that apply to every record of an import.

    ``attribute_fields`` maps a record attribute (``feature``, ``user``,
    ``environment``) to a dotted path inside the logged object, for example
    ``{"feature": "metadata.feature"}``. A value found there wins over the
    fixed value given for the whole import.
    """

    feature: str | None = None
    user: str | None = None
    environment: str | None = None
    attribute_fields: dict[str, str] = field(default_factory=dict)
    fallback_timestamp: datetime | None = None
    provider: str | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    # Resolved files inside a folder an importer reads whole, which the import gives to
    # another format, so that importer leaves them out.
    excluded_files: frozenset[Path] = frozenset()

    def attribute(self, name: str, obj: Any) -> str | None:
        """Return attribute ``name`` from ``obj`` via its configured path, else the fixed value."""
        path = self.attribute_fields.get(name)
        if path is not None:
            value = lookup_path(obj, path)
            if value is not None and not isinstance(value, dict | list):
                return str(value)
        fixed: str | None = getattr(self, name)
        return fixed


def lookup_path(obj: Any, dotted_path: str) -> Any:
    """Follow ``a.b.c`` through nested dicts; return None where a step is missing."""
    current = obj
    for part in dotted_path.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current


# What an importer yields for each line: a record, or an issue explaining the skip.
ImportItem = UsageRecord | LineIssue


class Importer(ABC):
    """A log format. Subclasses register themselves with ``truecost.importers.register``.

    ``name`` is what ``--format`` takes. ``detect`` looks at a path (and the
    first lines of a file) and returns True when this importer can read it.
    ``read`` yields one item per record or skipped line, in file order.
    """

    name: str = ""
    description: str = ""
    # Lower numbers are asked first during detection, so specific formats win over generic ones.
    detect_priority: int = 100
    # True when a log can grow with a later line for a record already imported (a log still
    # being written). The ledger then replaces the stored record with the later line's: one
    # further down the same file, or one with a later timestamp in any file.
    later_lines_replace: bool = False

    def detect_directory(self, path: Path) -> bool:
        """Return True when this importer reads the whole folder ``path`` itself."""
        return False

    def files_beside(self, path: Path) -> list[tuple[Path, bool]]:
        """Return the files in folder ``path``, claimed by ``detect_directory``, that may be others' logs.

        Each comes with True when this importer reads it with the folder unless the import
        gives it to another format (then it is in ``ImportContext.excluded_files``). The
        import detects their formats one by one, so that other logs kept beside the folder's
        own are imported too.
        """
        return []

    def detect(self, path: Path, head: list[bytes]) -> bool:
        """Return True when the file at ``path``, whose first lines are ``head``, is this format."""
        return False

    def detect_mapped(self, path: Path, head: list[bytes], column_map: Mapping[str, str]) -> bool:
        """Return True when the file is this format once ``column_map`` names its columns.

        ``column_map`` is ``ImportContext.column_map`` ({record field: column name}). Only a
        format that reads the map overrides this; the default calls ``detect``.
        """
        return self.detect(path, head)

    def near_miss(self, path: Path, head: list[bytes]) -> str | None:
        """Return why a file that looks meant for this format is not detected, else None."""
        return None

    @abstractmethod
    def read(self, path: Path, context: ImportContext) -> Iterator[ImportItem]:
        """Yield the records and skipped lines of ``path``."""

    def read_many(
        self,
        paths: list[Path],
        context: ImportContext,
        path_done: Callable[[], None] | None = None,
    ) -> Iterator[ImportItem]:
        """Yield the items of every path in order, calling ``path_done`` after each path.

        A format whose later copy of a repeated record is the right one, as when one
        request spans several files, overrides this to keep only that copy.
        """
        for path in paths:
            yield from self.read(path, context)
            if path_done:
                path_done()

    def read_bulk(self, paths: list[Path], context: ImportContext) -> BulkResult | None:
        """Read many files at once through a faster path, or return None to use ``read``."""
        return None


@dataclass
class BulkResult:
    """Records read through an importer's bulk path, already as an Arrow table."""

    table: Any  # pyarrow.Table with truecost.record.ARROW_SCHEMA
    lines_read: int
    issues: list[LineIssue]
    issue_count: int
    files: int
