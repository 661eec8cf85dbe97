"""Checks and parsers for the numbers the build-vs-buy analyses take from users."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from truecost.errors import ConfigError, InputError

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class DecimalRange:
    """A low and a high value; both are the same for a single number."""

    low: Decimal
    high: Decimal

    @property
    def is_single(self) -> bool:
        """True when low and high are the same number."""
        return self.low == self.high


def require_positive(name: str, value: Decimal | int) -> None:
    """Raise ``InputError`` naming ``name`` unless ``value`` is above zero."""
    if value <= 0:
        raise InputError(f"{name} must be above 0 (got {value}).")


def require_non_negative(name: str, value: Decimal | int) -> None:
    """Raise ``InputError`` naming ``name`` when ``value`` is below zero."""
    if value < 0:
        raise InputError(f"{name} must be 0 or more (got {value}).")


def require_utilization(name: str, value: Decimal) -> None:
    """Raise ``InputError`` unless ``value`` is a share above 0 and at most 1 (100%)."""
    if value <= 0 or value > 1:
        raise InputError(
            f"{name} must be above 0% and at most 100% (got {value * HUNDRED}%): "
            "no GPU serves more than its measured capacity."
        )


def parse_decimal(name: str, text: str) -> Decimal:
    """Parse ``text`` as a finite decimal number, or raise ``InputError`` naming ``name``."""
    try:
        value = Decimal(text.strip().replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise InputError(f"{name}: '{text}' is not a number.") from None
    if not value.is_finite():
        raise InputError(f"{name}: '{text}' is not a finite number.")
    return value


def parse_range(name: str, text: str) -> DecimalRange:
    """Parse ``"30"`` or ``"30-50"`` (spaces and a trailing ``%`` allowed) into a range.

    A range with its low end above its high end is rejected, as is a negative end.
    """
    cleaned = text.replace("%", "").strip()
    if cleaned.startswith("-"):
        raise InputError(f"{name} must be 0 or more (got {text}).")
    low_text, separator, high_text = cleaned.partition("-")
    if not separator:
        high_text = low_text
    if not low_text.strip():
        raise InputError(f"{name}: '{text}' is not a number or a range like 30-50.")
    low = parse_decimal(name, low_text)
    high = parse_decimal(name, high_text)
    require_non_negative(name, low)
    if low > high:
        raise InputError(
            f"{name}: the low end of '{text}' is above the high end; write it as {high}-{low}."
        )
    return DecimalRange(low, high)


def percent_range(name: str, text: str) -> DecimalRange:
    """Parse a percentage or a range of percentages into shares (``"30-50"`` to 0.3 and 0.5)."""
    parsed = parse_range(name, text)
    return DecimalRange(parsed.low / HUNDRED, parsed.high / HUNDRED)


def read_toml(path: Path, what: str) -> dict[str, Any]:
    """Read a TOML file, raising ``ConfigError`` that names ``what`` is missing or malformed."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: {what} not found.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}. Fix the syntax and try again.") from None
