"""Renderings of the full cost per feature (``truecost tco``)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from truecost.analyses.coststack import Amount
from truecost.analyses.tco import FeatureTco, TcoReport, cost_stack_rows
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

_RIGHT = frozenset({1, 2, 3, 4})


def amount_payload(amount: Amount | None) -> dict[str, Decimal] | None:
    """Return an amount as ``low_usd``/``mid_usd``/``high_usd``, rounded to the micro-dollar."""
    if amount is None:
        return None
    return {
        "low_usd": micro_usd(amount.low_usd),
        "mid_usd": micro_usd(amount.mid_usd),
        "high_usd": micro_usd(amount.high_usd),
    }


def format_share(share: Decimal | None) -> str:
    """Format a share as a percentage with one decimal (``41.2%``)."""
    if share is None:
        return "-"
    return f"{(share * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_EVEN)}%"


def format_amount(amount: Amount | None, places: int = 2) -> str:
    """Format an amount as its midpoint, with the range when it is not exact."""
    if amount is None:
        return "-"
    if amount.low_usd == amount.high_usd:
        return format_usd(amount.mid_usd, places)
    low, mid, high = (
        format_usd(v, places) for v in (amount.low_usd, amount.mid_usd, amount.high_usd)
    )
    return f"{mid} ({low}-{high})"


def _feature_payload(feature: FeatureTco) -> dict[str, Any]:
    categories = feature.by_category()
    payload: dict[str, Any] = {
        "feature": feature.feature,
        "requests": feature.requests,
        "unpriced_requests": feature.unpriced_requests,
        "token_usd": micro_usd(feature.token_usd),
        "total": amount_payload(feature.total),
        "categories": {
            name: {**(amount_payload(a) or {}), "share": feature.share(a)}
            for name, a in categories.items()
        },
        "lines": [
            {"category": line.category, "label": line.label, **(amount_payload(line.amount) or {})}
            for line in feature.lines
        ],
        "usd_per_request": amount_payload(feature.usd_per_request),
    }
    if feature.outcomes is not None:
        payload["outcome_unit"] = feature.outcome_unit
        payload["outcomes"] = feature.outcomes
        payload["usd_per_outcome"] = amount_payload(feature.usd_per_outcome)
    if feature.human is not None:
        payload["human_baseline"] = {
            "usd_per_outcome": amount_payload(feature.human.usd_per_outcome),
            "usd": amount_payload(feature.human.usd),
            "people": feature.human.people,
        }
    return payload


def tco_payload(report: TcoReport) -> dict[str, Any]:
    """Return the JSON document of a TCO report."""
    return {
        "since": report.period.since,
        "until": report.period.until,
        "months": report.period.months,
        "total": amount_payload(report.total),
        "features": [_feature_payload(f) for f in report.features],
        "notes": report.notes,
    }


def _feature_table(feature: FeatureTco) -> Table:
    rows: list[list[str]] = []
    for category, amount in feature.by_category().items():
        rows.append([category, *_bounds(amount), format_share(feature.share(amount))])
    rows.append(["total", *_bounds(feature.total), "100.0%" if feature.total.mid_usd else "-"])
    rows.append(["per request", *_bounds(feature.usd_per_request, 4), ""])
    if feature.outcomes is not None:
        rows.append([f"per {feature.outcome_unit}", *_bounds(feature.usd_per_outcome, 4), ""])
    if feature.human is not None:
        rows.append(
            [f"people, per {feature.outcome_unit}", *_bounds(feature.human.usd_per_outcome, 4), ""]
        )
        rows.append(["people, same outcomes", *_bounds(feature.human.usd), ""])
    title = f"{feature.feature}: {format_count(feature.requests)} requests"
    if feature.outcomes is not None:
        title += f", {feature.outcomes.quantize(Decimal(1)):,} {feature.outcome_unit} outcomes"
    if feature.human is not None:
        title += f", the work of {feature.human.people.quantize(Decimal('0.1'))} people"
    return Table(["category", "low", "expected", "high", "share"], rows, title, _RIGHT)


def _bounds(amount: Amount | None, places: int = 2) -> list[str]:
    if amount is None:
        return ["-", "-", "-"]
    return [format_usd(v, places) for v in (amount.low_usd, amount.mid_usd, amount.high_usd)]


def render_tco(report: TcoReport, output_format: str) -> str:
    """Render a TCO report as ``table``, ``markdown``, ``csv`` or ``json``."""
    if output_format == "json":
        return to_json(tco_payload(report))
    if output_format == "csv":
        rows = cost_stack_rows(report)
        columns = ["feature", "category", "low_usd", "mid_usd", "high_usd", "share"]
        return render_csv(columns, [[row[c] for c in columns] for row in rows])
    render = render_markdown if output_format == "markdown" else render_text
    period = report.period
    header = (
        f"Full cost from {period.since:%Y-%m-%d %H:%M} to {period.until:%Y-%m-%d %H:%M} UTC "
        f"({period.months.quantize(Decimal('0.0001'))} months): {format_amount(report.total)}"
    )
    parts = [header]
    parts.extend(render(_feature_table(f)) for f in report.features)
    parts.extend(f"note: {note}" for note in report.notes)
    return "\n\n".join(parts)
