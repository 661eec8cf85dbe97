"""Shorter prompts: drop the system prompt sections that repeat or carry no instruction."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa

from truecost.duckdb_connection import connect
from truecost.errors import ConfigError
from truecost.savings.base import NotEstimated, Outcome, ReplayContext
from truecost.savings.columns import codes, ints, set_ints
from truecost.savings.money import arrow_to_pico, sum_usd
from truecost.savings.pricer import price_records
from truecost.savings.prompt_sections import PromptAnalysis, analyse_prompt
from truecost.savings.registry import register


class PromptLength:
    """Remove removable system prompt tokens from every request of the feature."""

    name = "prompt_length"
    title = "Shorter prompts"
    needs_texts = False

    def apply(self, records: pa.Table, context: ReplayContext) -> Outcome:
        """Return the rows with each feature's removable system prompt tokens taken off."""
        group, keys = codes(records, "feature")
        features = [key[0] for key in keys]
        prompts = _system_prompts(records, features, group, context)
        removable = np.zeros(len(features) or 1, dtype=np.int64)
        notes: list[str] = []
        not_estimated: list[NotEstimated] = []
        for index, feature in enumerate(features):
            count = int((group == index).sum())
            if feature not in prompts:
                not_estimated.append(NotEstimated(feature, count, _MISSING))
                continue
            text, provider, model = prompts[feature]
            analysis = analyse_prompt(text, provider, model)
            removable[index] = analysis.removable_tokens
            notes.append(_describe(feature, analysis, records, group == index))
        if prompts:
            per_100 = _cost_of_100_tokens(records, context)
            notes.append(
                f"Every 100 input tokens cost {per_100:.2f} USD over the period at the current volume."
            )
        cut = removable[group] if len(features) else np.zeros(records.num_rows, dtype=np.int64)
        read = ints(records, "cache_read_tokens")
        from_read = np.minimum(read, cut)
        input_tokens = ints(records, "input_tokens")
        from_input = np.minimum(input_tokens, cut - from_read)
        out = set_ints(
            records,
            {"cache_read_tokens": read - from_read, "input_tokens": input_tokens - from_input},
        )
        return Outcome(
            records=out,
            assumptions=[
                "The system prompt starts every request of its feature; removed sections come off "
                "cached tokens first, then plain input.",
                "Token counts use o200k (cl100k for GPT-4 and GPT-3.5); for Claude and Gemini "
                "models they are estimates.",
            ],
            risk="A section that looks repeated or empty may still steer the model; test the "
            "shorter prompt on real requests before shipping it.",
            notes=notes,
            not_estimated=not_estimated,
        )


_MISSING = (
    'no system prompt: log texts with a "system" field or set '
    "[savings.system_prompt_files] for the feature"
)


def _system_prompts(
    records: pa.Table, features: list[str], group: np.ndarray, context: ReplayContext
) -> dict[str, tuple[str, str, str]]:
    providers = records.column("provider").to_pylist()
    models = records.column("model").to_pylist()
    found: dict[str, tuple[str, str, str]] = {}
    for feature, path in context.config.system_prompt_files.items():
        # Only features present in the records: a bad file fails its own feature alone.
        if feature not in features:
            continue
        first = int(np.flatnonzero(group == features.index(feature))[0])
        found[feature] = (_read(path), providers[first], models[first])
    if context.texts is None:
        return found
    seen: dict[str, Counter[str]] = {}
    where: dict[str, int] = {}
    for row, record_id in enumerate(records.column("id").to_pylist()):
        text = context.texts.get(record_id)
        if text is None or not text.system:
            continue
        feature = features[group[row]]
        seen.setdefault(feature, Counter())[text.system] += 1
        where.setdefault(feature, row)
    for feature, counter in seen.items():
        if feature not in found:
            row = where[feature]
            found[feature] = (counter.most_common(1)[0][0], providers[row], models[row])
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the system prompt file ({exc}).") from None


def _describe(feature: str, analysis: PromptAnalysis, records: pa.Table, rows: np.ndarray) -> str:
    prompt_tokens = int(
        sum(
            ints(records, name)[rows].sum()
            for name in (
                "input_tokens",
                "cache_read_tokens",
                "cache_write_5m_tokens",
                "cache_write_1h_tokens",
            )
        )
    )
    system_total = analysis.tokens * int(rows.sum())
    share = f"{min(system_total / prompt_tokens, 1):.1%}" if prompt_tokens else "-"
    kind = "estimated " if analysis.estimate else ""
    return (
        f"{feature}: system prompt of {analysis.tokens:,} {kind}tokens, about {share} of input "
        f"tokens; {len(analysis.repeated)} repeated and {len(analysis.empty)} empty sections "
        f"({analysis.removable_tokens:,} tokens) could go."
    )


def _cost_of_100_tokens(records: pa.Table, context: ReplayContext) -> Decimal:
    more = set_ints(records, {"input_tokens": ints(records, "input_tokens") + 100})
    con = connect()
    try:
        after, _ = price_records(con, context.catalog, more)
    finally:
        con.close()
    return sum_usd(after) - sum_usd(arrow_to_pico(records.column("cost_usd")))


register(PromptLength())
