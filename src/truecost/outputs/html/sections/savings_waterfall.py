"""Savings waterfall: from the baseline cost, each optimization's saving in sequence, to the optimized cost.

Reads ``truecost.savings``, which replays the ledger's records under each
optimization; the ``[savings]`` table of ``truecost.toml`` is optional there.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import altair as alt

from truecost.outputs.html.cells import chart_usd, share_cell, usd_cell
from truecost.outputs.html.charts import (
    CHART_HEIGHT_PX,
    CHART_WIDTH_PX,
    inline_data,
    usd_axis_format,
)
from truecost.outputs.html.context import ReportContext, analysis_available
from truecost.outputs.html.model import Figure, SectionResult, skipped
from truecost.outputs.html.registry import register_section
from truecost.outputs.render import Table

if TYPE_CHECKING:
    from truecost.savings.report import SavingsReport

KEY = "savings"
TITLE = "Savings from baseline to optimized"
ANALYSIS = "truecost.savings.report"
BASELINE = "baseline"
OPTIMIZED = "optimized"
# Colours of the waterfall's bars: totals, savings, and a step that costs more.
KIND_COLOURS = {"total": "#4c78a8", "saving": "#54a24b", "increase": "#e45756"}


@register_section(KEY, TITLE, order=70)
def build(context: ReportContext) -> SectionResult:
    """Chart the saving of every optimization applied in sequence, without double counting."""
    if not analysis_available(ANALYSIS):
        return skipped(KEY, TITLE, "the savings analysis is not part of this installation.")
    from truecost.config.savings import SavingsConfig
    from truecost.savings.base import ReplayContext
    from truecost.savings.report import run_savings

    config = context.config().savings or SavingsConfig()
    replay = ReplayContext(catalog=context.price_catalog(), config=config)
    report = run_savings(context.con, replay, context.selection)
    if report.records == 0:
        return skipped(KEY, TITLE, "No priced records in the selected period.")
    notes = list(report.assumptions)
    if report.month_factor is None:
        notes.append("The records span no time, so no monthly figures are given.")
    figure = Figure(
        key=f"{KEY}-waterfall",
        title="Cost of the selected records, optimization by optimization",
        spec=_chart(report),
        table=_table(report),
        caption="Each optimization is applied after the ones before it, so the savings add up "
        "to the difference between the baseline and the optimized cost.",
    )
    return SectionResult(key=KEY, title=TITLE, figures=[figure], notes=notes)


def _chart(report: SavingsReport) -> dict[str, Any]:
    values = [_bar(BASELINE, Decimal(0), report.baseline_usd, "total", 0)]
    level = report.baseline_usd
    for rank, step in enumerate(report.combined, start=1):
        after = level - step.saved_usd
        kind = "saving" if step.saved_usd >= 0 else "increase"
        values.append(_bar(step.title, after, level, kind, rank))
        level = after
    values.append(_bar(OPTIMIZED, Decimal(0), level, "total", len(values)))
    top = max(chart_usd(report.baseline_usd), chart_usd(level))
    chart = (
        alt.Chart(inline_data(values))
        .mark_bar()
        .encode(
            x=alt.X(
                "step:N",
                sort=[value["step"] for value in values],
                title=None,
                axis=alt.Axis(labelAngle=-30, labelLimit=180),
            ),
            y=alt.Y("low:Q", title="cost (USD)", axis=alt.Axis(format=usd_axis_format(top))),
            y2="high:Q",
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=list(KIND_COLOURS), range=list(KIND_COLOURS.values())),
                title=None,
            ),
        )
        .properties(width=CHART_WIDTH_PX, height=CHART_HEIGHT_PX)
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def _bar(step: str, low: Decimal, high: Decimal, kind: str, rank: int) -> dict[str, Any]:
    low_usd, high_usd = sorted((chart_usd(low), chart_usd(high)))
    return {"step": step, "low": low_usd, "high": high_usd, "kind": kind, "rank": rank}


def _table(report: SavingsReport) -> Table:
    rows = [[BASELINE, "", "", usd_cell(report.baseline_usd), ""]]
    level = report.baseline_usd
    for step in report.combined:
        level -= step.saved_usd
        rows.append(
            [
                step.title,
                usd_cell(step.saved_usd),
                _per_month(report, step.saved_usd),
                usd_cell(level),
                share_cell(step.saved_usd, report.baseline_usd),
            ]
        )
    saved = report.combined_saved_usd
    rows.append(
        [
            OPTIMIZED,
            usd_cell(saved),
            _per_month(report, saved),
            usd_cell(level),
            share_cell(saved, report.baseline_usd),
        ]
    )
    return Table(
        columns=["step", "saved", "saved per 30 days", "cost after", "share of baseline"],
        rows=rows,
        align_right=frozenset({1, 2, 3, 4}),
    )


def _per_month(report: SavingsReport, usd: Decimal) -> str:
    monthly = report.per_month(usd)
    return "-" if monthly is None else usd_cell(monthly)
