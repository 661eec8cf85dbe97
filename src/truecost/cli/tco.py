"""``truecost tco``: the full cost of each feature, tokens plus the configured cost stack."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import click
import duckdb

from truecost.analyses.spend import parse_day
from truecost.analyses.tco import Period, month_period, tco_report
from truecost.cli._config import config_option
from truecost.cli.common import (
    format_option,
    ledger_option,
    load_catalog,
    open_for_reading,
    prices_option,
)
from truecost.config import load_config_or_default
from truecost.config.coststack import CostStackConfig
from truecost.errors import InputError
from truecost.ledger.sql import first_row
from truecost.outputs.coststack import render_tco


def resolve_period(
    con: duckdb.DuckDBPyConnection, month: str | None, since: str | None, until: str | None
) -> Period:
    """Return the period the options name; by default the calendar month of the latest record."""
    if month and (since or until):
        raise InputError("give either --month or --since/--until, not both.")
    if month:
        return month_period(month)
    if since or until:
        if not (since and until):
            raise InputError("--since and --until go together; give both, or --month YYYY-MM.")
        start = parse_day(since, "--since")
        end = parse_day(until, "--until")
        if len(until) == 10:
            end += timedelta(days=1)  # --until names the last day included
        if end <= start:
            raise InputError(f"--until {until} is not after --since {since}.")
        return Period(start, end)
    row = first_row(con.execute("SELECT max(ts) FROM records"))
    latest = row[0] if row else None
    if not isinstance(latest, datetime):
        raise InputError(
            "the ledger has no records yet; pass --month YYYY-MM or import logs first."
        )
    return month_period(f"{latest:%Y-%m}")


@click.command("tco")
@ledger_option
@config_option
@click.option("--month", help="Calendar month (YYYY-MM). Default: the month of the latest record.")
@click.option("--since", help="First day included (YYYY-MM-DD, UTC); monthly costs are prorated.")
@click.option("--until", help="Last day included (YYYY-MM-DD, UTC).")
@click.option("--feature", "features", multiple=True, help="Show only this feature. Repeatable.")
@prices_option
@format_option("table", "json", "csv", "markdown")
def command(
    ledger_path: Path | None,
    config_path: Path | None,
    month: str | None,
    since: str | None,
    until: str | None,
    features: tuple[str, ...],
    price_files: tuple[Path, ...],
    output_format: str,
) -> None:
    """Full cost per feature: token cost from the ledger plus the [coststack] of truecost.toml."""
    config = load_config_or_default(config_path)
    stack = config.coststack or CostStackConfig()
    with open_for_reading(ledger_path, load_catalog(price_files)) as ledger:
        period = resolve_period(ledger.con, month, since, until)
        report = tco_report(ledger.con, stack, period, list(features) or None)
    click.echo(render_tco(report, output_format))
