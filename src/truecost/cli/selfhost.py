"""``truecost selfhost``: what running an open model on your own GPUs costs against the API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import click
import duckdb

from truecost.analyses.selfhost_crossover import CostCurvePoint
from truecost.analyses.selfhost_hybrid import ApiTokenPrices, HybridPlan, plan_hybrid
from truecost.analyses.selfhost_profiles import all_profiles
from truecost.analyses.selfhost_report import SelfHostReport, build_report, report_cost_curve
from truecost.cli._buildvsbuy_render import (
    echo_warnings,
    format_choice,
    number,
    render_grid,
    render_json,
    usd,
)
from truecost.cli._selfhost_options import DECIMAL, build_request, selfhost_options
from truecost.cli._selfhost_tables import estimate_rows, feature_rows, hybrid_rows, hybrid_step_rows
from truecost.cli.common import load_catalog, open_for_reading


@contextmanager
def _connection(options: dict[str, Any]) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """Yield the ledger's connection, or None when the traffic is given as options only."""
    if options["ledger_path"] is None and options["peak_rpm"] is not None:
        yield None
        return
    with open_for_reading(options["ledger_path"], load_catalog(options["price_files"])) as ledger:
        yield ledger.con


def _report(options: dict[str, Any]) -> SelfHostReport:
    request = build_request(options)
    with _connection(options) as con:
        return build_report(request, con)


@click.group(name="selfhost")
def command() -> None:
    """Self-hosting an open model against the API: capacity, cost, crossover, hybrid."""


@command.command(name="estimate")
@selfhost_options
@format_choice
def estimate_command(output_format: str, **options: Any) -> None:
    """Size GPUs for the peak hour and compare the monthly bill with the API's.

    Prints the capacity in requests per minute, the utilization at the peak and
    on average, the cost per million tokens, the monthly cost at each end of the
    overhead range, and the crossover volume above which self-hosting is cheaper.
    """
    report = _report(options)
    echo_warnings(report.warnings)
    if output_format == "json":
        click.echo(render_json(report))
        return
    headers, rows = estimate_rows(report)
    click.echo(render_grid(headers, rows, output_format))
    if report.ledger_traffic is not None and output_format == "table":
        click.echo()
        click.echo(render_grid(*feature_rows(report.ledger_traffic), output_format))


@command.command(name="curve")
@selfhost_options
@click.option(
    "--max-rpm", type=DECIMAL, help="Highest peak requests per minute to chart [3x the crossover]."
)
@click.option(
    "--steps", type=int, default=40, show_default=True, help="Even steps between 0 and --max-rpm."
)
@format_choice
def curve_command(output_format: str, max_rpm: Decimal | None, steps: int, **options: Any) -> None:
    """Print the monthly cost of the API and of self-hosting against volume (both chart lines).

    Uses the low end of the overhead range.
    """
    report = _report(options)
    echo_warnings(report.warnings)
    points = report_cost_curve(report, max_rpm, steps)
    if output_format == "json":
        click.echo(render_json(points))
        return
    click.echo(render_grid(*_curve_rows(points), output_format))


def _curve_rows(points: list[CostCurvePoint]) -> tuple[list[str], list[list[str]]]:
    headers = [
        "peak rpm",
        "requests/day",
        "tokens/month",
        "API $/month",
        "self-host $/month",
        "replicas",
    ]
    rows = [
        [
            number(p.peak_requests_per_minute, 2),
            number(p.requests_per_day, 0),
            number(p.tokens_per_month, 0),
            usd(p.api_usd_per_month),
            usd(p.selfhost_usd_per_month),
            str(p.replicas),
        ]
        for p in points
    ]
    return headers, rows


@command.command(name="hybrid")
@selfhost_options
@format_choice
def hybrid_command(output_format: str, **options: Any) -> None:
    """Move the highest-volume features to self-hosting, keep the rest on the API.

    Needs --ledger. Prints the saving per feature of the cheapest split and the
    monthly bill of every split tried. Uses the low end of the overhead range.
    """
    report = _report(options)
    echo_warnings(report.warnings)
    if report.profile is None:
        raise click.UsageError(
            "hybrid needs --profile: capacity depends on each feature's output length."
        )
    assert report.ledger_traffic is not None
    prices = None
    if (
        options["api_input_usd_per_mtok"] is not None
        and options["api_output_usd_per_mtok"] is not None
    ):
        prices = ApiTokenPrices(
            options["api_input_usd_per_mtok"], options["api_output_usd_per_mtok"]
        )
    plan: HybridPlan = plan_hybrid(
        report.ledger_traffic,
        report.deployments[0],
        report.profile,
        prices,
        report.traffic.days_per_month,
    )
    if output_format == "json":
        click.echo(render_json(plan))
        return
    click.echo(render_grid(*hybrid_rows(plan), output_format))
    if output_format == "table":
        click.echo()
        click.echo(render_grid(*hybrid_step_rows(plan), output_format))


@command.command(name="profiles")
@click.option(
    "--profiles",
    "profile_paths",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML file of your own throughput measurements (repeatable).",
)
@format_choice
def profiles_command(output_format: str, profile_paths: tuple[Path, ...]) -> None:
    """List the throughput profiles: shipped published measurements and your own."""
    profiles = list(all_profiles(list(profile_paths)).values())
    if output_format == "json":
        click.echo(render_json(profiles))
        return
    headers = [
        "id",
        "gpus",
        "in tokens",
        "out tokens",
        "concurrency",
        "out tokens/s",
        "rpm",
        "provenance",
        "source",
    ]
    rows = [
        [
            p.id,
            str(p.gpus),
            number(p.input_tokens, 0),
            number(p.output_tokens, 0),
            str(p.concurrency),
            number(p.output_tokens_per_second, 2),
            number(p.measured_requests_per_minute, 1),
            p.provenance,
            p.source,
        ]
        for p in profiles
    ]
    click.echo(render_grid(headers, rows, output_format))
