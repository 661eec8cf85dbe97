"""Self-hosting: monthly cost against volume for the API and for a GPU deployment.

Reads ``truecost.analyses.selfhost_report`` with the deployment of the
``[selfhost]`` table of ``truecost.toml`` (a throughput profile or capacity, and
a GPU price) and the traffic shape of the selected records. Without a
deployment in the table the section is skipped with a note saying what to set.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any

import altair as alt

from truecost.errors import ConfigError, InputError
from truecost.outputs.html.cells import chart_usd, usd_cell
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
    from truecost.analyses.selfhost_crossover import CostCurvePoint
    from truecost.analyses.selfhost_report import SelfHostReport
    from truecost.analyses.selfhost_traffic import TrafficFilter
    from truecost.config.selfhost import SelfHostConfig

KEY = "self-hosting"
TITLE = "Self-hosting cost against volume"
ANALYSIS = "truecost.analyses.selfhost_report"
API_LINE = "API"
SELFHOST_LINE = "self-hosting"
LINE_COLOURS = {API_LINE: "#4c78a8", SELFHOST_LINE: "#f58518"}
CROSSOVER_COLOUR = "#54a24b"
# The only --where dimensions the self-hosting traffic filter supports.
TRAFFIC_DIMENSIONS = ("feature", "environment")


@register_section(KEY, TITLE, order=80)
def build(context: ReportContext) -> SectionResult:
    """Chart both monthly cost lines and the crossover for the ``[selfhost]`` deployment."""
    if not analysis_available(ANALYSIS):
        return skipped(KEY, TITLE, "the self-hosting analysis is not part of this installation.")
    from truecost.analyses.selfhost_config import selfhost_request
    from truecost.analyses.selfhost_report import build_report, report_cost_curve

    config = context.config().selfhost
    if config is None or not config.names_deployment:
        return skipped(
            KEY,
            TITLE,
            "no GPU deployment is configured. Set profile (or capacity_rpm) and "
            "gpu_usd_per_hour (or gpu_usd_per_month) in the [selfhost] table of truecost.toml.",
        )
    unsupported = [name for name, _ in context.selection.filters if name not in TRAFFIC_DIMENSIONS]
    if unsupported:
        return skipped(
            KEY,
            TITLE,
            f"the self-hosting analysis filters by feature and environment only, "
            f"not by {', '.join(unsupported)}.",
        )
    _check_profile(config)
    request = replace(selfhost_request(config), traffic_filter=_traffic_filter(context))
    try:
        report = build_report(request, context.con)
    except InputError as exc:
        return skipped(KEY, TITLE, str(exc))
    points = report_cost_curve(report)
    notes = [*report.warnings, f"API price per request: {report.api_price_source}."]
    if report.crossovers[0] is None:
        notes.append(
            "The lines do not cross: at these prices and this traffic shape, self-hosting "
            "costs more than the API at every volume the deployment can serve."
        )
    figure = Figure(
        key=f"{KEY}-crossover",
        title="Monthly cost of the API and of self-hosting against peak requests per minute",
        spec=_chart(points, report),
        table=_table(points, report),
        caption="Self-hosting rises in a step per replica; the API line is straight. Both use "
        "the traffic's peak-to-average ratio and request shape, and the low end of the "
        "overhead range.",
    )
    return SectionResult(
        key=KEY,
        title=TITLE,
        figures=[figure],
        facts=_facts(report),
        notes=notes,
    )


def _check_profile(config: SelfHostConfig) -> None:
    """Raise ``ConfigError`` when the table names a throughput profile that does not exist."""
    from truecost.analyses.selfhost_profiles import all_profiles, find_profile

    if config.profile is None:
        return
    try:
        find_profile(config.profile, all_profiles())
    except InputError as exc:
        raise ConfigError(f"profile in the [selfhost] table: {exc}") from None


def _traffic_filter(context: ReportContext) -> TrafficFilter:
    from truecost.analyses.selfhost_traffic import TrafficFilter

    filters = dict(context.selection.filters)
    return TrafficFilter(
        since=context.selection.since,
        until=context.selection.until,
        features=(filters["feature"],) if "feature" in filters else (),
        environment=filters.get("environment"),
    )


def rate_cell(value: Decimal, places: int = 2) -> str:
    """Format a rate or volume with thousands separators, rounded half to even to ``places``."""
    quantum = Decimal(1).scaleb(-places)
    return f"{value.quantize(quantum, rounding=ROUND_HALF_EVEN):,}"


def _facts(report: SelfHostReport) -> list[tuple[str, str]]:
    deployment = report.deployments[0]
    now = report.estimates[0]
    name = report.profile.id if report.profile else "capacity from truecost.toml"
    facts = [
        ("deployment", name),
        ("capacity per replica", f"{rate_cell(report.requests_per_minute_per_replica)} rpm"),
        ("GPUs per replica", str(deployment.gpus_per_replica)),
        ("peak now", f"{rate_cell(report.traffic.peak_requests_per_minute)} rpm"),
        ("API per month now", usd_cell(now.api_usd_per_month)),
        ("self-hosting per month now", usd_cell(now.total_usd_per_month)),
    ]
    for deployment, crossover in zip(report.deployments, report.crossovers, strict=True):
        label = f"crossover at {rate_cell(deployment.overhead_share * 100, 0)}% overhead"
        if crossover is None:
            facts.append((label, "never"))
        else:
            facts.append((label, f"{rate_cell(crossover.peak_requests_per_minute)} rpm peak"))
    return facts


def _chart(points: list[CostCurvePoint], report: SelfHostReport) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for point in points:
        rpm = float(point.peak_requests_per_minute)
        rows.append({"rpm": rpm, "usd": chart_usd(point.api_usd_per_month), "line": API_LINE})
        rows.append(
            {"rpm": rpm, "usd": chart_usd(point.selfhost_usd_per_month), "line": SELFHOST_LINE}
        )
    top = max(
        chart_usd(max(point.api_usd_per_month, point.selfhost_usd_per_month)) for point in points
    )

    x = alt.X("rpm:Q", title="peak requests per minute", scale=alt.Scale(nice=False))
    y = alt.Y("usd:Q", title="cost per month (USD)", axis=alt.Axis(format=usd_axis_format(top)))
    colour = alt.Color(
        "line:N",
        title=None,
        scale=alt.Scale(domain=list(LINE_COLOURS), range=list(LINE_COLOURS.values())),
    )

    base = alt.Chart(inline_data(rows)).encode(x=x, y=y, color=colour)
    api = base.transform_filter(alt.datum.line == API_LINE).mark_line()
    # Each point's cost applies from the point before it, so a step rises just after
    # the last rate the smaller replica count serves.
    selfhost = base.transform_filter(alt.datum.line == SELFHOST_LINE).mark_line(
        interpolate="step-before"
    )
    layers: list[Any] = [api, selfhost]

    crossover = report.crossovers[0]
    if crossover is not None:
        mark = alt.Chart(
            inline_data(
                [
                    {
                        "rpm": float(crossover.peak_requests_per_minute),
                        "usd": chart_usd(crossover.monthly_usd),
                        "label": "crossover",
                    }
                ]
            )
        ).encode(x=x, y=y)
        layers.append(mark.mark_point(filled=True, size=80, color=CROSSOVER_COLOUR))
        layers.append(
            mark.mark_text(align="left", dx=8, dy=-8, color=CROSSOVER_COLOUR).encode(text="label:N")
        )
    chart = alt.layer(*layers).properties(width=CHART_WIDTH_PX, height=CHART_HEIGHT_PX)
    spec: dict[str, Any] = chart.to_dict()
    return spec


def _table(points: list[CostCurvePoint], report: SelfHostReport) -> Table:
    crossover = report.crossovers[0]
    rows = []
    for point in points:
        at_crossover = (
            crossover is not None
            and point.peak_requests_per_minute == crossover.peak_requests_per_minute
        )
        if at_crossover:
            cheaper = "crossover"
        elif point.selfhost_usd_per_month < point.api_usd_per_month:
            cheaper = SELFHOST_LINE
        elif point.selfhost_usd_per_month > point.api_usd_per_month:
            cheaper = API_LINE
        else:
            cheaper = "same"
        rows.append(
            [
                rate_cell(point.peak_requests_per_minute),
                rate_cell(point.requests_per_day, 0),
                rate_cell(point.tokens_per_month, 0),
                usd_cell(point.api_usd_per_month),
                usd_cell(point.selfhost_usd_per_month),
                str(point.replicas),
                cheaper,
            ]
        )
    return Table(
        columns=[
            "peak rpm",
            "requests per day",
            "tokens per month",
            "API per month",
            "self-hosting per month",
            "replicas",
            "cheaper",
        ],
        rows=rows,
        align_right=frozenset({0, 1, 2, 3, 4, 5}),
    )
