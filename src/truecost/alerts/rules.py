"""Evaluate every alert rule at one point in time: budget thresholds, forecasts and spikes."""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb

from truecost.alerts.alert import KIND_BUDGET, KIND_FORECAST, KIND_SPIKE, Alert, Driver, format_pct
from truecost.analyses.budgets import BudgetStatus, budget_status
from truecost.analyses.compare import Window, compare_windows, windows_for
from truecost.analyses.periods import ONE_DAY, midnight, period_containing
from truecost.analyses.spend import Selection
from truecost.analyses.spikes import TOTAL_SCOPE, Spike, SpikeSettings, detect_spikes
from truecost.config.budgets import AlertsConfig
from truecost.outputs.render import format_usd

DRIVER_BY = ["feature", "model"]
ADJECTIVES = {"day": "daily", "week": "weekly", "month": "monthly"}


def evaluate(con: duckdb.DuckDBPyConnection, config: AlertsConfig, at: datetime) -> list[Alert]:
    """Return every alert whose condition is met at ``at``, whether or not it fired before."""
    alerts: list[Alert] = []
    for entry in config.budgets:
        alerts.extend(budget_alerts(con, budget_status(con, entry.to_budget(), at)))
    if config.spikes.enabled:
        alerts.extend(spike_alerts(con, config.spikes.to_settings(), at))
    return alerts


def budget_alerts(con: duckdb.DuckDBPyConnection, status: BudgetStatus) -> list[Alert]:
    """Return an alert per crossed threshold, and per forecast threshold the spend has not reached yet."""
    budget = status.budget
    forecast = status.forecast
    pending_forecasts = [t for t in status.forecast_crossed_pct if t not in status.crossed_pct]
    if not status.crossed_pct and not pending_forecasts:
        return []
    driver = budget_driver(con, status)
    interval = (
        f"forecast for {status.period.key}: {format_usd(forecast.forecast_usd)} "
        f"(80% interval {format_usd(forecast.low_usd)} to {format_usd(forecast.high_usd)}, "
        f"{forecast.method})"
    )
    spent_detail = (
        f"spend passed {{threshold}}% of the {ADJECTIVES[budget.period]} budget; {interval}"
    )
    forecast_detail = (
        f"spent so far {format_usd(status.spent_usd)} ({format_pct(status.share_pct)}); {interval}"
    )
    alerts = []
    for kind, thresholds, amount, detail in (
        (KIND_BUDGET, status.crossed_pct, status.spent_usd, spent_detail),
        (KIND_FORECAST, pending_forecasts, forecast.forecast_usd, forecast_detail),
    ):
        for threshold in thresholds:
            alerts.append(
                Alert(
                    rule=f"{kind}:{budget.name}:{threshold}%",
                    kind=kind,
                    name=budget.name,
                    period=status.period.key,
                    scope=budget.scope_text,
                    amount_usd=amount,
                    limit_usd=budget.amount_usd,
                    threshold_pct=threshold,
                    detail=detail.format(threshold=threshold),
                    driver=driver,
                    evaluated_at=status.at,
                )
            )
    return alerts


def budget_driver(con: duckdb.DuckDBPyConnection, status: BudgetStatus) -> Driver | None:
    """Compare the period so far with the same stretch of the previous period, by feature and model."""
    current, previous, _ = windows_for(status.period, True, status.at)
    selection = Selection(filters=status.budget.scope)
    comparison = compare_windows(con, current, previous, DRIVER_BY, selection)
    return Driver.from_row(comparison.top_driver(), f"the same part of {previous.label}")


def spike_alerts(
    con: duckdb.DuckDBPyConnection, settings: SpikeSettings, at: datetime
) -> list[Alert]:
    """Check the day in progress and the day before it, so a spike late in a day is not missed."""
    today = at.date()
    days = [today - timedelta(days=1), today]
    spikes = detect_spikes(con, days, settings, Selection(until=at))
    return [_spike_alert(con, spike, at) for spike in spikes]


def _spike_alert(con: duckdb.DuckDBPyConnection, spike: Spike, at: datetime) -> Alert:
    start = midnight(spike.day)
    current = Window(spike.day.isoformat(), start, min(start + ONE_DAY, at))
    week_before = start - 7 * ONE_DAY
    previous = Window(
        week_before.date().isoformat(), week_before, week_before + (current.until - start)
    )
    filters = () if spike.dimension == TOTAL_SCOPE else ((spike.dimension, spike.value),)
    comparison = compare_windows(con, current, previous, DRIVER_BY, Selection(filters=filters))
    baseline = "same-weekday median" if spike.method == "weekday" else "trailing daily mean"
    return Alert(
        rule=f"spike:{spike.scope}",
        kind=KIND_SPIKE,
        name=spike.scope,
        period=period_containing("day", start).key,
        scope=spike.scope,
        amount_usd=spike.usd,
        limit_usd=spike.threshold_usd,
        threshold_pct=None,
        detail=f"{baseline}: {format_usd(spike.baseline_usd)} ({spike.method} rule)",
        driver=Driver.from_row(comparison.top_driver(), f"{previous.label} (a week before)"),
        evaluated_at=at,
    )
