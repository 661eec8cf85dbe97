"""``truecost alerts``: check budgets, forecasts and spikes, and list the rules.

Exit statuses of ``alerts check``: 0 nothing new fired, 1 an alert fired (and
every notification was delivered), 2 invalid configuration or input, 3 a
notification failed and stays pending for the next check.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from truecost.alerts import rule_states, run_check
from truecost.alerts.state import count_pending
from truecost.analyses.spend import parse_day
from truecost.cli._config import config_option
from truecost.cli.common import (
    format_option,
    ledger_option,
    load_catalog,
    now_utc,
    open_for_reading,
    prices_option,
)
from truecost.config import load_config_or_default
from truecost.config.budgets import AlertsConfig
from truecost.outputs.alerts import failure_lines, render_check, render_rule_states


def load_alerts_config(config_path: Path | None) -> AlertsConfig:
    """Return the ``[alerts]`` table of the configuration, or its defaults when there is none."""
    return load_config_or_default(config_path).alerts or AlertsConfig()


def _at(value: str | None) -> datetime:
    return parse_day(value, "--at") if value else now_utc()


@click.group("alerts")
def command() -> None:
    """Budgets, forecasted overruns and spend spikes, fired once per period."""


@command.command("check")
@config_option
@ledger_option
@prices_option
@click.option(
    "--at",
    "at",
    help="Evaluate at this UTC time (YYYY-MM-DD or ISO 8601) instead of now, to replay the past.",
)
@click.option("--dry-run", is_flag=True, help="Show what would fire; store and send nothing.")
@format_option("table", "json")
def check(
    config_path: Path | None,
    ledger_path: Path | None,
    price_files: tuple[Path, ...],
    at: str | None,
    dry_run: bool,
    output_format: str,
) -> None:
    """Evaluate every rule, send new alerts and retry pending ones.

    Exit status: 0 nothing new fired, 1 an alert fired, 2 invalid configuration,
    3 a notification failed (it is retried by the next check).
    """
    from truecost.cli.main import set_exit_status

    config = load_alerts_config(config_path)
    when = _at(at)
    with open_for_reading(ledger_path, load_catalog(price_files), writes=True) as ledger:
        result = run_check(ledger, config, when, now_utc(), dry_run=dry_run)
    click.echo(render_check(result, output_format))
    for line in failure_lines(result):
        click.echo(f"error: {line}", err=True)
    set_exit_status(result.exit_status)


@command.command("list")
@config_option
@ledger_option
@prices_option
@click.option("--at", "at", help="Show each rule's state at this UTC time instead of now.")
@format_option("table", "json")
def list_rules(
    config_path: Path | None,
    ledger_path: Path | None,
    price_files: tuple[Path, ...],
    at: str | None,
    output_format: str,
) -> None:
    """Show each rule, its current value, whether it fires now and when it last fired."""
    config = load_alerts_config(config_path)
    when = _at(at)
    with open_for_reading(ledger_path, load_catalog(price_files)) as ledger:
        states = rule_states(ledger.con, config, when)
        pending = count_pending(ledger.con)
    click.echo(render_rule_states(states, pending, output_format))
