"""Logged texts of requests: system prompt, prompt and response, keyed by record id.

The ledger stores counts, not texts. Optimizations that read texts get them from a
JSON Lines file, one object per request::

    {"id": "req-1", "system": "You are ...", "prompt": "Summarize ...", "response": "..."}

``id`` must match a ledger record id; the three texts are optional strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from truecost.errors import InputError
from truecost.savings.json_lines import json_lines

TEXT_FIELDS = ("system", "prompt", "response")
TEXT_SCHEMA = pa.schema([("id", pa.string())] + [(name, pa.string()) for name in TEXT_FIELDS])


@dataclass(frozen=True)
class RecordText:
    """The logged texts of one request; a text the log did not carry is None."""

    system: str | None = None
    prompt: str | None = None
    response: str | None = None


class TextStore:
    """Texts by record id, also available as an Arrow table with ``TEXT_SCHEMA``."""

    def __init__(self, texts: dict[str, RecordText]) -> None:
        self._texts = texts

    def __len__(self) -> int:
        return len(self._texts)

    def get(self, record_id: str) -> RecordText | None:
        """Return the texts of a record, or None when the log carried none."""
        return self._texts.get(record_id)

    @property
    def table(self) -> pa.Table:
        """Return every text as an Arrow table (columns id, system, prompt, response)."""
        ids = list(self._texts)
        columns: dict[str, list[str | None]] = {"id": list(ids)}
        for name in TEXT_FIELDS:
            columns[name] = [getattr(self._texts[i], name) for i in ids]
        return pa.table(columns, schema=TEXT_SCHEMA)


def load_texts(path: Path) -> TextStore:
    """Read a texts file, raising ``InputError`` naming the file and line of a bad entry."""
    texts: dict[str, RecordText] = {}
    for where, entry in json_lines(path, "texts"):
        record_id, text = _parse_entry(where, entry)
        texts[record_id] = text
    return TextStore(texts)


def _parse_entry(where: str, entry: object) -> tuple[str, RecordText]:
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        raise InputError(f'{where}: each line needs a string "id" matching a ledger record.')
    values: dict[str, str | None] = {}
    for name in TEXT_FIELDS:
        value = entry.get(name)
        if value is not None and not isinstance(value, str):
            raise InputError(f'{where}: "{name}" must be a string, got {type(value).__name__}.')
        values[name] = value
    return entry["id"], RecordText(**values)
