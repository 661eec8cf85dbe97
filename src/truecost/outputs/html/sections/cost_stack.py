"""The full cost stack per feature: tokens beside engineering, infrastructure, monitoring and the rest.

Reads the ``[coststack]`` table of ``truecost.toml`` through ``truecost.analyses.tco``;
without that table the section is skipped with a note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import altair as alt

from truecost.errors import InputError
from truecost.outputs.html.cells import USD_PLACES
from truecost.outputs.html.charts import CHART_WIDTH_PX, inline_data, usd_axis_format
from truecost.outputs.html.context import ReportContext, analysis_available
from truecost.outputs.html.model import Figure, SectionResult, skipped
from truecost.outputs.html.registry import register_section
from truecost.outputs.render import Table

if TYPE_CHECKING:
    from truecost.analyses.tco import Period, TcoReport

KEY = "cost-stack"
TITLE = "Full cost per feature"
ANALYSIS = "truecost.analyses.tco"
BAR_HEIGHT_PX = 30


@register_section(KEY, TITLE, order=50)
def build(context: ReportContext) -> SectionResult:
    """Chart each feature's token cost and configured costs for the report's month or period."""
    if not analysis_available(ANALYSIS):
        return skipped(KEY, TITLE, "the cost stack analysis is not part of this installation.")
    stack = context.config().coststack
    if stack is None:
        return skipped(
            KEY,
            TITLE,
            "the configuration has no [coststack] table. Add one to truecost.toml to see "
            "engineering, infrastructure, monitoring and other costs beside tokens "
            "(keys in docs/cost-stack.md).",
        )
    from truecost.analyses.tco import tco_report

    period, period_note = _period(context)
    if period is None:
        return skipped(KEY, TITLE, "No records in the selected period.")
    only = [value for name, value in context.selection.filters if name == "feature"]
    try:
        report = tco_report(context.con, stack, period, only or None)
    except InputError as exc:
        return skipped(KEY, TITLE, str(exc))
    notes = [period_note, *report.notes]
    if any(name != "feature" for name, _ in context.selection.filters):
        notes.append("Filters other than feature do not apply here: the cost stack is per feature.")
    return SectionResult(key=KEY, title=TITLE, figures=[_figure(report)], notes=notes)


def _period(context: ReportContext) -> tuple[Period | None, str]:
    from truecost.analyses.tco import Period, month_period

    selection = context.selection
    if selection.since is not None and selection.until is not None:
        period = Period(selection.since, selection.until)
        return (
            period,
            f"Monthly costs are prorated to the selected period ({period.days:.2f} days).",
        )
    latest = context.latest_record_time()
    if latest is None:
        return None, ""
    month = f"{latest:%Y-%m}"
    return month_period(month), f"Costs of {month}, the month of the latest record."


def _figure(report: TcoReport) -> Figure:
    return Figure(
        key=f"{KEY}-by-feature",
        title="Cost per feature by category",
        spec=_chart(report),
        table=_table(report),
        caption="Bars show the point estimate of each cost; the table gives the range "
        "where the configuration gives one.",
    )


def _chart(report: TcoReport) -> dict[str, Any]:
    values: list[dict[str, Any]] = []
    categories: list[str] = []
    totals: dict[str, float] = {}
    for feature in report.features:
        for category, amount in feature.by_category().items():
            if category not in categories:
                categories.append(category)
            if not amount.mid_usd:
                continue
            usd = float(amount.mid_usd)
            values.append({"feature": feature.feature, "category": category, "usd": usd})
            totals[feature.feature] = totals.get(feature.feature, 0.0) + usd
    categories.sort(key=_category_rank)
    for value in values:
        value["rank"] = categories.index(value["category"])
    features = list(totals)
    chart = (
        alt.Chart(inline_data(values))
        .mark_bar()
        .encode(
            y=alt.Y("feature:N", sort=features, title=None),
            x=alt.X(
                "usd:Q",
                title="cost (USD)",
                axis=alt.Axis(format=usd_axis_format(max(totals.values(), default=0.0))),
            ),
            color=alt.Color("category:N", sort=categories, title="category"),
            order=alt.Order("rank:Q"),
        )
        .properties(width=CHART_WIDTH_PX - 200, height=BAR_HEIGHT_PX * max(len(features), 1))
    )
    spec: dict[str, Any] = chart.to_dict()
    return spec


def _category_rank(category: str) -> int:
    from truecost.config.coststack import CATEGORIES, EXTRA

    order = ["tokens", *CATEGORIES, EXTRA]
    return order.index(category) if category in order else len(order)


def _table(report: TcoReport) -> Table:
    from truecost.outputs.coststack import format_amount, format_share

    body = []
    for feature in report.features:
        for category, amount in feature.by_category().items():
            body.append(
                [
                    feature.feature,
                    category,
                    format_amount(amount, USD_PLACES),
                    format_share(feature.share(amount)),
                ]
            )
        body.append(
            [feature.feature, "all categories", format_amount(feature.total, USD_PLACES), ""]
        )
    body.append(["total", "", format_amount(report.total, USD_PLACES), ""])
    return Table(
        columns=["feature", "category", "cost (range)", "share of feature"],
        rows=body,
        align_right=frozenset({2, 3}),
    )
