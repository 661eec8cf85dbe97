"""Top models and features: where the money goes, largest first."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import altair as alt

from truecost.analyses.spend import Group, spend_report
from truecost.outputs.html.cells import chart_usd, other_label, share_cell, split_top, usd_cell
from truecost.outputs.html.charts import CHART_WIDTH_PX, inline_data, usd_axis_format
from truecost.outputs.html.context import ReportContext
from truecost.outputs.html.model import Figure, SectionResult, skipped
from truecost.outputs.html.registry import register_section
from truecost.outputs.render import Table, format_count

KEY = "top-spenders"
TITLE = "Top models and features"
DIMENSIONS = ("model", "feature")
MAX_BARS = 10
BAR_HEIGHT_PX = 24


@register_section(KEY, TITLE, order=40)
def build(context: ReportContext) -> SectionResult:
    """Chart spend per model and per feature, with requests, share and cost per request."""
    figures = []
    for dimension in DIMENSIONS:
        report = spend_report(context.con, [dimension], context.selection)
        if not report.requests:
            return skipped(KEY, TITLE, "No records in the selected period.")
        figures.append(_figure(dimension, report.groups, report.total_usd))
    return SectionResult(key=KEY, title=TITLE, figures=figures)


def _figure(dimension: str, groups: list[Group], total_usd: Decimal) -> Figure:
    ranked = split_top(groups, MAX_BARS)
    bars = [(group.key[dimension], group.usd) for group in ranked.top]
    if ranked.rest:
        rest = sum((g.usd for g in ranked.rest if g.usd is not None), Decimal(0))
        bars.append((other_label(len(ranked.rest), dimension), rest))
    return Figure(
        key=f"{KEY}-by-{dimension}",
        title=f"Spend by {dimension}",
        spec=_chart(bars, dimension),
        table=_table(dimension, groups, total_usd),
        caption=f"Share is of all priced spend; the table lists every {dimension}.",
    )


def _chart(bars: list[tuple[str, Decimal | None]], dimension: str) -> dict[str, Any]:
    values = [{"name": name, "usd": chart_usd(usd)} for name, usd in bars]
    longest = max((chart_usd(usd) for _, usd in bars), default=0.0)
    chart = (
        alt.Chart(inline_data(values))
        .mark_bar(color="#4c78a8")
        .encode(
            y=alt.Y("name:N", sort=[name for name, _ in bars], title=dimension),
            x=alt.X("usd:Q", title="spend (USD)", axis=alt.Axis(format=usd_axis_format(longest))),
        )
        .properties(width=CHART_WIDTH_PX - 200, height=BAR_HEIGHT_PX * max(len(bars), 1))
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def _table(dimension: str, groups: list[Group], total_usd: Decimal) -> Table:
    rows = [
        [
            group.key[dimension],
            format_count(group.requests),
            usd_cell(group.usd),
            "-" if group.usd is None else share_cell(group.usd, total_usd),
            usd_cell(group.usd_per_request),
        ]
        for group in groups
    ]
    rows.append(
        ["total", format_count(sum(g.requests for g in groups)), usd_cell(total_usd), "", ""]
    )
    return Table(
        columns=[dimension, "requests", "spend", "share", "per request"],
        rows=rows,
        align_right=frozenset({1, 2, 3, 4}),
    )
