"""Prompt caching: bill each feature's shared prefix as cache reads, by each provider's rules.

The prefix length of a feature comes, in order, from the ``static_prefix_tokens`` the
user declared, from the longest prefix its logged texts share, or from the cache
counters already recorded (the median cached length of its requests that cached).
Requests of the same provider, model and feature follow each other: one that comes
within the TTL of the previous one reads the cache, any other one writes it.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from truecost.duckdb_connection import connect
from truecost.savings.base import NotEstimated, Outcome, ReplayContext
from truecost.savings.columns import IntArray, codes, gaps_seconds, ints, prompt_tokens, set_ints
from truecost.savings.gemini_explicit import plan_explicit_caching
from truecost.savings.money import arrow_to_pico, pico_to_arrow, sum_usd
from truecost.savings.prefixes import shared_prefix_tokens
from truecost.savings.pricer import price_records
from truecost.savings.provider_rules import CACHE_RULES, CacheRules
from truecost.savings.registry import register


class PromptCaching:
    """Cache each feature's static prefix wherever the provider's rules allow it."""

    name = "prompt_caching"
    title = "Prompt caching"
    needs_texts = False

    def apply(self, records: pa.Table, context: ReplayContext) -> Outcome:
        """Return the rows with the cacheable prefix moved to cache reads and writes."""
        group, keys = codes(records, "provider", "model", "feature")
        feature_group, feature_keys = codes(records, "feature")
        features = [key[0] for key in feature_keys]
        prefix_by_feature, sources, not_estimated = _prefixes(
            records, feature_group, features, context
        )
        prefix = np.array([prefix_by_feature.get(f, 0) for f in features] or [0])[feature_group]
        warm = gaps_seconds(records, group) <= _ttl_per_row(records, context)
        columns, cacheable = _cached_columns(
            records, prefix, warm, keys, group, context, not_estimated
        )
        explicit = plan_explicit_caching(records, cacheable, group, keys, columns, context)
        storage = explicit.storage_pico
        return Outcome(
            records=set_ints(records, explicit.columns),
            extra_usd=None if storage is None else pico_to_arrow(storage),
            assumptions=_assumptions(context),
            risk="A prefix that changes between requests (a date, a user name near the top) "
            "breaks the cache; the saving assumes the prefix is byte-identical.",
            notes=[_already_saved(records, context), *sources, *explicit.notes],
            not_estimated=not_estimated,
        )


def _prefixes(
    records: pa.Table, group: IntArray, features: list[str], context: ReplayContext
) -> tuple[dict[str, int], list[str], list[NotEstimated]]:
    declared = context.config.static_prefix_tokens
    from_texts = shared_prefix_tokens(records, context.texts) if context.texts else {}
    cached = ints(records, "cache_read_tokens") + ints(records, "cache_write_5m_tokens")
    cached += ints(records, "cache_write_1h_tokens")
    prefixes: dict[str, int] = {}
    sources: list[str] = []
    missing: list[NotEstimated] = []
    for index, feature in enumerate(features):
        rows = group == index
        observed = cached[rows & (cached > 0)]
        if feature in declared:
            prefixes[feature] = declared[feature]
            sources.append(f"{feature}: declared static prefix of {declared[feature]:,} tokens")
        elif feature in from_texts:
            tokens, estimate = from_texts[feature]
            prefixes[feature] = tokens
            sources.append(
                f"{feature}: shared prefix of {tokens:,} tokens found in the logged texts"
                + (" (estimated count, another tokenizer)" if estimate else "")
            )
        elif len(observed):
            prefixes[feature] = int(np.median(observed))
            sources.append(
                f"{feature}: prefix of {prefixes[feature]:,} tokens from recorded cache counters"
            )
        else:
            reason = (
                "no static prefix declared ([savings.static_prefix_tokens]), no logged texts "
                "and no cache counters recorded"
            )
            missing.append(NotEstimated(feature, int(rows.sum()), reason))
    return prefixes, sources, missing


def _pays(rule: CacheRules, warm: np.ndarray, context: ReplayContext) -> bool:
    """Return True when a stream's hits save more than its cache writes add, by the rule's multipliers."""
    write = (
        rule.write_1h_multiplier if context.config.cache_ttl == "1h" else rule.write_5m_multiplier
    )
    assert write is not None
    hits = int(warm.sum())
    return hits * (1 - rule.read_multiplier) > (len(warm) - hits) * (write - 1)


def _ttl_per_row(records: pa.Table, context: ReplayContext) -> np.ndarray:
    provider = records.column("provider").to_numpy(zero_copy_only=False)
    ttl = np.zeros(len(provider))
    for name, rule in CACHE_RULES.items():
        ttl[provider == name] = rule.ttl_seconds[context.config.cache_ttl]
    return ttl


def _cached_columns(
    records: pa.Table,
    prefix: IntArray,
    warm: np.ndarray,
    keys: list[tuple[str, ...]],
    group: IntArray,
    context: ReplayContext,
    not_estimated: list[NotEstimated],
) -> tuple[dict[str, IntArray], IntArray]:
    """Return the cache columns of the replay and each row's cacheable prefix in tokens."""
    prompt = prompt_tokens(records)
    read = ints(records, "cache_read_tokens")
    write_5m = ints(records, "cache_write_5m_tokens")
    write_1h = ints(records, "cache_write_1h_tokens")
    input_tokens = ints(records, "input_tokens")
    cacheable = np.zeros(len(prompt), dtype=np.int64)
    writes_billed = np.zeros(len(prompt), dtype=np.bool_)
    for index, (provider, model, _feature) in enumerate(keys):
        rule = CACHE_RULES.get(provider)
        rows = group == index
        if rule is None:
            if prefix[rows].any():
                not_estimated.append(
                    NotEstimated(
                        None, int(rows.sum()), f"no caching rules known for provider {provider}"
                    )
                )
            continue
        length = np.minimum(prefix[rows], prompt[rows])
        length = length - length % rule.step_tokens
        cacheable[rows] = np.where(length >= rule.min_cacheable_tokens(model), length, 0)
        writes_billed[rows] = rule.write_5m_multiplier is not None
        if rule.write_5m_multiplier is not None and not _pays(rule, warm[rows], context):
            cacheable[rows] = 0
    # Rows already caching at least the prefix stay as they are.
    improve = cacheable > read + write_5m + write_1h
    hit = improve & warm
    miss_write = improve & ~warm & writes_billed
    new_read = np.where(hit, cacheable, np.where(improve, 0, read))
    new_write = np.where(miss_write, cacheable, np.where(improve, 0, write_5m + write_1h))
    one_hour = context.config.cache_ttl == "1h"
    new_input = np.where(improve, prompt - new_read - new_write, input_tokens)
    kept_5m = np.where(improve, 0, write_5m)
    kept_1h = np.where(improve, 0, write_1h)
    added = np.where(improve, new_write, 0)
    columns = {
        "input_tokens": new_input,
        "cache_read_tokens": new_read,
        "cache_write_5m_tokens": kept_5m + (0 if one_hour else added),
        "cache_write_1h_tokens": kept_1h + (added if one_hour else 0),
    }
    return columns, cacheable


def _already_saved(records: pa.Table, context: ReplayContext) -> str:
    prompt = prompt_tokens(records)
    zero = np.zeros(records.num_rows, dtype=np.int64)
    uncached = set_ints(
        records,
        {
            "input_tokens": prompt,
            "cache_read_tokens": zero,
            "cache_write_5m_tokens": zero,
            "cache_write_1h_tokens": zero,
        },
    )
    con = connect()
    try:
        cost, _ = price_records(con, context.catalog, uncached)
    finally:
        con.close()
    without = sum_usd(cost)
    now = sum_usd(arrow_to_pico(records.column("cost_usd")))
    saved = without - now
    share = f" ({saved / without:.1%} of the uncached cost)" if without else ""
    return f"Caching already saves {saved:.2f} USD over the period{share}; the saving above is what is left."


def _assumptions(context: ReplayContext) -> list[str]:
    ttl = context.config.cache_ttl
    return [
        "Anthropic: one cache breakpoint after the prefix (up to 4 are allowed); writes cost "
        f"{'2x' if ttl == '1h' else '1.25x'} input for the {ttl} TTL and reads 0.1x, from the "
        "price data where it has them; the prefix must reach the model's minimum (1,024 tokens, "
        "2,048 for Haiku 3 and 3.5, 4,096 for Haiku 4.5 and Opus 4.5).",
        "OpenAI: automatic from 1,024 tokens in 128-token steps, no write fee, read discount "
        "by model generation; the cache is assumed to live 5 minutes.",
        "Gemini: implicit caching (no write or storage fee), minimum 1,024 tokens on Flash and "
        "4,096 on Pro. Explicit caching replaces it for a provider, model and feature where "
        "creation at the input price, reads at the cache price and storage per token-hour "
        f"(TTL {context.config.gemini_explicit_ttl_seconds:,} s, moved after each request) cost "
        "less.",
        "A request reads the cache when the previous request of the same provider, model and "
        "feature came within the TTL; otherwise it writes it. Where writes carry a fee "
        "(Anthropic), a provider, model and feature is cached only if its hits save more "
        "than its writes add.",
    ]


register(PromptCaching())
