"""Logged LLM API response bodies: one JSON body, or one JSON list of stream events, per line.

Each line is parsed as JSON, so whitespace and key order do not matter, and
handed to the provider parser whose shape it has (see
``truecost.importers.providers``). A streamed call is logged as the list of its
usage-carrying events and folded into one body first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from truecost.importers.base import BulkResult, ImportContext, Importer, ImportItem, LineIssue
from truecost.importers.providers.fields import LineInfo
from truecost.importers.providers.registry import BodyError, collapse_stream, find_parser
from truecost.importers.registry import register
from truecost.record import TIMESTAMP_FROM_FILE_MTIME, TIMESTAMP_FROM_OPTION

# read_head cuts lines at this length, so a head line this long may be a cut-off body.
_HEAD_LINE_LIMIT = 65536


class ApiBodiesImporter(Importer):
    """Response bodies of OpenAI, Anthropic, Gemini, Bedrock and OpenAI-compatible APIs."""

    name = "api-bodies"
    description = "LLM API response bodies (or stream usage events), one JSON value per line"
    detect_priority = 50

    def detect(self, path: Path, head: list[bytes]) -> bool:
        recognised = False
        for raw in head:
            try:
                value = orjson.loads(raw)
            except orjson.JSONDecodeError:
                if len(raw) >= _HEAD_LINE_LIMIT:
                    continue
                return False
            if not isinstance(value, dict | list):
                return False
            body = _body_of(value, None)
            recognised = recognised or (body is not None and find_parser(body) is not None)
        return recognised

    def read(self, path: Path, context: ImportContext) -> Iterator[ImportItem]:
        yield from read_lines(path, context)

    def read_bulk(self, paths: list[Path], context: ImportContext) -> BulkResult | None:
        from truecost.importers.formats.api_bodies_bulk import read_bulk

        return read_bulk(paths, context)


def read_lines(
    path: Path, context: ImportContext, skip: set[int] | frozenset[int] = frozenset()
) -> Iterator[ImportItem]:
    """Yield the items of ``path`` in file order, leaving out the line numbers in ``skip``."""
    fallback = fallback_timestamp(path, context)
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number in skip:
                continue
            stripped = raw.strip()
            if not stripped:
                continue
            yield from read_line(stripped, str(path), number, context, fallback)


def fallback_timestamp(path: Path, context: ImportContext) -> tuple[datetime, str]:
    """Return the time of records whose body has none, and where it came from."""
    if context.fallback_timestamp is not None:
        given = context.fallback_timestamp
        return (given if given.tzinfo else given.replace(tzinfo=UTC)), TIMESTAMP_FROM_OPTION
    mtime = int(path.stat().st_mtime)
    return datetime.fromtimestamp(mtime, tz=UTC), TIMESTAMP_FROM_FILE_MTIME


def read_line(
    raw: bytes, file: str, number: int, context: ImportContext, fallback: tuple[datetime, str]
) -> list[ImportItem]:
    """Return the records of one non-empty line, or the issue that explains why it was skipped."""
    if number == 1:
        # Editors on Windows may start a UTF-8 file with a byte-order mark.
        raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        return [LineIssue(file, number, f"not valid JSON ({error}); log one JSON body per line")]
    if not isinstance(value, dict | list):
        kind = type(value).__name__
        return [
            LineIssue(
                file,
                number,
                f"a JSON {kind}, expected a response body (object) or a list of stream events",
            )
        ]
    body = _body_of(value, context.provider)
    if body is None:
        return [LineIssue(file, number, _unknown_reason(value))]
    parser = find_parser(body, context.provider)
    if parser is None:
        return [LineIssue(file, number, _unknown_reason(value))]
    line = LineInfo(file, number, value, context, fallback[0], fallback[1])
    try:
        return list(parser.parse(body, line))
    except BodyError as error:
        return [LineIssue(file, number, str(error))]


def _body_of(value: dict[str, Any] | list[Any], forced: str | None) -> dict[str, Any] | None:
    """Return the body of a line: the object itself, or a stream folded into one body."""
    if isinstance(value, list):
        return collapse_stream(value, forced)
    return value


def _unknown_reason(value: dict[str, Any] | list[Any]) -> str:
    if isinstance(value, list):
        return (
            "a JSON list that is not a stream of usage events of a known provider; "
            "log the events that carry usage, or name the provider with --provider"
        )
    keys = ", ".join(sorted(value)[:8])
    return (
        f"no provider recognises a body with the keys {keys}; "
        "name the provider with --provider or remove the line"
    )


register(ApiBodiesImporter())
