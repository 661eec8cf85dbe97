"""Table cells and chart values shared by the sections.

Tables show money to the micro-dollar, as the JSON output does, so a figure read
from the page equals the analysis's figure rounded half to even to $0.000001.
Charts get floats: they only draw, and their tables carry the exact values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Generic, TypeVar

from truecost.outputs.render import format_usd

T = TypeVar("T")
USD_PLACES = 6
OTHER_LABEL = "other"


def usd_cell(value: Decimal | None) -> str:
    """Format dollars to the micro-dollar; None (no price known) reads ``unpriced``."""
    return "unpriced" if value is None else format_usd(value, USD_PLACES)


def share_cell(part: Decimal | int, whole: Decimal | int) -> str:
    """Format ``part / whole`` as a percentage with one decimal; ``-`` when ``whole`` is zero."""
    if not whole:
        return "-"
    share = Decimal(part) * 100 / Decimal(whole)
    return f"{share.quantize(Decimal('0.1'), rounding=ROUND_HALF_EVEN)}%"


def chart_usd(value: Decimal | None) -> float:
    """Return dollars as a float for drawing; unpriced spend draws as zero."""
    return 0.0 if value is None else float(value)


@dataclass(frozen=True)
class Ranked(Generic[T]):
    """The first ``limit`` items by rank, and the rest, which a chart folds into one bar."""

    top: list[T]
    rest: list[T]


def split_top(items: Sequence[T], limit: int) -> Ranked[T]:
    """Split ranked ``items`` into the first ``limit`` and the rest (a lone rest item stays in top)."""
    if len(items) <= limit + 1:
        return Ranked(top=list(items), rest=[])
    return Ranked(top=list(items[:limit]), rest=list(items[limit:]))


def counted(count: int, noun: str) -> str:
    """Return ``count`` with its noun, e.g. ``1 request`` or ``1,200 requests``."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def other_label(count: int, noun: str) -> str:
    """Return the label of a folded group, e.g. ``other (3 models)``."""
    return f"{OTHER_LABEL} ({counted(count, noun)})"
