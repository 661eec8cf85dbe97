"""Renderings of ``truecost forecast --sample``."""

from __future__ import annotations

from typing import Any

from truecost.analyses.prototype_forecast import SampleForecast
from truecost.outputs.coststack import amount_payload, format_share
from truecost.outputs.render import (
    Table,
    format_count,
    format_usd,
    render_markdown,
    render_text,
    to_json,
)


def sample_forecast_payload(forecast: SampleForecast) -> dict[str, Any]:
    """Return the JSON document of a forecast from a sample."""
    low, high = forecast.interval_usd_per_request
    return {
        "sample_requests": forecast.sample_requests,
        "unpriced_requests": forecast.unpriced_requests,
        "mean_usd_per_request": forecast.mean_usd_per_request,
        "interval_usd_per_request": {
            "low": low,
            "high": high,
            "confidence": forecast.inputs.confidence,
        },
        "daily_requests": forecast.inputs.daily_requests,
        "days_per_month": forecast.inputs.days_per_month,
        "buffer_share": forecast.buffer_share,
        "token_usd_per_month": amount_payload(forecast.token_usd_per_month),
        "engineering": {
            "label": forecast.engineering_label,
            **(amount_payload(forecast.engineering_usd_per_month) or {}),
        },
        "total_usd_per_month": amount_payload(forecast.total_usd_per_month),
        "scale_advice": forecast.scale.advice,
        "warnings": forecast.warnings,
    }


def _table(forecast: SampleForecast) -> Table:
    low, high = forecast.interval_usd_per_request
    rows = [
        ["per request", *(format_usd(v, 6) for v in (low, forecast.mean_usd_per_request, high))],
    ]
    for label, amount in (
        (
            f"tokens per month, +{format_share(forecast.buffer_share)} buffer",
            forecast.token_usd_per_month,
        ),
        (
            f"{forecast.engineering_label} per month",
            forecast.engineering_usd_per_month,
        ),
        ("total per month", forecast.total_usd_per_month),
    ):
        rows.append(
            [label, *(format_usd(v) for v in (amount.low_usd, amount.mid_usd, amount.high_usd))]
        )
    confidence = f"{(forecast.inputs.confidence * 100).normalize():f}%"
    return Table(
        ["", f"low ({confidence})", "mean", f"high ({confidence})"], rows, "", frozenset({1, 2, 3})
    )


def render_sample_forecast(forecast: SampleForecast, output_format: str) -> str:
    """Render a forecast from a sample as ``table``, ``markdown`` or ``json``."""
    if output_format == "json":
        return to_json(sample_forecast_payload(forecast))
    render = render_markdown if output_format == "markdown" else render_text
    days = forecast.inputs.days_per_month
    header = (
        f"Forecast from a sample of {format_count(forecast.sample_requests)} requests at "
        f"{format_count(int(forecast.inputs.daily_requests))} requests a day "
        f"({(days).normalize():f} days a month)"
    )
    parts = [
        header,
        render(_table(forecast)),
        f"scale advice at this volume: {forecast.scale.advice}",
    ]
    parts.extend(f"warning: {w}" for w in forecast.warnings)
    return "\n\n".join(parts)
