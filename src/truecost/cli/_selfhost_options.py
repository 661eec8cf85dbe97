"""Options shared by the ``truecost selfhost`` subcommands, and their conversion to a request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import click

from truecost.analyses.selfhost_config import load_selfhost_config
from truecost.analyses.selfhost_inputs import HUNDRED, parse_decimal, percent_range, to_shares
from truecost.analyses.selfhost_report import SelfHostRequest, gpu_usd_per_month
from truecost.analyses.selfhost_traffic import TrafficFilter
from truecost.cli.common import ledger_option, prices_option
from truecost.errors import InputError

F = TypeVar("F", bound=Callable[..., Any])


class DecimalParam(click.ParamType):  # type: ignore[type-arg]
    """A click parameter parsed as an exact ``Decimal``."""

    name = "number"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            return parse_decimal(param.name if param and param.name else "value", str(value))
        except InputError as exc:
            self.fail(str(exc), param, ctx)


DECIMAL = DecimalParam()
DATE = click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"])

_OPTIONS = [
    ledger_option,
    prices_option,
    click.option("--since", type=DATE, help="First day of traffic to count (UTC, inclusive)."),
    click.option("--until", type=DATE, help="Day after the last one to count (UTC, exclusive)."),
    click.option(
        "--feature", "features", multiple=True, help="Count only this feature (repeatable)."
    ),
    click.option("--environment", help="Count only this environment."),
    click.option(
        "--profile", "profile_id", help="Throughput profile id (see 'truecost selfhost profiles')."
    ),
    click.option(
        "--profiles",
        "profile_paths",
        multiple=True,
        type=click.Path(path_type=Path, dir_okay=False),
        help="TOML file of your own throughput measurements (repeatable).",
    ),
    click.option(
        "--capacity-rpm",
        type=DECIMAL,
        help="Measured requests per minute of one replica at 100% utilization, instead of a profile.",
    ),
    click.option(
        "--gpus-per-replica", type=int, help="GPUs one model copy runs on (default: the profile's)."
    ),
    click.option(
        "--replicas", type=int, help="Fixed replica count instead of sizing for the peak hour."
    ),
    click.option("--gpu-usd-per-hour", type=DECIMAL, help="Price of one GPU in USD per hour."),
    click.option("--gpu-usd-per-month", type=DECIMAL, help="Price of one GPU in USD per month."),
    click.option("--peak-rpm", type=DECIMAL, help="Requests per minute in the busiest hour."),
    click.option(
        "--peak-to-average", type=DECIMAL, help="Busiest hour over the average hour (default 1)."
    ),
    click.option("--input-tokens", type=DECIMAL, help="Mean prompt tokens per request."),
    click.option("--output-tokens", type=DECIMAL, help="Mean output tokens per request."),
    click.option(
        "--api-input-usd-per-mtok", type=DECIMAL, help="API input price, USD per million tokens."
    ),
    click.option(
        "--api-output-usd-per-mtok", type=DECIMAL, help="API output price, USD per million tokens."
    ),
    click.option(
        "--engineering-hours-per-month",
        type=DECIMAL,
        help="Engineering hours GPU serving takes each month [config; 20].",
    ),
    click.option(
        "--engineering-usd-per-hour",
        type=DECIMAL,
        help="Engineering rate in USD per hour [config; 100].",
    ),
    click.option(
        "--overhead-percent",
        help="Overhead over the raw GPU price, a number or range [config; 30-50].",
    ),
    click.option(
        "--max-utilization-percent",
        type=DECIMAL,
        help="Share of measured capacity the peak hour may use [config; 80].",
    ),
    click.option("--days-per-month", type=DECIMAL, help="Days in a billing month [config; 30]."),
    click.option(
        "--config",
        "config_path",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Configuration file with a [selfhost] table [default: ./truecost.toml if present].",
    ),
]


def selfhost_options(function: F) -> F:
    """Add every option of ``_OPTIONS`` to a command."""
    for option in reversed(_OPTIONS):
        function = option(function)
    return function


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None else None


def build_request(options: dict[str, Any]) -> SelfHostRequest:
    """Merge the options with the ``[selfhost]`` config into a ``SelfHostRequest``."""
    config = load_selfhost_config(options["config_path"])
    days = (
        options["days_per_month"]
        if options["days_per_month"] is not None
        else config.days_per_month
    )
    utilization = options["max_utilization_percent"]
    utilization = (
        utilization if utilization is not None else config.max_utilization_percent
    ) / HUNDRED
    overhead = (
        percent_range("--overhead-percent", options["overhead_percent"])
        if options["overhead_percent"] is not None
        else to_shares(config.overhead_percent)
    )
    hours = options["engineering_hours_per_month"]
    rate = options["engineering_usd_per_hour"]
    return SelfHostRequest(
        gpu_usd_per_month=gpu_usd_per_month(
            options["gpu_usd_per_hour"], options["gpu_usd_per_month"], days
        ),
        overhead=overhead,
        engineering_hours_per_month=hours
        if hours is not None
        else config.engineering_hours_per_month,
        engineering_usd_per_hour=rate if rate is not None else config.engineering_usd_per_hour,
        max_utilization=utilization,
        days_per_month=days,
        profile_id=options["profile_id"],
        profile_paths=tuple(options["profile_paths"]),
        requests_per_minute_per_replica=options["capacity_rpm"],
        gpus_per_replica=options["gpus_per_replica"],
        replicas=options["replicas"],
        peak_requests_per_minute=options["peak_rpm"],
        peak_to_average=options["peak_to_average"],
        input_tokens=options["input_tokens"],
        output_tokens=options["output_tokens"],
        api_input_usd_per_mtok=options["api_input_usd_per_mtok"],
        api_output_usd_per_mtok=options["api_output_usd_per_mtok"],
        traffic_filter=TrafficFilter(
            since=_utc(options["since"]),
            until=_utc(options["until"]),
            features=tuple(options["features"]),
            environment=options["environment"],
        ),
    )
