"""``truecost report``: spend over the ledger, or over log files read directly."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click

from truecost.analyses.spend import DIMENSIONS, Selection, parse_day, spend_report
from truecost.cli._config import config_option
from truecost.cli.common import (
    ImportOptions,
    format_option,
    import_context_options,
    ledger_option,
    load_catalog,
    open_for_reading,
    parse_pairs,
    read_paths_directly,
    selection_options,
)
from truecost.errors import InputError
from truecost.outputs.spend import render_spend


def parse_by(value: str | None) -> list[str]:
    """Parse ``--by feature,model`` into dimension names, rejecting unknown ones."""
    if not value:
        return []
    # A dimension named twice is grouped by once.
    names = list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    for name in names:
        if name not in DIMENSIONS:
            raise InputError(
                f"unknown --by dimension '{name}'. Use one or several of: {', '.join(DIMENSIONS)}."
            )
    return names


def selection_from_options(
    since: str | None, until: str | None, filters: tuple[str, ...]
) -> Selection:
    """Build a ``Selection``; ``--until`` names the last day included."""
    end = None
    if until:
        end = parse_day(until, "--until")
        if len(until) == 10:
            end += timedelta(days=1)
    parsed = parse_pairs(filters, "--where")
    for name, _ in parsed:
        if name not in DIMENSIONS:
            raise InputError(
                f"unknown --where dimension '{name}'. Use one of: {', '.join(DIMENSIONS)}."
            )
    start = parse_day(since, "--since") if since else None
    if start is not None and end is not None and start >= end:
        raise InputError(
            f"--since {since} is not before --until {until}: nothing can match. "
            "Swap the two dates or widen the range."
        )
    return Selection(since=start, until=end, filters=tuple(parsed))


@click.command("report")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@ledger_option
@click.option(
    "--by", "by", help=f"Group by one or several of: {', '.join(DIMENSIONS)} (comma-separated)."
)
@selection_options
@click.option("--as-of", "as_of", help="Time for month to date (default: the latest record).")
@click.option(
    "--compare",
    "compare_period",
    metavar="PERIOD",
    help="Compare PERIOD (day, week, month, 2026-03, 2026-W11, 2026-03-15) with the one before it.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report as one self-contained HTML page with charts to this file.",
)
@click.option(
    "--png",
    "png_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write each chart of the HTML report as a PNG file into this folder.",
)
@config_option
@import_context_options
@format_option("table", "json", "csv", "markdown")
def command(
    paths: tuple[Path, ...],
    ledger_path: Path | None,
    by: str | None,
    since: str | None,
    until: str | None,
    filters: tuple[str, ...],
    as_of: str | None,
    compare_period: str | None,
    html_path: Path | None,
    png_dir: Path | None,
    config_path: Path | None,
    import_options: ImportOptions,
    output_format: str,
) -> None:
    """Report spend from the ledger, or from PATHS read directly (nothing is stored)."""
    selection = selection_from_options(since, until, filters)
    group_by = parse_by(by)
    if config_path is not None:
        # Only the HTML report reads the file, but a bad --config is an error either way.
        from truecost.config import load_config

        load_config(config_path)
    catalog = load_catalog(import_options.price_files)
    if paths and ledger_path is not None:
        raise InputError(
            "give log PATHS to report on them directly, or --ledger to report on a ledger, "
            "not both. To add the logs to the ledger, run 'truecost import' first."
        )
    if paths:
        context = import_options.context()
        ledger = read_paths_directly(list(paths), catalog, context, import_options.input_format)
    else:
        ledger = open_for_reading(ledger_path, catalog)
    # The comparison and HTML modules load only when asked for, which keeps a
    # plain report over a large log tree from paying for their imports.
    if compare_period:
        from truecost.analyses.compare import DEFAULT_COMPARE_BY, compare
        from truecost.outputs.compare import render_comparison

        with ledger:
            comparison = compare(
                ledger.con,
                compare_period,
                parse_day(as_of, "--as-of") if as_of else None,
                group_by or list(DEFAULT_COMPARE_BY),
                selection,
            )
        click.echo(render_comparison(comparison, output_format))
        return
    with ledger:
        report = spend_report(
            ledger.con, group_by, selection, parse_day(as_of, "--as-of") if as_of else None
        )
        if html_path or png_dir:
            from truecost.outputs.html import write_report_files

            files = write_report_files(
                ledger.con,
                selection,
                parse_day(as_of, "--as-of") if as_of else None,
                html_path,
                png_dir,
                config_path=config_path,
                catalog=catalog,
            )
            click.echo(files.summary(), err=True)
    click.echo(render_spend(report, output_format))
