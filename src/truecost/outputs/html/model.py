"""Section contents of the HTML report: figures (a chart and its exact table), facts and notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from truecost.outputs.render import Table


@dataclass(frozen=True)
class Figure:
    """One chart and the table of the exact figures it draws.

    ``spec`` is a Vega-Lite specification (a dict, as ``altair.Chart.to_dict()``
    returns). The chart plots floats for drawing only; ``table`` carries the
    figures formatted from the analysis's own ``Decimal`` values.
    """

    key: str
    title: str
    spec: dict[str, Any]
    table: Table
    caption: str = ""


@dataclass(frozen=True)
class SectionResult:
    """A section of the page; ``skipped`` names why it has no content, when it has none."""

    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    facts: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: str | None = None


def skipped(key: str, title: str, reason: str) -> SectionResult:
    """Return a section that shows only why it was left out."""
    return SectionResult(key=key, title=title, skipped=reason)
