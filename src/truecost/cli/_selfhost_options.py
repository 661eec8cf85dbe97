"""Options shared by the ``truecost selfhost`` subcommands, and their conversion to a request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import click

from truecost.analyses.selfhost_config import load_selfhost_config, selfhost_request, with_options
from truecost.analyses.selfhost_inputs import option_range, parse_decimal
from truecost.analyses.selfhost_report import SelfHostRequest
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
# Options that set the ``[selfhost]`` key of the same name.
_CONFIG_OPTIONS = (
    "capacity_rpm",
    "gpus_per_replica",
    "replicas",
    "gpu_usd_per_hour",
    "gpu_usd_per_month",
    "api_input_usd_per_mtok",
    "api_output_usd_per_mtok",
    "engineering_hours_per_month",
    "engineering_usd_per_hour",
    "max_utilization_percent",
    "days_per_month",
    "peak_to_average",
)

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
        "--profile",
        "profile_id",
        help="Throughput profile id (see 'truecost selfhost profiles') [config].",
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
        help="Requests per minute one replica serves at 100% utilization, instead of a profile [config].",
    ),
    click.option(
        "--gpus-per-replica", type=int, help="GPUs one model copy runs on [config; the profile's]."
    ),
    click.option(
        "--replicas",
        type=int,
        help="Fixed replica count instead of sizing for the peak hour [config].",
    ),
    click.option(
        "--gpu-usd-per-hour", type=DECIMAL, help="Price of one GPU in USD per hour [config]."
    ),
    click.option(
        "--gpu-usd-per-month", type=DECIMAL, help="Price of one GPU in USD per month [config]."
    ),
    click.option("--peak-rpm", type=DECIMAL, help="Requests per minute in the busiest hour."),
    click.option(
        "--peak-to-average",
        type=DECIMAL,
        help="Busiest hour over the average hour [config; the ledger's, else 1].",
    ),
    click.option("--input-tokens", type=DECIMAL, help="Mean prompt tokens per request."),
    click.option("--output-tokens", type=DECIMAL, help="Mean output tokens per request."),
    click.option(
        "--api-input-usd-per-mtok",
        type=DECIMAL,
        help="API input price, USD per million tokens [config; ledger spend].",
    ),
    click.option(
        "--api-output-usd-per-mtok",
        type=DECIMAL,
        help="API output price, USD per million tokens [config; ledger spend].",
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
    """Merge the options over the ``[selfhost]`` config into a ``SelfHostRequest``."""
    overhead = options["overhead_percent"]
    config = with_options(
        load_selfhost_config(options["config_path"]),
        {
            "profile": options["profile_id"],
            "overhead_percent": option_range("--overhead-percent", overhead)
            if overhead is not None
            else None,
            **{key: options[key] for key in _CONFIG_OPTIONS},
        },
    )
    return replace(
        selfhost_request(config),
        profile_paths=tuple(options["profile_paths"]),
        peak_requests_per_minute=options["peak_rpm"],
        input_tokens=options["input_tokens"],
        output_tokens=options["output_tokens"],
        traffic_filter=TrafficFilter(
            since=_utc(options["since"]),
            until=_utc(options["until"]),
            features=tuple(options["features"]),
            environment=options["environment"],
        ),
    )
