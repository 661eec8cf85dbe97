"""Renderings of the month-end forecast and its backtest (``truecost forecast`` over the ledger)."""

from __future__ import annotations

from typing import Any

from truecost.analyses.forecast_model import PeriodForecast
from truecost.analyses.monthend import BacktestResult
from truecost.outputs.render import Table, format_usd, render_markdown, render_text, to_json


def forecast_payload(forecast: PeriodForecast) -> dict[str, Any]:
    """Return the JSON document of a month-end forecast."""
    return {
        "month": forecast.period.key,
        "as_of": forecast.as_of,
        "spent_usd": forecast.spent_usd,
        "forecast_usd": forecast.forecast_usd,
        "interval_80_usd": [forecast.low_usd, forecast.high_usd],
        "straight_line_usd": forecast.straight_line_usd,
        "method": forecast.method,
        "history_days": forecast.history_days,
    }


def render_forecast(forecast: PeriodForecast, output_format: str) -> str:
    """Render a month-end forecast as ``table``, ``markdown`` or ``json``."""
    if output_format == "json":
        return to_json(forecast_payload(forecast))
    lines = [
        ("month", forecast.period.key),
        ("as of", f"{forecast.as_of:%Y-%m-%d %H:%M} UTC"),
        ("spent so far", format_usd(forecast.spent_usd)),
        ("month-end forecast", format_usd(forecast.forecast_usd)),
        ("80% interval", f"{format_usd(forecast.low_usd)} to {format_usd(forecast.high_usd)}"),
        ("straight-line projection", format_usd(forecast.straight_line_usd)),
        ("method", f"{forecast.method}, from {forecast.history_days} days of history"),
    ]
    if output_format == "markdown":
        return "\n".join(f"- **{name}**: {value}" for name, value in lines)
    width = max(len(name) for name, _ in lines)
    return "\n".join(f"{name.ljust(width)}  {value}" for name, value in lines)


def backtest_payload(result: BacktestResult) -> dict[str, Any]:
    """Return the JSON document of a backtest; errors are percentages rounded to 0.01."""
    return {
        "forecasts": result.forecasts,
        "mape_forecast_pct": round(result.mape_model_pct, 2),
        "mape_straight_line_pct": round(result.mape_straight_pct, 2),
        "interval_80_coverage_pct": round(result.coverage_pct, 2),
        "stages": [
            {"days": label, "mape_forecast_pct": round(m, 2), "mape_straight_line_pct": round(s, 2)}
            for label, m, s in result.stages
        ],
        "months": [
            {
                "month": m.month,
                "actual_usd": m.actual_usd,
                "forecasts": m.forecasts,
                "mape_forecast_pct": round(m.mape_model_pct, 2),
                "mape_straight_line_pct": round(m.mape_straight_pct, 2),
                "interval_80_coverage_pct": round(m.coverage_pct, 2),
            }
            for m in result.months
        ],
    }


def render_backtest(result: BacktestResult, output_format: str) -> str:
    """Render a backtest as ``table``, ``markdown`` or ``json``."""
    if output_format == "json":
        return to_json(backtest_payload(result))
    render = render_markdown if output_format == "markdown" else render_text
    right = frozenset({1, 2, 3, 4, 5})
    months = Table(
        columns=[
            "month",
            "actual",
            "forecasts",
            "MAPE forecast",
            "MAPE straight line",
            "in 80% interval",
        ],
        rows=[
            [
                m.month,
                format_usd(m.actual_usd),
                str(m.forecasts),
                f"{m.mape_model_pct:.1f}%",
                f"{m.mape_straight_pct:.1f}%",
                f"{m.coverage_pct:.0f}%",
            ]
            for m in result.months
        ],
        title="Month-end forecast made at the end of each day, against the month's actual spend",
        align_right=right,
    )
    stages = Table(
        columns=["days of month", "MAPE forecast", "MAPE straight line"],
        rows=[[label, f"{m:.1f}%", f"{s:.1f}%"] for label, m, s in result.stages]
        + [["all", f"{result.mape_model_pct:.1f}%", f"{result.mape_straight_pct:.1f}%"]],
        align_right=frozenset({1, 2}),
    )
    summary = (
        f"{result.forecasts} forecasts; the actual total fell inside the 80% interval "
        f"{result.coverage_pct:.0f}% of the time"
    )
    return "\n\n".join([render(months), render(stages), summary])
