"""Build the savings report: baseline, each optimization alone, all of them in sequence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from truecost.analyses.spend import Selection
from truecost.duckdb_connection import connect
from truecost.ledger.sql import first_row
from truecost.record import ARROW_SCHEMA
from truecost.savings.base import NotEstimated, ReplayContext
from truecost.savings.money import group_sums_usd, sum_usd
from truecost.savings.pricer import PricingNotes, price_records
from truecost.savings.registry import get_optimization, optimization_names
from truecost.savings.replay import ReplayState, StepResult, run_step

MONTH = timedelta(days=30)
NO_FEATURE = "(none)"


@dataclass
class FeatureSaving:
    """Cost of one feature before and after, in USD over the replayed period."""

    feature: str
    baseline_usd: Decimal
    saved_usd: Decimal


@dataclass
class OptimizationSaving:
    """What one optimization saves, alone or as a step of the combined sequence."""

    name: str
    title: str
    saved_usd: Decimal
    saved_usd_per_month: Decimal | None
    saved_share: Decimal | None
    changed_records: int
    features: list[FeatureSaving]
    assumptions: list[str]
    risk: str
    notes: list[str]
    not_estimated: list[NotEstimated]


@dataclass
class SavingsReport:
    """The replay of the selected records under every optimization."""

    period_start: datetime | None
    period_end: datetime | None
    month_factor: Decimal | None
    records: int
    unpriced_records: int
    baseline_usd: Decimal
    ledger_usd: Decimal
    alone: list[OptimizationSaving]
    combined: list[OptimizationSaving]
    feature_baselines: dict[str, Decimal]
    assumptions: list[str] = field(default_factory=list)

    def per_month(self, usd: Decimal) -> Decimal | None:
        """Scale an amount of the replayed period to a 30-day month."""
        return None if self.month_factor is None else usd * self.month_factor

    @property
    def combined_saved_usd(self) -> Decimal:
        """Return the saving of all optimizations applied in sequence."""
        return sum((step.saved_usd for step in self.combined), Decimal(0))


def load_records(con: duckdb.DuckDBPyConnection, selection: Selection) -> tuple[pa.Table, int]:
    """Return the priced records of ``selection`` in time order, and the count left unpriced."""
    where, params = selection.where_sql()
    columns = ", ".join(ARROW_SCHEMA.names)
    table = con.sql(
        f"SELECT {columns} FROM records WHERE {where} AND cost_usd IS NOT NULL ORDER BY ts, id",
        params=params,
    ).to_arrow_table()
    row = first_row(
        con.execute(f"SELECT count(*) FROM records WHERE {where} AND cost_usd IS NULL", params)
    )
    return table.cast(ARROW_SCHEMA), int(row[0]) if row else 0


def ledger_total(con: duckdb.DuckDBPyConnection, selection: Selection) -> Decimal:
    """Return the ledger's cost of the priced records of ``selection``."""
    where, params = selection.where_sql()
    row = first_row(con.execute(f"SELECT sum(cost_usd) FROM records WHERE {where}", params))
    return Decimal(row[0]) if row and row[0] is not None else Decimal(0)


def run_savings(
    con: duckdb.DuckDBPyConnection,
    context: ReplayContext,
    selection: Selection | None = None,
    names: list[str] | None = None,
) -> SavingsReport:
    """Replay the ledger's records of ``selection`` under the optimizations ``names``."""
    selection = selection or Selection()
    wanted = names or context.config.optimizations or optimization_names()
    order = {name: index for index, name in enumerate(optimization_names())}
    # Combined in the registry's order whatever order they were named in.
    chosen = [get_optimization(n) for n in sorted(wanted, key=lambda n: order.get(n, len(order)))]
    records, unpriced = load_records(con, selection)
    notes = PricingNotes()
    replay_con = connect()
    try:
        baseline_pico, _ = price_records(replay_con, context.catalog, records, notes)
        zeros = np.zeros(records.num_rows, dtype=np.int64)
        start = ReplayState(records, baseline_pico, zeros, np.zeros(records.num_rows, np.bool_))
        alone = [run_step(opt, start, context, replay_con, notes) for opt in chosen]
        combined: list[StepResult] = []
        state = start
        for opt in chosen:
            step = run_step(opt, state, context, replay_con, notes)
            combined.append(step)
            state = step.state
    finally:
        replay_con.close()
    return _assemble(
        records, unpriced, start, alone, combined, selection, notes, ledger_total(con, selection)
    )


def _assemble(
    records: pa.Table,
    unpriced: int,
    start: ReplayState,
    alone: list[StepResult],
    combined: list[StepResult],
    selection: Selection,
    notes: PricingNotes,
    ledger_usd: Decimal,
) -> SavingsReport:
    period_start, period_end, factor = _period(records, selection)
    codes, names = _feature_codes(records)
    baseline_usd = sum_usd(start.cost_pico)
    baselines = dict(zip(names, group_sums_usd(start.cost_pico, codes, len(names)), strict=True))
    report = SavingsReport(
        period_start=period_start,
        period_end=period_end,
        month_factor=factor,
        records=records.num_rows,
        unpriced_records=unpriced,
        baseline_usd=baseline_usd,
        ledger_usd=ledger_usd,
        alone=[],
        combined=[],
        feature_baselines=baselines,
    )
    report.alone = [_saving(step, start, codes, names, report) for step in alone]
    report.alone.sort(key=lambda saving: saving.saved_usd, reverse=True)
    before = start
    for step in combined:
        report.combined.append(_saving(step, before, codes, names, report))
        before = step.state
    report.assumptions = _assumptions(report, notes, unpriced)
    return report


def _saving(
    step: StepResult,
    before: ReplayState,
    codes: np.ndarray,
    names: list[str],
    report: SavingsReport,
) -> OptimizationSaving:
    delta = before.cost_pico - step.state.cost_pico
    saved = sum_usd(delta)
    per_feature = group_sums_usd(delta, codes, len(names))
    features = [
        FeatureSaving(name, report.feature_baselines[name], value)
        for name, value in zip(names, per_feature, strict=True)
    ]
    share = saved / report.baseline_usd if report.baseline_usd else None
    return OptimizationSaving(
        name=step.name,
        title=step.title,
        saved_usd=saved,
        saved_usd_per_month=report.per_month(saved),
        saved_share=share,
        changed_records=step.changed_records,
        features=features,
        assumptions=step.outcome.assumptions,
        risk=step.outcome.risk,
        notes=step.outcome.notes,
        not_estimated=step.not_estimated,
    )


def _feature_codes(records: pa.Table) -> tuple[np.ndarray, list[str]]:
    encoded = pc.dictionary_encode(records.column("feature").fill_null(NO_FEATURE)).combine_chunks()
    names = [str(value) for value in encoded.dictionary.to_pylist()]
    return np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64), names


def _period(
    records: pa.Table, selection: Selection
) -> tuple[datetime | None, datetime | None, Decimal | None]:
    if records.num_rows == 0:
        return None, None, None
    first = selection.since or pc.min(records.column("ts")).as_py()
    last = selection.until or pc.max(records.column("ts")).as_py()
    span = last - first
    if span <= timedelta(0):
        return first, last, None
    factor = Decimal(MONTH // timedelta(microseconds=1)) / Decimal(
        span // timedelta(microseconds=1)
    )
    return first, last, factor


def _assumptions(report: SavingsReport, notes: PricingNotes, unpriced: int) -> list[str]:
    lines: list[str] = []
    if report.month_factor is not None and report.period_start and report.period_end:
        days = (report.period_end - report.period_start) / timedelta(days=1)
        lines.append(
            f"Monthly figures scale the {days:.2f} days from {report.period_start:%Y-%m-%d %H:%M} "
            f"to {report.period_end:%Y-%m-%d %H:%M} UTC to a 30-day month at the same traffic."
        )
    elif report.records:
        lines.append("All records share one timestamp, so no monthly figure is given.")
    if unpriced:
        lines.append(f"{unpriced:,} unpriced records are left out of every figure.")
    if report.baseline_usd != report.ledger_usd:
        lines.append(
            f"The baseline ({report.baseline_usd:.6f} USD) differs from the ledger's cost "
            f"({report.ledger_usd:.6f} USD) because the provider rules below fill gaps in the price data."
        )
    lines.extend(sorted(notes.applied))
    return lines
