"""Read the JSON Lines files the savings replay takes: logged texts and routing labels."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from truecost.errors import InputError


def json_lines(path: Path, kind: str) -> Iterator[tuple[str, Any]]:
    """Yield ``("FILE:LINE", value)`` per non-blank line, raising ``InputError`` on invalid JSON."""
    try:
        lines = path.read_bytes().splitlines()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {kind} file ({exc.strerror}).") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            yield where, orjson.loads(line)
        except orjson.JSONDecodeError:
            raise InputError(f"{where}: invalid JSON. Write one JSON object per line.") from None
