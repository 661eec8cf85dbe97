"""``truecost savings``: what each optimization would save on the ledger's own traffic."""

from __future__ import annotations

from pathlib import Path

import click

from truecost.cli.common import (
    format_option,
    ledger_option,
    load_catalog,
    open_for_reading,
    prices_option,
    selection_options,
)
from truecost.cli.report import selection_from_options
from truecost.savings.options import build_context
from truecost.savings.registry import optimization_names
from truecost.savings.report import run_savings


@click.command("savings")
@ledger_option
@selection_options
@click.option(
    "--only",
    "only",
    multiple=True,
    help=f"Run only this optimization (repeatable): {', '.join(optimization_names())}.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="TOML file with a [savings] section.",
)
@click.option(
    "--texts",
    "texts_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON Lines of logged texts: id, system, prompt, response.",
)
@click.option(
    "--tier",
    "tiers",
    multiple=True,
    metavar="TIER=PROVIDER:MODEL",
    help="Model of a tier (simple, standard, complex); overrides the config.",
)
@click.option(
    "--not-realtime",
    "not_realtime",
    multiple=True,
    metavar="FEATURE",
    help="A feature whose requests can wait for a batch.",
)
@click.option(
    "--prefix-tokens",
    "prefixes",
    multiple=True,
    metavar="FEATURE=TOKENS",
    help="Static prefix length a feature's requests share.",
)
@click.option(
    "--train-routing",
    "routing_labels",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON Lines of prompts labelled weak_correct true/false; routing trains its "
    "difficulty classifier on them.",
)
@prices_option
@format_option("table", "json", "markdown")
def command(
    ledger_path: Path | None,
    since: str | None,
    until: str | None,
    filters: tuple[str, ...],
    only: tuple[str, ...],
    config_path: Path | None,
    texts_path: Path | None,
    tiers: tuple[str, ...],
    not_realtime: tuple[str, ...],
    prefixes: tuple[str, ...],
    routing_labels: Path | None,
    price_files: tuple[Path, ...],
    output_format: str,
) -> None:
    """Replay the ledger under each optimization and rank what each would save a month."""
    from truecost.outputs.savings import render_savings

    selection = selection_from_options(since, until, filters)
    catalog = load_catalog(price_files)
    context = build_context(
        catalog, config_path, texts_path, tiers, not_realtime, prefixes, routing_labels
    )
    with open_for_reading(ledger_path, catalog) as ledger:
        report = run_savings(ledger.con, context, selection, list(only) or None)
    click.echo(render_savings(report, output_format))
