"""Reading files that hold JSON objects: one document, an array, or one object per line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from truecost.importers.base import LineIssue

# How much of a file detection reads to look for a format's marker keys.
DETECT_BYTES = 65536


def read_start(path: Path) -> bytes:
    """Return the first ``DETECT_BYTES`` of ``path``."""
    with path.open("rb") as handle:
        return handle.read(DETECT_BYTES)


def json_objects(path: Path) -> Iterator[tuple[int, Any] | LineIssue]:
    """Yield (position, value) for each JSON value of ``path``, or a ``LineIssue``.

    A file that parses as one JSON document yields that document (position 1),
    or each item of a top-level array (position = item number). Any other file
    is read as JSON Lines, and the position is the line number. Floats are
    parsed as ``Decimal`` so reported costs keep the digits of the log.
    """
    text = path.read_bytes()
    try:
        document = json.loads(text, parse_float=Decimal)
    except ValueError:
        document = None
    else:
        items = document if isinstance(document, list) else [document]
        for number, item in enumerate(items, start=1):
            yield number, item
        return
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            yield number, json.loads(raw, parse_float=Decimal)
        except ValueError as exc:
            yield LineIssue(str(path), number, f"invalid JSON ({exc}); fix or remove the line")
