"""Value types for what users write: amounts that may be a single number or a range.

A range is written as a string ``"4000-6000"``, a two-element array
``[4000, 6000]`` or a single number (low = high). Every bound must be zero or
more and the low bound must not be above the high one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator

TWO = Decimal(2)


@dataclass(frozen=True, slots=True)
class Range:
    """A non-negative quantity known only between ``low`` and ``high`` (equal when exact)."""

    low: Decimal
    high: Decimal

    @property
    def mid(self) -> Decimal:
        """Return the midpoint, the value point estimates use."""
        return (self.low + self.high) / TWO

    @property
    def is_exact(self) -> bool:
        """Return True when the range is a single value."""
        return self.low == self.high

    @classmethod
    def exact(cls, value: Decimal | int | str) -> Range:
        """Return the range holding only ``value``."""
        number = Decimal(value)
        return cls(number, number)

    def __str__(self) -> str:
        return str(self.low) if self.is_exact else f"{self.low}-{self.high}"


# The largest number a configuration or scenario may hold. No request count, token
# count or dollar amount comes near it, and larger values overflow the exact arithmetic.
MAX_NUMBER = 10**15


def _number(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError(f"expected a number, got {raw!r}")
    if isinstance(raw, float):
        # repr keeps the decimal digits the user wrote (0.1 stays 0.1).
        raw = repr(raw)
    try:
        value = Decimal(str(raw).strip().replace("_", ""))
    except InvalidOperation:
        raise ValueError(f"expected a number or a range like '10-20', got {raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"expected a finite number, got {raw!r}")
    if abs(value) > MAX_NUMBER:
        raise ValueError(f"{raw!r} is above {MAX_NUMBER:,}; check the value and its unit")
    return value


def parse_range(raw: Any) -> Range:
    """Parse a number, ``"low-high"`` or ``[low, high]`` into a ``Range``, raising ``ValueError``."""
    if isinstance(raw, Range):
        return raw
    if isinstance(raw, list | tuple):
        if len(raw) != 2:
            raise ValueError(f"a range array needs exactly two numbers [low, high], got {raw!r}")
        low, high = _number(raw[0]), _number(raw[1])
    elif isinstance(raw, str) and "-" in raw.strip().lstrip("-"):
        text = raw.strip()
        split_at = text.index("-", 1)
        low, high = _number(text[:split_at]), _number(text[split_at + 1 :])
    else:
        low = high = _number(raw)
    if low < 0 or high < 0:
        raise ValueError(f"must be zero or more, got {raw!r}")
    if low > high:
        raise ValueError(f"range low {low} is above high {high}; write the lower bound first")
    return Range(low, high)


def parse_share(raw: Any) -> Range:
    """Parse a range of shares, each between 0 and 1 (0.25 = 25%)."""
    value = parse_range(raw)
    if value.high > 1:
        raise ValueError(f"a share is between 0 and 1 (0.25 = 25%), got {raw!r}")
    return value


# Pydantic field types: a range of non-negative numbers, and a range of shares.
RangeValue = Annotated[Range, PlainValidator(parse_range), PlainSerializer(str)]
ShareValue = Annotated[Range, PlainValidator(parse_share), PlainSerializer(str)]
