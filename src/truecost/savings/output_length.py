"""Shorter outputs: cap each feature's output at a percentile of its recorded output lengths."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from truecost.duckdb_connection import connect
from truecost.savings.base import Outcome, ReplayContext
from truecost.savings.columns import codes, ints, set_ints, too_few
from truecost.savings.money import arrow_to_pico, sum_usd
from truecost.savings.pricer import price_records
from truecost.savings.registry import register


class OutputLength:
    """Cap ``max_tokens`` per feature at the configured percentile of its output lengths."""

    name = "output_length"
    title = "Shorter outputs"
    needs_texts = False

    def apply(self, records: pa.Table, context: ReplayContext) -> Outcome:
        """Return the rows with outputs above the feature's cap cut to the cap."""
        config = context.config
        group, keys = codes(records, "feature")
        features = [key[0] for key in keys]
        counts = np.bincount(group, minlength=len(features))
        output = ints(records, "output_tokens")
        caps = np.full(len(features), np.iinfo(np.int64).max, dtype=np.int64)
        notes = []
        share = _output_share(records, context)
        for index, feature in enumerate(features):
            if counts[index] < config.min_records:
                continue
            lengths = output[group == index]
            caps[index] = int(
                np.quantile(lengths, config.output_cap_percentile / 100, method="inverted_cdf")
            )
            notes.append(f"{feature}: cap at {caps[index]:,} output tokens")
        capped = np.minimum(output, caps[group])
        reasoning = ints(records, "reasoning_tokens")
        # Reasoning tokens shrink in proportion, so the visible answer keeps its share.
        new_reasoning = np.where(output > 0, reasoning * capped // np.maximum(output, 1), 0)
        audio = np.minimum(ints(records, "output_audio_tokens"), capped - new_reasoning)
        cut = int((capped < output).sum())
        out = set_ints(
            records,
            {
                "output_tokens": capped,
                "reasoning_tokens": new_reasoning,
                "output_audio_tokens": audio,
            },
        )
        percentile = config.output_cap_percentile
        return Outcome(
            records=out,
            assumptions=[
                f"max_tokens is set per feature to the {percentile}th percentile of its recorded "
                "output lengths; a request that ran longer is billed at the cap.",
                "Reasoning tokens of a capped request shrink in proportion to its output.",
            ],
            risk=f"{cut:,} of {records.num_rows:,} requests ({_percent(cut, records.num_rows)}) would be cut off mid-answer.",
            notes=[share, *notes],
            not_estimated=too_few(features, counts, config.min_records),
        )


def _output_share(records: pa.Table, context: ReplayContext) -> str:
    zero = np.zeros(records.num_rows, dtype=np.int64)
    without = set_ints(
        records, {"output_tokens": zero, "reasoning_tokens": zero, "output_audio_tokens": zero}
    )
    con = connect()
    try:
        cost, _ = price_records(con, context.catalog, without)
    finally:
        con.close()
    total = sum_usd(arrow_to_pico(records.column("cost_usd")))
    if not total:
        return "Output share of spend: no spend in the selection."
    share = (total - sum_usd(cost)) / total
    return f"Output tokens are {share:.1%} of spend."


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "0%"


register(OutputLength())
