"""Month-end forecast: spend so far this month, the forecast with its 80% interval, and the budget.

Reads ``truecost.analyses.monthend``. The budget line is the monthly
``[[alerts.budgets]]`` entry of ``truecost.toml`` whose scope equals the report's
``--where`` filters. Without such an entry the line is left out with a note.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
    from truecost.analyses.forecast_model import PeriodForecast

KEY = "month-end"
TITLE = "Month-end forecast"
ANALYSIS = "truecost.analyses.monthend"
FORECAST_COLOUR = "#f58518"
BUDGET_COLOUR = "#e45756"


@register_section(KEY, TITLE, order=60)
def build(context: ReportContext) -> SectionResult:
    """Chart the month's cumulative spend, the month-end forecast and interval, and the budget."""
    if not analysis_available(ANALYSIS):
        return skipped(KEY, TITLE, "the month-end forecast is not part of this installation.")
    from truecost.analyses.daily import daily_spend
    from truecost.analyses.monthend import month_end_forecast
    from truecost.analyses.spend import Selection

    as_of = _as_of(context)
    if as_of is None:
        return skipped(KEY, TITLE, "No records in the selected period.")
    filters = context.selection.filters
    forecast = month_end_forecast(context.con, as_of, Selection(filters=filters))
    month = Selection(since=forecast.period.start, until=as_of, filters=filters)
    cumulative = _cumulative(daily_spend(context.con, month), forecast.period.start.date(), as_of)
    budget = monthly_budget(context, filters)
    notes = [
        f"Forecast as of {as_of:%Y-%m-%d %H:%M} UTC by {forecast.method}, "
        f"from {forecast.history_days} days of history."
    ]
    if budget is None:
        notes.append(
            "No budget line: truecost.toml has no monthly [[alerts.budgets]] entry whose scope "
            f"matches this report ({_scope_text(filters)})."
        )
    figure = Figure(
        key=f"{KEY}-forecast",
        title=f"Spend in {forecast.period.key}: so far and forecast to month end",
        spec=_chart(cumulative, forecast, budget),
        table=_table(cumulative, forecast, budget),
        caption="The line is the month's spend so far; the dashed line leads to the forecast and "
        "the band to its 80% interval.",
    )
    return SectionResult(
        key=KEY, title=TITLE, figures=[figure], facts=_facts(forecast, budget), notes=notes
    )


def _as_of(context: ReportContext) -> datetime | None:
    if context.as_of is not None:
        return context.as_of
    latest = context.latest_record_time()
    # Just after the latest record, so that its own spend counts as spent.
    return None if latest is None else latest + timedelta(microseconds=1)


def monthly_budget(context: ReportContext, filters: tuple[tuple[str, str], ...]) -> Decimal | None:
    """Return the monthly budget whose scope equals ``filters``, or None when none is configured."""
    alerts = context.config().alerts
    if alerts is None:
        return None
    for budget in alerts.budgets:
        if budget.period == "month" and budget.scope == dict(filters):
            return budget.amount_usd
    return None


def _scope_text(filters: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{name}={value}" for name, value in filters) or "all spend"


def _cumulative(
    daily: dict[date, Decimal], start: date, as_of: datetime
) -> list[tuple[date, Decimal, Decimal]]:
    rows = []
    total = Decimal(0)
    day = start
    while day <= as_of.date():
        spent = daily.get(day, Decimal(0))
        total += spent
        rows.append((day, spent, total))
        day += timedelta(days=1)
    return rows


def _facts(forecast: PeriodForecast, budget: Decimal | None) -> list[tuple[str, str]]:
    facts = [
        ("spent so far", usd_cell(forecast.spent_usd)),
        ("month-end forecast", usd_cell(forecast.forecast_usd)),
        ("80% interval", f"{usd_cell(forecast.low_usd)} to {usd_cell(forecast.high_usd)}"),
        ("straight-line projection", usd_cell(forecast.straight_line_usd)),
    ]
    if budget is not None:
        facts.append(("monthly budget", usd_cell(budget)))
        facts.append(("forecast share of budget", share_cell(forecast.forecast_usd, budget)))
    return facts


def _chart(
    cumulative: list[tuple[date, Decimal, Decimal]],
    forecast: PeriodForecast,
    budget: Decimal | None,
) -> dict[str, Any]:
    end = forecast.period.end.date().isoformat()
    last = cumulative[-1][0].isoformat() if cumulative else forecast.period.start.date().isoformat()
    spent = chart_usd(forecast.spent_usd)
    x = alt.X(
        "day:T", title="day (UTC)", scale=alt.Scale(type="utc"), axis=alt.Axis(format="%b %d")
    )
    top = max(chart_usd(forecast.high_usd), chart_usd(budget))
    y = alt.Y("usd:Q", title="spend this month (USD)", axis=alt.Axis(format=usd_axis_format(top)))
    actual = (
        alt.Chart(
            inline_data(
                [{"day": d.isoformat(), "usd": chart_usd(total)} for d, _, total in cumulative]
            )
        )
        .mark_line(point=True, color="#4c78a8")
        .encode(x=x, y=y)
    )
    path = [{"day": last, "usd": spent}, {"day": end, "usd": chart_usd(forecast.forecast_usd)}]
    projected = (
        alt.Chart(inline_data(path))
        .mark_line(color=FORECAST_COLOUR, strokeDash=[6, 4])
        .encode(x=x, y=y)
    )
    band_rows = [
        {"day": last, "low": spent, "high": spent},
        {"day": end, "low": chart_usd(forecast.low_usd), "high": chart_usd(forecast.high_usd)},
    ]
    band = (
        alt.Chart(inline_data(band_rows))
        .mark_area(color=FORECAST_COLOUR, opacity=0.2)
        .encode(x=x, y=alt.Y("low:Q"), y2="high:Q")
    )
    layers = [band, actual, projected]
    if budget is not None:
        rule = alt.Chart(inline_data([{"usd": chart_usd(budget), "label": "budget"}]))
        layers.append(rule.mark_rule(color=BUDGET_COLOUR, strokeDash=[2, 2]).encode(y="usd:Q"))
        layers.append(
            rule.mark_text(color=BUDGET_COLOUR, align="left", dx=4, dy=-6).encode(
                y="usd:Q", text="label:N", x=alt.value(0)
            )
        )
    chart = alt.layer(*layers).properties(width=CHART_WIDTH_PX, height=CHART_HEIGHT_PX)
    spec: dict[str, Any] = chart.to_dict()
    return spec


def _table(
    cumulative: list[tuple[date, Decimal, Decimal]],
    forecast: PeriodForecast,
    budget: Decimal | None,
) -> Table:
    rows = [
        [d.isoformat(), usd_cell(spent), usd_cell(total), "", "", ""]
        for d, spent, total in cumulative
    ]
    rows.append(
        [
            "month end (forecast)",
            "",
            "",
            usd_cell(forecast.forecast_usd),
            usd_cell(forecast.low_usd),
            usd_cell(forecast.high_usd),
        ]
    )
    if budget is not None:
        rows.append(["budget", "", "", usd_cell(budget), "", ""])
    return Table(
        columns=["day", "spend", "month so far", "forecast", "80% low", "80% high"],
        rows=rows,
        align_right=frozenset({1, 2, 3, 4, 5}),
    )
