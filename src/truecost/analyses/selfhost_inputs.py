"""Checks and parsers for the numbers the build-vs-buy analyses take from users."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from truecost.config.values import Range, parse_range
from truecost.errors import InputError

HUNDRED = Decimal(100)


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


def option_range(name: str, text: str) -> Range:
    """Parse ``"30"`` or ``"30-50"`` (a trailing ``%`` allowed) for option ``name``.

    Negative ends and a low end above the high end raise ``InputError``.
    """
    try:
        return parse_range(text.replace("%", ""))
    except ValueError as exc:
        raise InputError(f"{name}: {exc}.") from None


def percent_range(name: str, text: str) -> Range:
    """Parse a percentage or a range of percentages into shares (``"30-50"`` to 0.3 and 0.5)."""
    return to_shares(option_range(name, text))


def to_shares(percentages: Range) -> Range:
    """Return a range of percentages as shares of 1."""
    return Range(percentages.low / HUNDRED, percentages.high / HUNDRED)
