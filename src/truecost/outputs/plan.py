"""Renderings of ``truecost plan`` results and of the template list."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from truecost.analyses.plan import COMPONENTS, FIGURES, PlanResult
from truecost.analyses.plan_scenario import Scenario
from truecost.outputs.coststack import amount_payload, format_amount, format_share
from truecost.outputs.render import (
    Table,
    format_count,
    format_usd,
    micro_usd,
    render_csv,
    render_markdown,
    render_text,
    to_json,
)

_FIGURE_TITLES = {
    "token_usd_per_request": ("tokens", "per request"),
    "token_usd_per_day": ("tokens", "per day"),
    "token_usd_per_month": ("tokens", "per month"),
    "stack_usd_per_month": ("cost stack", "per month"),
    "total_usd_per_month": ("total", "per month"),
    "total_usd_per_day": ("total", "per day"),
    "total_usd_per_request": ("total", "per request"),
    "total_usd_per_outcome": ("total", "per outcome"),
}
_PER_REQUEST = frozenset(
    {"token_usd_per_request", "total_usd_per_request", "total_usd_per_outcome"}
)


def _count(value: Decimal) -> str:
    return format_count(int(value.to_integral_value()))


def plan_payload(result: PlanResult) -> dict[str, Any]:
    """Return the JSON document of a plan; exact point figures are rounded to the micro-dollar."""
    days = result.scenario.days_per_month
    payload: dict[str, Any] = {
        "scenario": result.scenario.name,
        "models": [
            {"model": p.model_id, "share": p.route.share, "batch_notes": list(p.notes)}
            for p in result.prices
        ],
        "requests_per_day": result.requests_per_day,
        "outcomes_per_day": result.outcomes_per_day,
        "outcome_unit": result.scenario.outcome_unit,
        "days_per_month": days,
        "simulated": result.simulated,
        "components": {
            name: {
                "tokens_per_request": result.tokens[name],
                "tokens_per_day": result.tokens[name] * result.requests_per_day,
                "usd_per_request": micro_usd(result.usd[name]),
                "usd_per_day": micro_usd(result.usd[name] * result.requests_per_day),
                "usd_per_month": micro_usd(result.usd[name] * result.requests_per_day * days),
                "share": result.share(name),
            }
            for name in COMPONENTS
        },
        "estimates": {
            name: {
                "point": micro_usd(e.point),
                "p10": e.p10,
                "p50": e.p50,
                "p90": e.p90,
            }
            for name, e in result.estimates.items()
        },
        "cost_stack": [
            {"category": line.category, "label": line.label, **(amount_payload(line.amount) or {})}
            for line in result.stack_lines
        ],
        "scale_advice": result.scale.advice,
        "notes": result.notes,
    }
    if result.flat is not None:
        payload["flat_estimate"] = {
            "tokens_per_day": result.flat.tokens_per_day,
            "flat_usd_per_month": micro_usd(result.flat.flat_usd_per_month),
            "full_token_usd_per_month": micro_usd(result.flat.full_usd_per_month),
            "difference_usd_per_month": micro_usd(result.flat.difference_usd),
            "ratio": result.flat.ratio,
        }
    return payload


def _components_table(result: PlanResult) -> Table:
    days = result.scenario.days_per_month
    rows = []
    for name in COMPONENTS:
        per_day = result.usd[name] * result.requests_per_day
        rows.append(
            [
                name.replace("_", " "),
                _count(result.tokens[name]),
                _count(result.tokens[name] * result.requests_per_day),
                format_usd(result.usd[name], 6),
                format_usd(per_day),
                format_usd(per_day * days),
                format_share(result.share(name)),
            ]
        )
    columns = [
        "component",
        "tokens/request",
        "tokens/day",
        "usd/request",
        "usd/day",
        "usd/month",
        "share",
    ]
    return Table(
        columns, rows, "Token math per component (midpoint inputs)", frozenset(range(1, 7))
    )


def _estimates_table(result: PlanResult) -> Table:
    rows = []
    for name in FIGURES:
        what, per = _FIGURE_TITLES[name]
        if name == "total_usd_per_outcome":
            per = f"per {result.scenario.outcome_unit}"
        places = 4 if name in _PER_REQUEST else 2
        e = result.estimates[name]
        rows.append([what, per, *(format_usd(v, places) for v in (e.point, e.p10, e.p50, e.p90))])
    title = "Cost" + (" (P10/P50/P90 from Monte Carlo, fixed seed)" if result.simulated else "")
    columns = ["", "", "midpoint", "P10", "P50", "P90"]
    return Table(columns, rows, title, frozenset({2, 3, 4, 5}))


def _stack_table(result: PlanResult) -> Table:
    rows = [[line.category, line.label, format_amount(line.amount)] for line in result.stack_lines]
    return Table(["category", "item", "usd/month"], rows, "Cost stack per month", frozenset({2}))


def _headline(result: PlanResult) -> list[str]:
    models = ", ".join(f"{p.model_id} ({format_share(p.route.share)})" for p in result.prices)
    lines = [
        f"{result.scenario.name or 'scenario'}: {_count(result.requests_per_day)} requests a day, "
        f"{_count(result.outcomes_per_day)} {result.scenario.outcome_unit}s a day; {models}",
    ]
    flat = result.flat
    if flat is not None:
        ratio = flat.ratio.quantize(Decimal("0.01")) if flat.ratio is not None else "-"
        lines.append(
            f"flat estimate {format_usd(flat.flat_usd_per_month)} a month "
            f"({_count(flat.tokens_per_day)} tokens a day at the input rate); full token math "
            f"{format_usd(flat.full_usd_per_month)}, {format_usd(flat.difference_usd)} more ({ratio}x)"
        )
    lines.append(f"scale advice at this volume: {result.scale.advice}")
    lines.extend(f"note: {note}" for note in result.notes)
    return lines


def render_plan(result: PlanResult, output_format: str) -> str:
    """Render a plan as ``table``, ``markdown``, ``csv`` or ``json``."""
    if output_format == "json":
        return to_json(plan_payload(result))
    if output_format == "csv":
        rows = [
            [name, micro_usd(e.point), e.p10, e.p50, e.p90] for name, e in result.estimates.items()
        ]
        return render_csv(["figure", "midpoint_usd", "p10_usd", "p50_usd", "p90_usd"], rows)
    render = render_markdown if output_format == "markdown" else render_text
    parts = ["\n".join(_headline(result)), render(_components_table(result))]
    if result.stack_lines:
        parts.append(render(_stack_table(result)))
    parts.append(render(_estimates_table(result)))
    return "\n\n".join(parts)


def render_template_list(templates: list[Scenario], output_format: str) -> str:
    """Render the shipped templates with their descriptions and assumptions."""
    if output_format == "json":
        return to_json(
            [
                {"name": t.name, "description": t.description, "assumptions": t.assumptions}
                for t in templates
            ]
        )
    rows = [[t.name, t.description] for t in templates]
    render = render_markdown if output_format == "markdown" else render_text
    return render(
        Table(["template", "description"], rows, "Templates (truecost plan --template NAME)")
    )
