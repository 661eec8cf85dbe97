"""Apply an optimization so that one feature's bad input does not stop the whole replay.

A ``TruecostError`` raised by ``apply`` (a system prompt file that cannot be read, a
labels file with a bad line) is a problem of the user's input, not of the code. The
optimization is then applied to each feature's records on their own: a feature that
still raises is left unchanged and reported as not estimated with the error's message.
This relies on optimizations judging each feature independently, which every built-in
one does. Any other exception is a programming error and propagates.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from truecost.errors import TruecostError
from truecost.savings.base import NotEstimated, Optimization, Outcome, ReplayContext
from truecost.savings.columns import codes

COULD_NOT_ESTIMATE = "could not estimate"


def apply_guarded(optimization: Optimization, records: pa.Table, context: ReplayContext) -> Outcome:
    """Return ``optimization.apply(records, context)``, or its per-feature outcome after a ``TruecostError``."""
    try:
        return optimization.apply(records, context)
    except TruecostError:
        pass
    group, keys = codes(records, "feature")
    parts: list[tuple[np.ndarray, Outcome]] = []
    for index, (feature,) in enumerate(keys):
        rows = np.flatnonzero(group == index)
        subset = records.take(pa.array(rows))
        try:
            outcome = optimization.apply(subset, context)
        except TruecostError as exc:
            reason = f"{COULD_NOT_ESTIMATE}: {exc}"
            outcome = Outcome(subset, not_estimated=[NotEstimated(feature, len(rows), reason)])
        parts.append((rows, outcome))
    return _merge(records, parts)


def _merge(records: pa.Table, parts: list[tuple[np.ndarray, Outcome]]) -> Outcome:
    """Put the per-feature outcomes back together in the order of ``records``."""
    if not parts:
        return Outcome(records)
    positions = np.concatenate([rows for rows, _ in parts])
    order = pa.array(np.argsort(positions, kind="stable"))
    names = records.column_names
    table = pa.concat_tables([outcome.records.select(names) for _, outcome in parts])
    merged = Outcome(records=table.take(order))
    if any(outcome.skipped is not None for _, outcome in parts):
        skipped = [_or_default(o.skipped, len(rows), pa.bool_(), False) for rows, o in parts]
        merged.skipped = pa.concat_arrays(skipped).take(order)
    if any(outcome.extra_usd is not None for _, outcome in parts):
        extra_type = next(o.extra_usd.type for _, o in parts if o.extra_usd is not None)
        extra = [_or_default(o.extra_usd, len(rows), extra_type, 0) for rows, o in parts]
        merged.extra_usd = pa.concat_arrays(extra).take(order)
    for _, outcome in parts:
        merged.assumptions.extend(a for a in outcome.assumptions if a not in merged.assumptions)
        merged.notes.extend(outcome.notes)
        merged.not_estimated.extend(outcome.not_estimated)
        merged.risk = merged.risk or outcome.risk
    return merged


def _or_default(
    values: pa.Array | None, length: int, type_: pa.DataType, default: object
) -> pa.Array:
    if values is None:
        return pa.array([default] * length, type_)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return pc.cast(values, type_)
