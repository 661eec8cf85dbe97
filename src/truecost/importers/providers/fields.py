"""Typed reads of body fields and the per-line facts every parser builds records from."""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import orjson

from truecost.importers.base import ImportContext, lookup_path
from truecost.importers.providers.registry import BodyError
from truecost.record import MAX_TOKENS, UsageRecord

FORMAT_NAME = "api-bodies"
# Scale of ``reported_cost_usd`` in the Arrow schema: decimal128(18, 12).
_COST_QUANTUM = Decimal("1e-12")
_ISO_FRACTION = re.compile(r"(\.\d{6})\d+")


@dataclass(frozen=True, slots=True)
class LineInfo:
    """The origin of a body (file and line) and the options of its import."""

    source_file: str
    source_line: int
    line_object: Any
    context: ImportContext
    fallback_time: datetime
    fallback_source: str

    def new_record(
        self,
        provider: str,
        response_id: str | None,
        model: str,
        created: datetime | None,
        body: dict[str, Any],
    ) -> UsageRecord:
        """Start a record with the id, time, attribution and source of this line filled in."""
        record = UsageRecord(
            id=f"{provider}:{response_id}" if response_id else f"{provider}:sha256:{self.digest()}",
            timestamp=created or self.fallback_time,
            provider=provider,
            model=model,
            feature=self.context.attribute("feature", body),
            user=self.context.attribute("user", body),
            environment=self.context.attribute("environment", body),
            source_file=self.source_file,
            source_line=self.source_line,
            format=FORMAT_NAME,
        )
        if created is None:
            record.timestamp_source = self.fallback_source
        return record

    def digest(self) -> str:
        """Return a hash of the line's JSON that ignores whitespace and key order."""
        canonical = orjson.dumps(self.line_object, option=orjson.OPT_SORT_KEYS)
        return hashlib.sha256(canonical).hexdigest()[:32]


def count(body: Any, path: str) -> int:
    """Return the token count at ``path``: 0 when absent or null, else a non-negative integer."""
    value = lookup_path(body, path)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise BodyError(
            f"{path} is {_show(value)}, expected a whole number of tokens; "
            "fix the value or remove the line"
        )
    if value < 0:
        raise BodyError(
            f"{path} is {value}, a negative token count; fix the value or remove the line"
        )
    if value > MAX_TOKENS:
        raise BodyError(
            f"{path} is {value:,}, more than {MAX_TOKENS:,} tokens in one call. "
            "Fix the value or remove the line"
        )
    return value


def has(body: Any, path: str) -> bool:
    """Return True when ``path`` holds a value other than null."""
    return lookup_path(body, path) is not None


def text(body: Any, path: str) -> str | None:
    """Return the string at ``path``, None when absent or null; raise for another type."""
    value = lookup_path(body, path)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BodyError(
            f"{path} is {_show(value)}, expected a string; fix the value or remove the line"
        )
    return value


def number(body: Any, path: str) -> float | None:
    """Return the number at ``path``, None when absent or null; raise for another type."""
    value = lookup_path(body, path)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BodyError(
            f"{path} is {_show(value)}, expected a number; fix the value or remove the line"
        )
    return float(value)


def epoch_time(body: Any, path: str) -> datetime | None:
    """Return the Unix time in seconds at ``path`` as a UTC datetime, or None when absent."""
    seconds = number(body, path)
    if seconds is None:
        return None
    if not math.isfinite(seconds) or not 0 <= seconds < 253402300800:
        raise BodyError(f"{path} is {seconds}, not a Unix time in seconds; fix the value")
    return datetime.fromtimestamp(int(seconds), tz=UTC)


def iso_time(body: Any, path: str) -> datetime | None:
    """Return the RFC 3339 time at ``path`` (nanosecond digits cut to microseconds), or None."""
    value = text(body, path)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(_ISO_FRACTION.sub(r"\1", value))
    except ValueError:
        raise BodyError(f"{path} is {value!r}, not an RFC 3339 time; fix the value") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def seconds_to_ms(seconds: float | None) -> int | None:
    """Return ``seconds`` as whole milliseconds, rounding half up, or None."""
    if seconds is None:
        return None
    return math.floor(seconds * 1000 + 0.5)


def usd(body: Any, path: str) -> Decimal | None:
    """Return the dollar amount at ``path`` at the ledger's 12 decimal places, or None."""
    value = number(body, path)
    if value is None:
        return None
    raw = lookup_path(body, path)
    return Decimal(repr(raw)).quantize(_COST_QUANTUM, rounding=ROUND_HALF_UP)


def add_unit(record: UsageRecord, unit: str, amount: int) -> None:
    """Store a billed unit beyond tokens on ``record`` when the amount is not zero."""
    if amount:
        record.other_units[unit] = record.other_units.get(unit, 0) + amount


def _show(value: Any) -> str:
    kind = type(value).__name__
    if isinstance(value, float) and value.is_integer():
        # JSON integers beyond 64 bits arrive as floats.
        return f"{value:g} (too large for a token count)"
    names = {"str": "a string", "float": "a fraction", "bool": "a boolean", "dict": "an object"}
    return f"{orjson.dumps(value).decode()[:40]} ({names.get(kind, kind)})"
