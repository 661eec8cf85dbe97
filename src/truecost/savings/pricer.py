"""Price counterfactual records with the ledger's own pricing SQL and the provider rules.

The rate table comes from ``truecost.pricing.apply.build_rate_table``, so every rate
is the catalog's. Two documented provider rules fill gaps in the price data before
the SQL join: a batch call of a provider with a batch API but no batch price in the data
gets the provider's batch multiplier, and a model whose data has no cache rates gets
the provider's cache multipliers (see ``truecost.savings.provider_rules``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from itertools import count
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from truecost.pricing.apply import build_rate_table, priced_select_sql
from truecost.pricing.catalog import NO_BATCH_PRICE, PriceCatalog
from truecost.pricing.rates import ALL_RATES
from truecost.savings.money import BoolArray, PicoArray
from truecost.savings.provider_rules import BATCH_RULES, CACHE_RULES

# Rate columns of the rate table, all whole picodollars per token or per call.
_RATE_COLUMNS = (
    *(f"r_{name}" for name in ALL_RATES),
    "usd_per_hour_pico",
)
_PICO_PER_USD_PER_MTOK = Decimal(10**6)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_names = count()


@dataclass
class PricingNotes:
    """Rules the pricer applied, as sentences for the assumptions list."""

    applied: set[str] = field(default_factory=set)


def price_records(
    con: duckdb.DuckDBPyConnection,
    catalog: PriceCatalog,
    records: pa.Table,
    notes: PricingNotes | None = None,
) -> tuple[PicoArray, BoolArray]:
    """Return ``(cost in picodollars, priced mask)`` for each row of ``records``, in order."""
    if records.num_rows == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.bool_)
    suffix = next(_names)
    source, rates_name = f"savings_cf_{suffix}", f"savings_rates_{suffix}"
    indexed = records.append_column("_row", pa.array(np.arange(records.num_rows)))
    con.register(source, indexed)
    try:
        rates = apply_provider_rules(build_rate_table(con, catalog, source), catalog, notes)
        con.register(rates_name, rates)
        try:
            hourly = bool(pc.any(pc.greater(rates.column("usd_per_hour_pico"), 0)).as_py())
            select = priced_select_sql(source, rates_name, ["_row"], hourly=hourly)
            result = con.sql(
                f"SELECT CAST(cost_usd * 1000000000000 AS BIGINT) AS pico FROM ({select}) "
                "ORDER BY _row"
            ).to_arrow_table()
        finally:
            con.unregister(rates_name)
    finally:
        con.unregister(source)
    column = result.column("pico")
    priced = np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=np.bool_)
    pico = np.asarray(column.fill_null(0).to_numpy(), dtype=np.int64)
    return pico, priced


def apply_provider_rules(
    rates: pa.Table, catalog: PriceCatalog, notes: PricingNotes | None = None
) -> pa.Table:
    """Fill batch and cache rates the price data lacks with the providers' documented rules."""
    rows = rates.to_pylist()
    for row in rows:
        _apply_batch_rule(row, catalog, notes)
        _apply_cache_rule(row, notes)
    return pa.Table.from_pylist(rows, schema=rates.schema)


def _apply_batch_rule(
    row: dict[str, Any], catalog: PriceCatalog, notes: PricingNotes | None
) -> None:
    rule = BATCH_RULES.get(row["provider"])
    if not row["batch"] or rule is None:
        return
    if NO_BATCH_PRICE in (row["price_note"] or ""):
        for name in _RATE_COLUMNS:
            row[name] = _scaled(row[name], rule.multiplier)
        _note(
            notes,
            f"{row['provider']} batch calls are priced at {rule.multiplier} x the standard rates "
            f"where the price data has no batch price ({rule.source}).",
        )
    if not rule.stacks_with_cache:
        when = _EPOCH + timedelta(days=row["day_number"], minutes=row["minute_from"])
        standard = catalog.resolve(
            row["provider"], row["model"], when, False, row["service_tier"] or None
        )
        if standard is not None:
            band = standard.band_for(max(row["above_prompt_tokens"], 0) + 1)
            rate = band.rates["cache_read"] * standard.multiplier * _PICO_PER_USD_PER_MTOK
            row["r_cache_read"] = _scaled(1, rate)


def _apply_cache_rule(row: dict[str, Any], notes: PricingNotes | None) -> None:
    rule = CACHE_RULES.get(row["provider"])
    base = row["r_input"]
    if rule is None or not base:
        return
    if row["r_cache_read"] == base:
        multiplier = rule.read_multiplier_for(row["model"])
        row["r_cache_read"] = _scaled(base, multiplier)
        _note(
            notes,
            f"{row['model']}: cache reads are priced at {multiplier} x input, the provider's "
            f"rule, because the price data has no cache read price ({rule.source}).",
        )
    write_5m = row["r_cache_write_5m"]
    if rule.write_5m_multiplier is not None and write_5m == base:
        row["r_cache_write_5m"] = _scaled(base, rule.write_5m_multiplier)
    if rule.write_1h_multiplier is not None and row["r_cache_write_1h"] == write_5m:
        row["r_cache_write_1h"] = _scaled(base, rule.write_1h_multiplier)


def _scaled(pico: int, multiplier: Decimal) -> int:
    return int((pico * multiplier).to_integral_value(rounding=ROUND_HALF_EVEN))


def _note(notes: PricingNotes | None, text: str) -> None:
    if notes is not None:
        notes.applied.add(text)
