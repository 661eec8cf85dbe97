"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import difflib
import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from truecost.errors import InputError
from truecost.importers import ImportContext
from truecost.ledger import Ledger, default_ledger_path, open_ledger
from truecost.ledger.ingest import EARLIEST_CALL, FUTURE_MARGIN, ImportSummary, import_paths
from truecost.pricing import PriceCatalog

F = TypeVar("F", bound=Callable[..., Any])

PRICES_ENV = "TRUECOST_PRICES"


def ledger_option(func: F) -> F:
    """Add ``--ledger PATH`` (default: $TRUECOST_LEDGER or the user data folder)."""
    return click.option(
        "--ledger",
        "ledger_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Ledger file (DuckDB). Default: $TRUECOST_LEDGER, else ledger.duckdb in the user data folder.",
    )(func)


def format_option(*choices: str, default: str = "table") -> Callable[[F], F]:
    """Add ``--format`` with the given choices."""

    def decorate(func: F) -> F:
        return click.option(
            "--format",
            "output_format",
            type=click.Choice(list(choices)),
            default=default,
            show_default=True,
            help="Output format.",
        )(func)

    return decorate


def prices_option(func: F) -> F:
    """Add ``--prices FILE`` for a TOML price override file (repeatable)."""
    return click.option(
        "--prices",
        "price_files",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        multiple=True,
        help="Price override file (TOML); repeat for several. Also read from $TRUECOST_PRICES.",
    )(func)


def load_catalog(price_files: tuple[Path, ...] = ()) -> PriceCatalog:
    """Build the price catalog from the shipped data, $TRUECOST_PRICES and ``--prices`` files."""
    paths: list[Path] = []
    from_env = os.environ.get(PRICES_ENV)
    if from_env:
        paths.extend(Path(p) for p in from_env.split(os.pathsep) if p)
    paths.extend(price_files)
    return PriceCatalog(paths)


def resolve_ledger_path(ledger_path: Path | None) -> Path:
    """Return the ledger path the user chose, or the default."""
    return ledger_path or default_ledger_path()


def open_for_reading(
    ledger_path: Path | None, catalog: PriceCatalog, *, writes: bool = False
) -> Ledger:
    """Open an existing ledger and reprice it if the prices changed since it was priced.

    A ledger this user may read but not write is opened read-only, unless ``writes``,
    and then keeps the prices it was stored with.
    """
    path = resolve_ledger_path(ledger_path)
    if not path.exists():
        from truecost.errors import LedgerError

        raise LedgerError(
            f"{path}: no ledger here yet. Import logs first with 'truecost import FILES', "
            "pass --ledger PATH, or give log paths to read them directly."
        )
    # DuckDB writes a .wal file beside the ledger, so the folder must be writable too.
    if not writes and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        ledger = open_ledger(path, read_only=True)
        if not ledger.priced_with(catalog):
            click.echo(
                f"warning: {path} is read-only, so its records keep the prices they were "
                "stored with, not the current price data. Copy the ledger to a writable "
                "place to reprice it.",
                err=True,
            )
        return ledger
    ledger = open_ledger(path)
    ledger.ensure_priced(catalog)
    return ledger


# An example of each NAME=VALUE option, for error messages.
_FIELD_EXAMPLES = {
    "--field": "user=metadata.user_id",
    "--column": "model=model_name",
    "--where": "feature=support-bot",
}


def parse_fields(values: tuple[str, ...], option: str) -> dict[str, str]:
    """Parse repeated ``NAME=VALUE`` options into a dict (the last value of a name wins)."""
    return dict(parse_pairs(values, option))


def parse_pairs(values: tuple[str, ...], option: str) -> list[tuple[str, str]]:
    """Parse repeated ``NAME=VALUE`` options into pairs in order, naming the bad one on error."""
    pairs: list[tuple[str, str]] = []
    example = _FIELD_EXAMPLES.get(option, "name=value")
    for value in values:
        name, sep, target = value.partition("=")
        if not sep or not name.strip() or not target.strip():
            raise InputError(f"invalid {option} '{value}': use NAME=VALUE, for example {example}.")
        pairs.append((name.strip(), target.strip()))
    return pairs


def selection_options(func: F) -> F:
    """Add ``--since``, ``--until`` and ``--where``, which select the records a command reads."""
    options = [
        click.option("--since", help="First day included (YYYY-MM-DD, UTC)."),
        click.option(
            "--until",
            help="Last day included (YYYY-MM-DD, UTC); a time given with it is excluded.",
        ),
        click.option(
            "--where",
            "filters",
            multiple=True,
            metavar="DIM=VALUE",
            help=(
                "Keep records where DIM equals VALUE. Repeated, a record matches one of the "
                "values of each dimension named."
            ),
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def import_context_options(func: F) -> F:
    """Add the options that set attributes and fallbacks of imported records.

    The command receives them together as ``import_options: ImportOptions``.
    """
    return _import_options(("--input-format",))(func)


def _import_options(format_flags: tuple[str, ...]) -> Callable[[F], F]:
    def decorate(func: F) -> F:
        return _add_import_options(func, format_flags)

    return decorate


def import_options_with_format(func: F) -> F:
    """Like ``import_context_options``, but ``--format`` names the input format (for ``import``)."""
    return _import_options(("--format", "--input-format"))(func)


@dataclass(frozen=True)
class ImportOptions:
    """The import options of ``report``, ``records`` and ``import``, gathered in one value."""

    feature: str | None
    user: str | None
    environment: str | None
    provider: str | None
    fields: tuple[str, ...]
    columns: tuple[str, ...]
    fallback_timestamp: str | None
    input_format: str | None
    price_files: tuple[Path, ...]

    def context(self) -> ImportContext:
        """Return the ``ImportContext`` these options describe."""
        return build_context(
            self.feature,
            self.user,
            self.environment,
            self.provider,
            self.fields,
            self.columns,
            self.fallback_timestamp,
        )


_IMPORT_PARAMETERS = tuple(field.name for field in dataclass_fields(ImportOptions))


def _add_import_options(func: F, format_flags: tuple[str, ...]) -> F:
    @functools.wraps(func)
    def collect(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in _IMPORT_PARAMETERS}
        return func(*args, import_options=ImportOptions(**values), **kwargs)

    options = [
        click.option("--feature", help="Feature name for every record that carries none."),
        click.option("--user", help="User or customer for every record that carries none."),
        click.option("--environment", help="Environment (prod, staging...) for every record."),
        click.option("--provider", help="Provider of every record, where the logs do not say."),
        click.option(
            "--field",
            "fields",
            multiple=True,
            metavar="ATTR=PATH",
            help="Take feature, user or environment from a dotted path of each logged object, "
            "e.g. --field user=metadata.user_id. Repeatable.",
        ),
        click.option(
            "--column",
            "columns",
            multiple=True,
            metavar="FIELD=COLUMN",
            help="For CSV and generic JSONL: the column that contains a record field. Repeatable.",
        ),
        click.option(
            "--timestamp",
            "fallback_timestamp",
            help="Time of records whose format has none (ISO 8601). Default: the file's modification time.",
        ),
        click.option(
            *format_flags,
            "input_format",
            help="Read every file as this log format instead of detecting it (see README, Formats).",
        ),
        prices_option,
    ]
    wrapped: Any = collect
    for option in reversed(options):
        wrapped = option(wrapped)
    return cast(F, wrapped)


_ATTRIBUTES = ("feature", "user", "environment")


def _attribute_fields(fields: tuple[str, ...]) -> dict[str, str]:
    parsed = parse_fields(fields, "--field")
    for name in parsed:
        if name not in _ATTRIBUTES:
            close = difflib.get_close_matches(name, _ATTRIBUTES, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise InputError(
                f"invalid --field '{name}={parsed[name]}': --field sets one of "
                f"{', '.join(_ATTRIBUTES)}.{hint}"
            )
    return parsed


def build_context(
    feature: str | None,
    user: str | None,
    environment: str | None,
    provider: str | None,
    fields: tuple[str, ...],
    columns: tuple[str, ...],
    fallback_timestamp: str | None,
) -> ImportContext:
    """Turn the import options into an ``ImportContext``."""
    when = None
    if fallback_timestamp:
        from truecost.analyses.spend import parse_day

        when = parse_day(fallback_timestamp, "--timestamp")
        if not EARLIEST_CALL <= when <= datetime.now(UTC) + FUTURE_MARGIN:
            raise InputError(
                f"--timestamp {fallback_timestamp} is outside 2015 to a year from now, so every "
                "record dated by it would be skipped; give the day the logs were written"
            )
    return ImportContext(
        feature=feature,
        user=user,
        environment=environment,
        provider=provider,
        attribute_fields=_attribute_fields(fields),
        column_map=parse_fields(columns, "--column"),
        fallback_timestamp=when,
    )


def run_import(
    ledger: Ledger,
    paths: list[Path],
    catalog: PriceCatalog,
    context: ImportContext,
    input_format: str | None,
    strict: bool = False,
) -> ImportSummary:
    """Import with a progress bar on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return import_paths(
            ledger, paths, catalog, context, forced_format=input_format, strict=strict
        )
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("importing", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return import_paths(
            ledger,
            paths,
            catalog,
            context,
            forced_format=input_format,
            strict=strict,
            progress=advance,
        )


def read_paths_directly(
    paths: list[Path], catalog: PriceCatalog, context: ImportContext, input_format: str | None
) -> Ledger:
    """Read log paths into an in-memory ledger, warning on stderr about the lines skipped."""
    ledger = Ledger(None)
    summary = run_import(ledger, paths, catalog, context, input_format)
    if summary.skipped_lines:
        click.echo(
            f"warning: {summary.skipped_lines:,} {'line' if summary.skipped_lines == 1 else 'lines'}"
            " skipped (run 'truecost import' on "
            "the same paths for the full list):",
            err=True,
        )
        for issue in summary.issues[:3]:
            click.echo(f"  {issue}", err=True)
    return ledger


def now_utc() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)
