"""``truecost import``: read log files into the ledger."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from truecost.cli.common import (
    ImportOptions,
    import_options_with_format,
    ledger_option,
    load_catalog,
    resolve_ledger_path,
    run_import,
)
from truecost.ledger import open_ledger
from truecost.ledger.ingest import ImportSummary
from truecost.ledger.sql import first_row
from truecost.outputs.render import to_json


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@ledger_option
@import_options_with_format
@click.option("--strict", is_flag=True, help="Stop at the first bad line with exit status 2.")
@click.option(
    "--summary-format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="How to print the import summary.",
)
def command(
    paths: tuple[Path, ...],
    ledger_path: Path | None,
    import_options: ImportOptions,
    strict: bool,
    output_format: str,
) -> None:
    """Import log files or folders into the ledger; records already there are skipped."""
    context = import_options.context()
    catalog = load_catalog(import_options.price_files)
    with open_ledger(resolve_ledger_path(ledger_path)) as ledger:
        summary = run_import(
            ledger, list(paths), catalog, context, import_options.input_format, strict
        )
        unpriced = first_row(
            ledger.con.execute("SELECT count(*) FROM records WHERE cost_usd IS NULL")
        )
        total = ledger.count()
    unpriced_count = int(unpriced[0]) if unpriced else 0
    if output_format == "json":
        payload = asdict(summary) | {"issues": [str(i) for i in summary.issues]}
        payload |= {"ledger_records": total, "ledger_unpriced": unpriced_count}
        click.echo(to_json(payload))
    else:
        click.echo(format_summary(summary, total, unpriced_count))


def format_summary(summary: ImportSummary, ledger_records: int, unpriced: int) -> str:
    """Describe an import in a few lines for people."""
    lines = [
        f"files: {summary.files:,} ({', '.join(f'{n} {k}' for k, n in summary.formats.items())})",
        f"records read: {summary.records_read:,}",
        f"imported: {summary.imported:,} ({summary.unpriced:,} of them unpriced; "
        "'truecost report' lists them with the reason)",
        f"duplicates (already in the ledger or repeated): {summary.duplicates:,}",
        *(
            [f"updated from lines added to a log since it was imported: {summary.replaced:,}"]
            if summary.replaced
            else []
        ),
        f"skipped lines: {summary.skipped_lines:,}",
        f"ledger now holds {ledger_records:,} records, {unpriced:,} of them unpriced",
    ]
    lines.extend(f"  {issue}" for issue in summary.issues)
    if summary.skipped_lines > len(summary.issues):
        lines.append(
            f"  ... and {summary.skipped_lines - len(summary.issues):,} more skipped lines"
        )
    if summary.flagged:
        lines.append(
            f"records with warnings (kept as logged; see 'truecost records', column flags): {summary.flagged:,}"
        )
        lines.extend(f"  {example}" for example in summary.flag_examples)
    for source, count in summary.timestamp_fallbacks.items():
        origin = "the --timestamp option" if source == "option" else "the file's modification time"
        lines.append(f"records without a timestamp of their own, dated from {origin}: {count:,}")
    return "\n".join(lines)
