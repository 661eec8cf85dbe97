"""The inputs every section of the HTML report reads: the ledger, the selection and the settings."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from truecost.analyses.spend import Selection
from truecost.config import TruecostConfig, load_config_or_default
from truecost.ledger.sql import first_row
from truecost.pricing import PriceCatalog


@dataclass
class ReportContext:
    """The inputs of one report.

    ``as_of`` is the time that month to date and forecasts are computed for (None:
    the latest record). ``config_path`` is the ``--config`` file; None means
    ``$TRUECOST_CONFIG``, else ``./truecost.toml`` when it exists, else defaults.
    """

    con: duckdb.DuckDBPyConnection
    selection: Selection
    generated_at: datetime
    as_of: datetime | None = None
    config_path: Path | None = None
    catalog: PriceCatalog | None = None
    _config: TruecostConfig | None = field(default=None, repr=False)

    def config(self) -> TruecostConfig:
        """Return the validated configuration, read on first use (``ConfigError`` when invalid)."""
        if self._config is None:
            self._config = load_config_or_default(self.config_path)
        return self._config

    def price_catalog(self) -> PriceCatalog:
        """Return the catalog the ledger was priced with; the shipped prices when none was given."""
        if self.catalog is None:
            self.catalog = PriceCatalog()
        return self.catalog

    def latest_record_time(self) -> datetime | None:
        """Return ``as_of`` when set, else the time of the latest selected record (None: no records)."""
        if self.as_of is not None:
            return self.as_of
        where, params = self.selection.where_sql()
        row = first_row(self.con.execute(f"SELECT max(ts) FROM records WHERE {where}", params))
        latest = row[0] if row else None
        return latest if isinstance(latest, datetime) else None


def analysis_available(module: str) -> bool:
    """Return True when ``module`` (e.g. ``truecost.analyses.monthend``) is installed."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # a parent package is missing
        return False
