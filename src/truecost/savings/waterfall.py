"""Waterfall rows for charts: baseline, each optimization in sequence, optimized."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from truecost.savings.report import SavingsReport


@dataclass(frozen=True)
class WaterfallRow:
    """One bar: ``start_usd`` to ``end_usd`` per 30-day month (period totals when no month)."""

    label: str
    kind: str  # "baseline", "step" or "optimized"
    start_usd: Decimal
    end_usd: Decimal

    @property
    def delta_usd(self) -> Decimal:
        """Return the change this bar shows (negative for a saving)."""
        return self.end_usd - self.start_usd


def waterfall_rows(report: SavingsReport) -> list[WaterfallRow]:
    """Return the baseline bar, one bar per combined step, then the optimized bar."""
    scale = report.month_factor if report.month_factor is not None else Decimal(1)
    level = report.baseline_usd * scale
    rows = [WaterfallRow("Baseline", "baseline", Decimal(0), level)]
    for step in report.combined:
        after = level - step.saved_usd * scale
        rows.append(WaterfallRow(step.title, "step", level, after))
        level = after
    rows.append(WaterfallRow("Optimized", "optimized", Decimal(0), level))
    return rows
