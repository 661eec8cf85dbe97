"""``truecost forecast``: a monthly cost forecast, from a prototype sample or from the ledger.

Two modes share this command, each in its own helper so their owners can edit
them apart: ``--sample`` (``_forecast_from_sample``) forecasts a feature before
launch from measured requests; without it (``_forecast_month_end``) the
month-end forecast over the ledger runs. Add options with ``**options``-style
keywords so neither helper's signature has to change for the other.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from truecost.analyses.prototype_forecast import ForecastInputs, prototype_forecast
from truecost.analyses.spend import Selection
from truecost.cli._config import config_option
from truecost.cli.common import format_option, ledger_option, load_catalog, prices_option
from truecost.config import load_config_or_default
from truecost.errors import InputError
from truecost.ledger import Ledger
from truecost.outputs.prototype_forecast import render_sample_forecast


@click.command("forecast")
@ledger_option
@click.option(
    "--sample",
    "sample_path",
    type=click.Path(exists=True, path_type=Path),
    help="Forecast from measured prototype requests: a ledger (.duckdb) or log files/folder.",
)
@click.option(
    "--daily-requests", type=click.IntRange(min=1), help="With --sample: expected requests a day."
)
@click.option("--feature", help="With --sample: use only this feature's requests and its config.")
@click.option(
    "--complexity",
    type=click.Choice(["simple", "complex"]),
    help="With --sample: use the default engineering hours of this complexity.",
)
@click.option(
    "--buffer",
    "buffer_share",
    type=click.FloatRange(min=0, max=10),
    help="With --sample: share added for context growth, retries and edge cases [default: 0.30 or [coststack] forecast_buffer_share].",
)
@click.option(
    "--confidence",
    type=click.FloatRange(min=0.5, max=0.999),
    default=0.95,
    show_default=True,
    help="With --sample: confidence of the bootstrap interval.",
)
@click.option(
    "--days-per-month",
    type=click.IntRange(min=1, max=31),
    default=30,
    show_default=True,
    help="With --sample: days in a month.",
)
@click.option(
    "--as-of",
    "as_of",
    help="Month-end mode: forecast as of this UTC time (YYYY-MM-DD or ISO 8601). Default: now.",
)
@click.option(
    "--where",
    "filters",
    multiple=True,
    metavar="DIM=VALUE",
    help="Month-end mode: forecast only records where DIM equals VALUE.",
)
@click.option(
    "--backtest",
    "run_backtest",
    is_flag=True,
    help="Month-end mode: replay past months day by day and report the forecast error (MAPE).",
)
@config_option
@prices_option
@format_option("table", "json", "markdown")
def command(**options: Any) -> None:
    """Forecast monthly cost: from a prototype sample (--sample) or to month end from the ledger."""
    if options["sample_path"] is not None:
        _forecast_from_sample(options)
    else:
        _forecast_month_end(options)


def _forecast_from_sample(options: dict[str, Any]) -> None:
    """Read the sample into a ledger (in memory for logs) and forecast it at --daily-requests."""
    if options["daily_requests"] is None:
        raise InputError("--sample needs --daily-requests N, the expected requests a day.")
    config = load_config_or_default(options["config_path"])
    catalog = load_catalog(options["price_files"])
    inputs = ForecastInputs(
        daily_requests=Decimal(options["daily_requests"]),
        days_per_month=Decimal(options["days_per_month"]),
        buffer_share=_decimal(options["buffer_share"]),
        confidence=Decimal(str(options["confidence"])),
        feature=options["feature"],
        complexity=options["complexity"],
    )
    with _open_sample(options["sample_path"], catalog) as ledger:
        forecast = prototype_forecast(ledger.con, inputs, config)
    click.echo(render_sample_forecast(forecast, options["output_format"]))


def _open_sample(path: Path, catalog: Any) -> Ledger:
    from truecost.cli.common import build_context, open_for_reading, run_import

    if path.is_file() and path.suffix in {".duckdb", ".db"}:
        return open_for_reading(path, catalog)
    ledger = Ledger(None)
    context = build_context(None, None, None, None, (), (), None)
    run_import(ledger, [path], catalog, context, None)
    return ledger


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _forecast_month_end(options: dict[str, Any]) -> None:
    """Month-end forecast over the ledger, or its backtest (``truecost.analyses.monthend``)."""
    from truecost.analyses.monthend import backtest, month_end_forecast
    from truecost.analyses.spend import parse_day
    from truecost.cli.common import now_utc, open_for_reading
    from truecost.cli.report import selection_from_options
    from truecost.outputs.monthend import render_backtest, render_forecast

    selection = selection_from_options(None, None, options["filters"])
    output_format = options["output_format"]
    catalog = load_catalog(options["price_files"])
    with open_for_reading(options["ledger_path"], catalog) as ledger:
        if options["run_backtest"]:
            text = render_backtest(backtest(ledger.con, selection), output_format)
        else:
            as_of = parse_day(options["as_of"], "--as-of") if options["as_of"] else now_utc()
            text = render_forecast(month_end_forecast(ledger.con, as_of, selection), output_format)
            _warn_if_stale(ledger, selection, as_of)
    click.echo(text)


# Records arrive late from batch exports; a gap shorter than this is not worth a warning.
_STALE_AFTER = timedelta(days=2)


def _warn_if_stale(ledger: Ledger, selection: Selection, as_of: datetime) -> None:
    """Warn on stderr when the ledger ends well before ``as_of``: missing days count as $0."""
    where, params = Selection(until=as_of, filters=selection.filters).where_sql()
    row = ledger.con.execute(f"SELECT max(ts) FROM records WHERE {where}", params).fetchall()
    newest = row[0][0] if row else None
    if newest is None or as_of - newest <= _STALE_AFTER:
        return
    click.echo(
        f"warning: the newest record is from {newest:%Y-%m-%d %H:%M} UTC, "
        f"{(as_of - newest).days} days before {as_of:%Y-%m-%d %H:%M}; the forecast counts the "
        "days since as $0 of spend. Import recent logs, or pass --as-of.",
        err=True,
    )
