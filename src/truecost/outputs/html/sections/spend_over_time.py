"""Spend over time: one stacked bar per day, week or month, split by feature and by model."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import altair as alt

from truecost.analyses.spend import SpendReport, spend_report
from truecost.outputs.html.cells import chart_usd, counted, other_label, split_top, usd_cell
from truecost.outputs.html.charts import (
    CHART_HEIGHT_PX,
    CHART_WIDTH_PX,
    inline_data,
    usd_axis_format,
)
from truecost.outputs.html.context import ReportContext
from truecost.outputs.html.model import Figure, SectionResult, skipped
from truecost.outputs.html.registry import register_section
from truecost.outputs.render import Table

KEY = "spend-over-time"
TITLE = "Spend over time"
STACK_DIMENSIONS = ("feature", "model")
# Series beyond this many are drawn as one "other" band so the colours stay readable.
MAX_SERIES = 8
# Up to about two months of data reads best per day, up to about a year per week.
MAX_DAYS_PER_DAY_BARS = 62
MAX_DAYS_PER_WEEK_BARS = 366


def choose_period(first_ts: datetime, last_ts: datetime) -> str:
    """Return the bar width, ``day``, ``week`` or ``month``, that suits the span of the data."""
    span = last_ts - first_ts
    if span <= timedelta(days=MAX_DAYS_PER_DAY_BARS):
        return "day"
    if span <= timedelta(days=MAX_DAYS_PER_WEEK_BARS):
        return "week"
    return "month"


@register_section(KEY, TITLE, order=20)
def build(context: ReportContext) -> SectionResult:
    """Chart spend per period, stacked by feature and, in a second chart, by model."""
    overall = spend_report(context.con, [], context.selection)
    if overall.first_ts is None or overall.last_ts is None:
        return skipped(KEY, TITLE, "No records in the selected period.")
    period = choose_period(overall.first_ts, overall.last_ts)
    figures = [
        _figure(spend_report(context.con, [period, dimension], context.selection), period)
        for dimension in STACK_DIMENSIONS
    ]
    notes = []
    if overall.unpriced:
        count = sum(u.requests for u in overall.unpriced)
        notes.append(
            f"Left out of the bars: {counted(count, 'request')} to models with no known price."
        )
    return SectionResult(key=KEY, title=TITLE, figures=figures, notes=notes)


def _figure(report: SpendReport, period: str) -> Figure:
    dimension = report.by[1]
    totals: dict[str, Decimal] = {}
    for group in report.groups:
        name = group.key[dimension]
        totals[name] = totals.get(name, Decimal(0)) + (group.usd or Decimal(0))
    ranked = split_top(sorted(totals, key=lambda name: (-totals[name], name)), MAX_SERIES)
    label = {name: name for name in ranked.top}
    if ranked.rest:
        folded = other_label(len(ranked.rest), dimension)
        label.update({name: folded for name in ranked.rest})
    series = list(dict.fromkeys(label[name] for name in [*ranked.top, *ranked.rest]))
    cells: dict[str, dict[str, Decimal | None]] = {}
    for group in report.groups:
        row = cells.setdefault(group.key[period], {})
        name = label[group.key[dimension]]
        if group.usd is None:
            row.setdefault(name, None)
        else:
            row[name] = (row.get(name) or Decimal(0)) + group.usd
    return Figure(
        key=f"{KEY}-by-{dimension}",
        title=f"Spend per {period}, by {dimension}",
        spec=_chart(cells, series, period, dimension),
        table=_table(cells, series, period),
        caption=f"Each bar is one {period} (UTC); colours split it by {dimension}.",
    )


def _chart(
    cells: dict[str, dict[str, Decimal | None]], series: list[str], period: str, dimension: str
) -> dict[str, Any]:
    values = [
        {"period": key, "series": name, "rank": series.index(name), "usd": chart_usd(usd)}
        for key, row in sorted(cells.items())
        for name, usd in row.items()
    ]
    tallest = max(
        (sum(chart_usd(usd) for usd in row.values()) for row in cells.values()), default=0.0
    )
    chart = (
        alt.Chart(inline_data(values))
        .mark_bar()
        .encode(
            x=alt.X("period:O", title=f"{period} (UTC)", axis=alt.Axis(labelAngle=-45)),
            y=alt.Y(
                "usd:Q",
                stack="zero",
                title="spend (USD)",
                axis=alt.Axis(format=usd_axis_format(tallest)),
            ),
            color=alt.Color("series:N", sort=series, title=dimension),
            order=alt.Order("rank:Q"),
        )
        .properties(width=CHART_WIDTH_PX, height=CHART_HEIGHT_PX)
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def _table(cells: dict[str, dict[str, Decimal | None]], series: list[str], period: str) -> Table:
    rows = []
    column_totals: dict[str, Decimal | None] = {}
    for key, row in sorted(cells.items()):
        rows.append([key, *(_cell(row, name) for name in series), usd_cell(_priced_sum(row))])
        for name, usd in row.items():
            if usd is None:
                column_totals.setdefault(name, None)
            else:
                column_totals[name] = (column_totals.get(name) or Decimal(0)) + usd
    grand_total = _priced_sum(column_totals)
    rows.append(
        ["total", *(usd_cell(column_totals.get(name)) for name in series), usd_cell(grand_total)]
    )
    return Table(
        columns=[period, *series, "total"],
        rows=rows,
        align_right=frozenset(range(1, len(series) + 2)),
    )


def _priced_sum(row: dict[str, Decimal | None]) -> Decimal:
    return sum((usd for usd in row.values() if usd is not None), Decimal(0))


def _cell(row: dict[str, Decimal | None], name: str) -> str:
    if name not in row:
        return "-"
    return usd_cell(row[name])
