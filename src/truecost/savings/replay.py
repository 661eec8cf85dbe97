"""Replay recorded traffic under each optimization, alone and combined in sequence.

Each step's counterfactual rows are priced by ``truecost.savings.pricer``; rows an
optimization left unchanged keep the cost they came in with. Costs an optimization
adds on top of token prices (cache storage, say) travel with the row, so a later
step that reprices the row keeps them. Combined savings never double count because
each step starts from the previous step's rows and costs.

An optimization that raises ``TruecostError`` (a missing file, a bad value) is
applied again feature by feature (``truecost.savings.guarded``). Each feature that
still raises is reported as not estimated with the error's message, and the other
features keep their saving. Any other exception is a programming error and propagates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from truecost.savings.base import NotEstimated, Optimization, Outcome, ReplayContext
from truecost.savings.guarded import apply_guarded
from truecost.savings.money import BoolArray, PicoArray, arrow_to_pico, pico_to_arrow
from truecost.savings.pricer import PricingNotes, price_records

# Columns whose change means a row must be priced again.
PRICED_COLUMNS = (
    "provider",
    "model",
    "batch",
    "service_tier",
    "input_tokens",
    "cache_read_tokens",
    "cache_write_5m_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
    "input_audio_tokens",
    "output_audio_tokens",
    "web_searches",
)


@dataclass
class ReplayState:
    """Rows as they stand between steps, with their cost and what travels with them."""

    records: pa.Table
    cost_pico: PicoArray
    extra_pico: PicoArray
    skipped: BoolArray

    def with_cost(self) -> pa.Table:
        """Return the rows with the ``cost_usd`` column plug-ins read."""
        table = self.records
        if "cost_usd" in table.column_names:
            table = table.drop_columns(["cost_usd"])
        return table.append_column("cost_usd", pico_to_arrow(self.cost_pico))


@dataclass
class StepResult:
    """One optimization applied to one state: the state after it and what it said."""

    name: str
    title: str
    state: ReplayState
    outcome: Outcome
    changed_records: int
    not_estimated: list[NotEstimated] = field(default_factory=list)


def run_step(
    optimization: Optimization,
    state: ReplayState,
    context: ReplayContext,
    con: duckdb.DuckDBPyConnection,
    notes: PricingNotes,
) -> StepResult:
    """Apply ``optimization`` to ``state`` and price the rows it changed."""
    if optimization.needs_texts and context.texts is None:
        reason = "needs the logged texts of requests; pass --texts FILE (JSON Lines)"
        outcome = Outcome(
            records=state.records,
            not_estimated=[NotEstimated(None, state.records.num_rows, reason)],
        )
        return StepResult(
            optimization.name, optimization.title, state, outcome, 0, outcome.not_estimated
        )
    outcome = apply_guarded(optimization, state.with_cost(), context)
    candidate = outcome.records.select(state.records.column_names)
    _check_rows(optimization.name, state.records, candidate)
    changed = changed_rows(state.records, candidate)
    skipped = _mask(outcome.skipped, len(changed))
    extra = _pico_or_zero(outcome.extra_usd, len(changed))
    cost = state.cost_pico.copy()
    not_estimated = list(outcome.not_estimated)
    if changed.any():
        priced_cost, priced = price_records(con, context.catalog, candidate.filter(changed), notes)
        positions = np.flatnonzero(changed)
        cost[positions[priced]] = priced_cost[priced] + state.extra_pico[positions[priced]]
        unpriced = positions[~priced]
        if len(unpriced):
            candidate = _revert(state.records, candidate, unpriced)
            changed[unpriced] = False
            not_estimated.append(
                NotEstimated(None, len(unpriced), "the price data has no price for the new model")
            )
    all_skipped = state.skipped | skipped
    cost = np.where(all_skipped, state.extra_pico, cost) + extra
    after = ReplayState(candidate, cost, state.extra_pico + extra, all_skipped)
    changed_count = int((changed | skipped).sum())
    return StepResult(
        optimization.name, optimization.title, after, outcome, changed_count, not_estimated
    )


def changed_rows(before: pa.Table, after: pa.Table) -> BoolArray:
    """Return True for each row whose priced columns differ between ``before`` and ``after``."""
    changed = np.zeros(before.num_rows, dtype=np.bool_)
    for name in PRICED_COLUMNS:
        left, right = before.column(name), after.column(name)
        if left is right:
            continue
        differs = pc.fill_null(pc.not_equal(left, right), True)
        both_null = pc.and_(pc.is_null(left), pc.is_null(right))
        differs = pc.and_not(differs, both_null)
        changed |= np.asarray(differs.to_numpy(zero_copy_only=False), dtype=np.bool_)
    return changed


def _check_rows(name: str, before: pa.Table, after: pa.Table) -> None:
    if after.num_rows != before.num_rows or not after.column("id").equals(before.column("id")):
        raise ValueError(
            f"optimization '{name}' returned rows in another number or order than it received"
        )


def _revert(before: pa.Table, after: pa.Table, rows: np.ndarray) -> pa.Table:
    take = np.arange(after.num_rows) + before.num_rows
    take[rows] = rows
    return pa.concat_tables([before, after]).take(pa.array(take))


def _mask(values: pa.Array | None, length: int) -> BoolArray:
    if values is None:
        return np.zeros(length, dtype=np.bool_)
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=np.bool_)


def _pico_or_zero(values: pa.Array | None, length: int) -> PicoArray:
    if values is None:
        return np.zeros(length, dtype=np.int64)
    return arrow_to_pico(pc.fill_null(values, pa.scalar(0, values.type)))
