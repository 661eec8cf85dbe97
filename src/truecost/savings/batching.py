"""Batching: send requests that need no real-time answer through the providers' batch APIs."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from truecost.savings.base import NotEstimated, Outcome, ReplayContext
from truecost.savings.columns import codes, gaps_seconds, too_few
from truecost.savings.provider_rules import BATCH_RULES
from truecost.savings.registry import register


class Batching:
    """Mark the requests of non-real-time and bulk features as batch calls."""

    name = "batching"
    title = "Batching"
    needs_texts = False

    def apply(self, records: pa.Table, context: ReplayContext) -> Outcome:
        """Return the rows of qualifying features as batch calls, where the provider has a batch API."""
        config = context.config
        group, keys = codes(records, "feature")
        features = [key[0] for key in keys]
        counts = np.bincount(group, minlength=len(features))
        declared = set(config.not_realtime_features)
        bulk = _bulk_features(records, group, features, counts, context)
        qualifying = np.array([f in declared or f in bulk for f in features] or [False])
        provider = records.column("provider").to_numpy(zero_copy_only=False)
        supported = np.isin(provider, list(BATCH_RULES))
        already = np.asarray(records.column("batch").to_numpy(zero_copy_only=False), dtype=bool)
        wanted = qualifying[group] & ~already
        moved = wanted & supported
        batch = pa.array(already | moved)
        out = records.set_column(records.schema.get_field_index("batch"), "batch", batch)
        not_estimated = too_few(features, counts, config.min_records)
        unsupported = wanted & ~supported
        if unsupported.any():
            names = ", ".join(sorted(set(provider[unsupported].tolist())))
            not_estimated.append(
                NotEstimated(
                    None, int(unsupported.sum()), f"no batch API known for provider {names}"
                )
            )
        return Outcome(
            records=out,
            assumptions=[
                "Batch calls cost 50% of the standard rates at Anthropic, OpenAI and Google and "
                "return within 24 hours; cache discounts stack with the batch price at Anthropic "
                "and OpenAI, while Google bills cached tokens of batch requests at the standard "
                "cache rate.",
                f"A feature counts as bulk when at least {config.bulk_share:.0%} of its requests "
                f"follow the previous one within {config.bulk_gap_seconds:g} s.",
            ],
            risk="Answers arrive up to 24 hours later; a bulk feature that serves a person "
            "waiting for the answer cannot move.",
            notes=_share_notes(records, moved, already & qualifying[group], declared, bulk),
            not_estimated=not_estimated,
        )


def _bulk_features(
    records: pa.Table,
    group: np.ndarray,
    features: list[str],
    counts: np.ndarray,
    context: ReplayContext,
) -> set[str]:
    config = context.config
    gaps = gaps_seconds(records, group)
    close = np.bincount(group, weights=(gaps <= config.bulk_gap_seconds), minlength=len(features))
    bulk: set[str] = set()
    for index, feature in enumerate(features):
        followers = counts[index] - 1
        enough = counts[index] >= config.min_records and followers > 0
        if enough and close[index] / followers >= config.bulk_share:
            bulk.add(feature)
    return bulk


def _share_notes(
    records: pa.Table, moved: np.ndarray, already: np.ndarray, declared: set[str], bulk: set[str]
) -> list[str]:
    total = records.num_rows
    qualifies = int(moved.sum() + already.sum())
    notes = [
        f"{qualifies:,} of {total:,} requests ({qualifies / total:.1%}) qualify for batch; "
        f"{int(already.sum()):,} already use it."
        if total
        else "No requests in the selection."
    ]
    if declared:
        notes.append(f"Declared not real-time: {', '.join(sorted(declared))}.")
    if bulk:
        notes.append(f"Detected as bulk: {', '.join(sorted(bulk))}.")
    return notes


register(Batching())
