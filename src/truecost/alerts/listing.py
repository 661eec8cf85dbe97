"""``alerts list``: each rule, where it stands now, and when it last fired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from truecost.alerts.alert import format_pct
from truecost.alerts.rules import spike_alerts
from truecost.alerts.state import Firing, latest_firings
from truecost.analyses.budgets import budget_status
from truecost.config.budgets import AlertsConfig
from truecost.outputs.render import format_usd


@dataclass(frozen=True)
class RuleState:
    """One rule: its id, what it watches, its value now, whether it fires and its last firing."""

    rule: str
    watches: str
    now: str
    firing: bool
    last_fired: Firing | None


def rule_states(
    con: duckdb.DuckDBPyConnection, config: AlertsConfig, at: datetime
) -> list[RuleState]:
    """Describe every configured rule at ``at``."""
    firings = latest_firings(con)
    states: list[RuleState] = []
    for entry in config.budgets:
        status = budget_status(con, entry.to_budget(), at)
        budget = status.budget
        spent = f"{format_usd(status.spent_usd)} of {format_usd(budget.amount_usd)} ({format_pct(status.share_pct)})"
        forecast = f"forecast {format_usd(status.forecast.forecast_usd)} ({format_pct(status.forecast_share_pct)})"
        for threshold in budget.thresholds_pct:
            rule = f"budget:{budget.name}:{threshold}%"
            states.append(
                RuleState(
                    rule,
                    f"{budget.scope_text}, {status.period.key}, spend >= {threshold}%",
                    spent,
                    threshold in status.crossed_pct,
                    firings.get(rule),
                )
            )
        for threshold in budget.forecast_thresholds_pct:
            rule = f"forecast:{budget.name}:{threshold}%"
            states.append(
                RuleState(
                    rule,
                    f"{budget.scope_text}, {status.period.key}, forecast >= {threshold}%",
                    forecast,
                    threshold in status.forecast_crossed_pct,
                    firings.get(rule),
                )
            )
    if config.spikes.enabled:
        states.extend(_spike_states(con, config, at, firings))
    return states


def _spike_states(
    con: duckdb.DuckDBPyConnection, config: AlertsConfig, at: datetime, firings: dict[str, Firing]
) -> list[RuleState]:
    settings = config.spikes
    firing = {alert.rule: alert for alert in spike_alerts(con, settings.to_settings(), at)}
    scopes = ", ".join(["total", *(f"each {d}" for d in settings.by)])
    summary = RuleState(
        f"spike:{settings.method}",
        f"{scopes}; day above {settings.factor}x its baseline and at least {format_usd(settings.min_usd)}",
        f"{len(firing)} firing" if firing else "no spike today or yesterday",
        bool(firing),
        max(
            (f for rule, f in firings.items() if rule.startswith("spike:")),
            key=lambda f: f.fired_at,
            default=None,
        ),
    )
    rows = [summary]
    for rule, alert in sorted(firing.items()):
        rows.append(
            RuleState(rule, alert.scope, format_usd(alert.amount_usd), True, firings.get(rule))
        )
    return rows
