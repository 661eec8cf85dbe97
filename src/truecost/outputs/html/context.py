"""The inputs every section of the HTML report reads: the ledger, the selection and the settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from truecost.analyses.spend import Selection

DEFAULT_CONFIG_PATH = Path("truecost.toml")


@dataclass(frozen=True)
class ReportContext:
    """The inputs of one report.

    ``as_of`` is the time "month to date" and forecasts are computed for (None:
    the latest record). ``config_path`` is the ``truecost.toml`` read by sections
    that need configuration (cost stack, budgets, self-hosting). It is None when
    there is no such file, and those sections are then skipped with a note.
    """

    con: duckdb.DuckDBPyConnection
    selection: Selection
    generated_at: datetime
    as_of: datetime | None = None
    config_path: Path | None = None


def default_config_path() -> Path | None:
    """Return ``./truecost.toml`` when it exists, else None."""
    return DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.is_file() else None
