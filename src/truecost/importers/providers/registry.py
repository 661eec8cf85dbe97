"""The registry of provider parsers that turn one logged API response body into records.

The ``api-bodies`` importer hands every parsed line to :func:`parse_body`. Each
parser decides whether a body is its own (``matches``) and is asked in order of
``priority`` (lower first), so a specific host such as Groq is tried before the
generic OpenAI-compatible shape. ``--provider`` forces one parser by name.
"""

from __future__ import annotations

import difflib
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any

from truecost.errors import InputError

if TYPE_CHECKING:
    from truecost.importers.providers.fields import LineInfo
    from truecost.importers.providers.sql import BulkSql
    from truecost.record import UsageRecord

_PARSERS: dict[str, BodyParser] = {}


class BodyError(ValueError):
    """A body that a parser recognised but cannot turn into a record. The message gives the reason."""


class BodyParser(ABC):
    """One response shape of one provider.

    ``name`` is unique in the registry; ``provider`` is the name records carry
    and ``--provider`` takes, shared by all shapes of one provider. A parser
    whose shape can also arrive as a stream overrides ``collapse_stream`` to
    fold the stream's usage events into one body. ``bulk`` contains the SQL
    expressions of the DuckDB fast path, or None when every line of this
    parser goes through ``parse``.
    """

    name: str = ""
    provider: str = ""
    priority: int = 100
    bulk: BulkSql | None = None
    # False for a parser that only explains why a body bills nothing; --provider cannot name it.
    bills: bool = True

    @abstractmethod
    def matches(self, body: dict[str, Any]) -> bool:
        """Return True when ``body`` has this parser's shape."""

    @abstractmethod
    def parse(self, body: dict[str, Any], line: LineInfo) -> list[UsageRecord]:
        """Return the records of ``body``; raise ``BodyError`` when a value is invalid."""

    def collapse_stream(self, events: list[dict[str, Any]]) -> dict[str, Any] | None:
        """Return one body holding the final usage of a stream, or None when not this shape."""
        return None


def register_parser(parser: BodyParser) -> BodyParser:
    """Add ``parser`` under its ``name`` (default: its provider); a later registration wins."""
    if not parser.provider:
        raise ValueError(f"{type(parser).__name__} has no provider name")
    if not parser.name:
        parser.name = parser.provider
    _PARSERS[parser.name] = parser
    return parser


def parsers() -> list[BodyParser]:
    """Return the registered parsers in the order they are asked."""
    _load_builtin()
    return sorted(_PARSERS.values(), key=lambda p: (p.priority, p.provider))


def provider_parsers(provider: str) -> list[BodyParser]:
    """Return the parsers of ``provider`` in order; raise naming the closest provider if none."""
    billing = [p for p in parsers() if p.bills]
    found = [p for p in billing if provider in (p.provider, p.name)]
    if found:
        return found
    names = sorted({p.provider for p in billing})
    close = difflib.get_close_matches(provider, names, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise InputError(f"unknown provider '{provider}'.{hint} Known providers: {', '.join(names)}.")


def find_parser(body: dict[str, Any], forced: str | None = None) -> BodyParser | None:
    """Return the first parser whose ``matches`` is True for ``body``.

    With ``forced`` only that provider's parsers are asked, and the first of
    them reads the body when none matches, so the provider name always wins.
    """
    candidates = provider_parsers(forced) if forced else parsers()
    for parser in candidates:
        if parser.matches(body):
            return parser
    return candidates[0] if forced else None


def collapse_stream(events: list[Any], forced: str | None = None) -> dict[str, Any] | None:
    """Fold a streamed call's usage events into one body, or return None when no parser can."""
    objects = [event for event in events if isinstance(event, dict)]
    if len(objects) != len(events) or not objects:
        return None
    candidates = provider_parsers(forced) if forced else parsers()
    for parser in candidates:
        body = parser.collapse_stream(objects)
        if body is not None:
            return body
    return None


def _load_builtin() -> None:
    # Importing the package runs the register_parser() call of every provider module.
    import truecost.importers.providers  # noqa: F401
