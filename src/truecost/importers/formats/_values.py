"""Checked conversions of logged values, shared by the built-in importers.

Each function raises ``BadValue`` with a message that names the field and
quotes the value, so an importer can turn it into a ``LineIssue`` as is.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from truecost.record import MAX_TOKENS

# The largest epoch value accepted as seconds. A millisecond value is larger,
# and is rejected instead of being read as a date thousands of years away.
_MAX_EPOCH_SECONDS = 253_402_300_799  # 9999-12-31T23:59:59Z


class BadValue(ValueError):
    """A logged value that cannot be used, with a message naming the field and value."""


def token_count(value: Any, field: str) -> int:
    """Return ``value`` as a token count; None counts as 0.

    Only JSON integers (and integral strings from CSV, handled by the caller)
    are accepted, so ``1.5``, ``true`` or ``-3`` raise ``BadValue``.
    """
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValue(f"{field} must be a non-negative integer, got {value!r}")
    if value < 0:
        raise BadValue(f"{field} must be a non-negative integer, got {value!r}")
    if value > MAX_TOKENS:
        raise BadValue(f"{field} is {value:,}, more than {MAX_TOKENS:,} tokens in one call")
    return value


def nested(obj: Any, *keys: str) -> Any:
    """Follow ``keys`` through nested dicts; return None where a step is missing."""
    current = obj
    for key in keys:
        if not isinstance(current, dict):
            return None
        current = current.get(key)
    return current


def optional_text(value: Any) -> str | None:
    """Return ``value`` as text, or None for a missing or empty value."""
    if value is None or value == "":
        return None
    if isinstance(value, dict | list):
        return None
    return str(value)


def parse_timestamp(value: Any, field: str) -> datetime:
    """Parse an ISO 8601 string or epoch seconds into an aware UTC datetime.

    A time without a zone is taken as UTC, the zone that logging libraries
    write when they leave it out.
    """
    if isinstance(value, bool):
        raise BadValue(f"{field} is not a timestamp: {value!r}")
    if isinstance(value, int | float | Decimal):
        return _from_epoch(value, field)
    if not isinstance(value, str) or not value.strip():
        raise BadValue(f"{field} is not a timestamp: {value!r}")
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            return _from_epoch(Decimal(text), field)
        except InvalidOperation:
            raise BadValue(
                f"{field} is not an ISO 8601 timestamp or epoch seconds: {value!r}"
            ) from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _from_epoch(seconds: int | float | Decimal, field: str) -> datetime:
    if not 0 <= seconds <= _MAX_EPOCH_SECONDS:
        raise BadValue(
            f"{field} is {seconds}, out of range for epoch seconds; if it counts milliseconds, "
            "divide it by 1,000"
        )
    exact = Decimal(str(seconds)) if isinstance(seconds, float) else Decimal(seconds)
    whole = int(exact)
    micros = int((exact - whole) * 1_000_000)
    return datetime.fromtimestamp(whole, UTC).replace(microsecond=micros)


def cost_usd(value: Any, field: str) -> Decimal | None:
    """Return a reported cost as ``Decimal``; None when the log has none.

    JSON readers in this package parse floats with ``parse_float=Decimal``, so
    the digits written in the log arrive here unchanged.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise BadValue(f"{field} is not a number: {value!r}")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int | str):
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise BadValue(f"{field} is not a number: {value!r}") from None
    else:
        raise BadValue(f"{field} is not a number: {value!r}")
    if not amount.is_finite() or amount < 0:
        raise BadValue(f"{field} must be a non-negative amount in USD, got {value!r}")
    return amount


def latency_ms(start: datetime | None, end: datetime | None) -> int | None:
    """Return the milliseconds from ``start`` to ``end``, or None when either is missing."""
    if start is None or end is None or end < start:
        return None
    return (end - start) // timedelta(milliseconds=1)
