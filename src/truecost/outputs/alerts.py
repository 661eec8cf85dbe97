"""Renderings of ``alerts check`` and ``alerts list``."""

from __future__ import annotations

from typing import Any

from truecost.alerts import CheckResult, RuleState
from truecost.outputs.render import Table, render_text, to_json


def check_payload(result: CheckResult) -> dict[str, Any]:
    """Return the JSON document of a check."""
    return {
        "evaluated_at": result.at,
        "dry_run": result.dry_run,
        "exit_status": result.exit_status,
        "fired": [alert.payload() for alert in result.fired],
        "already_fired": [alert.key for alert in result.already_fired],
        "deliveries": [
            {
                "alert_key": d.alert_key,
                "notifier": d.notifier,
                "delivered": d.delivered,
                "attempts": d.attempts,
                "error": d.error,
            }
            for d in result.deliveries
        ],
    }


def render_check(result: CheckResult, output_format: str) -> str:
    """Render a check as ``table`` (readable text) or ``json``."""
    if output_format == "json":
        return to_json(check_payload(result))
    parts = []
    for alert in result.fired:
        parts.append(f"FIRED {alert.title()}\n{alert.text()}")
    if not result.fired:
        parts.append(f"nothing fired at {result.at:%Y-%m-%d %H:%M} UTC")
    if result.already_fired:
        parts.append(
            f"{len(result.already_fired)} alerts still apply but fired earlier this period: "
            + ", ".join(a.key for a in result.already_fired)
        )
    delivered = [d for d in result.deliveries if d.delivered]
    if delivered:
        parts.append(f"delivered {len(delivered)} notifications")
    if result.dry_run:
        parts.append("dry run: nothing was stored or sent")
    return "\n\n".join(parts)


def failure_lines(result: CheckResult) -> list[str]:
    """Return one line per failed delivery, for standard error."""
    return [
        f"notifier '{d.notifier}' failed for {d.alert_key} after {d.attempts} attempts: {d.error}; "
        "kept for the next check"
        for d in result.failed
    ]


def render_rule_states(states: list[RuleState], pending: int, output_format: str) -> str:
    """Render ``alerts list`` as ``table`` or ``json``."""
    if output_format == "json":
        return to_json(
            {
                "rules": [
                    {
                        "rule": s.rule,
                        "watches": s.watches,
                        "now": s.now,
                        "firing": s.firing,
                        "last_fired_period": s.last_fired.period if s.last_fired else None,
                        "last_fired_at": s.last_fired.fired_at if s.last_fired else None,
                    }
                    for s in states
                ],
                "pending_deliveries": pending,
            }
        )
    table = Table(
        columns=["rule", "watches", "now", "state", "last fired"],
        rows=[
            [
                s.rule,
                s.watches,
                s.now,
                "FIRING" if s.firing else "ok",
                f"{s.last_fired.period} at {s.last_fired.fired_at:%Y-%m-%d %H:%M}"
                if s.last_fired
                else "never",
            ]
            for s in states
        ],
    )
    text = (
        render_text(table)
        if states
        else "no rules configured; add [[alerts.budgets]] to truecost.toml"
    )
    if pending:
        text += f"\n\n{pending} notifications are pending delivery; 'truecost alerts check' retries them."
    return text
