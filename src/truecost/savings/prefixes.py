"""Find the prefix that a feature's logged prompts share, in tokens."""

from __future__ import annotations

from itertools import pairwise

import pyarrow as pa

from truecost.savings.texts import TextStore
from truecost.savings.tokens import count_tokens

# Prompts compared per feature: consecutive pairs among the first ones that have texts.
_SAMPLE = 200


def full_prompt(system: str | None, prompt: str | None) -> str:
    """Return the text a request starts with: its system prompt, then its prompt."""
    return (system or "") + (prompt or "")


def shared_prefix_tokens(records: pa.Table, texts: TextStore) -> dict[str, tuple[int, bool]]:
    """Return per feature the token count of the median prefix consecutive prompts share.

    The value is ``(tokens, estimate)``; ``estimate`` is True when the count used a
    tokenizer other than the model's own.
    """
    by_feature: dict[str, list[tuple[str, str, str]]] = {}
    ids = records.column("id").to_pylist()
    features = records.column("feature").to_pylist()
    providers = records.column("provider").to_pylist()
    models = records.column("model").to_pylist()
    for record_id, feature, provider, model in zip(ids, features, providers, models, strict=True):
        text = texts.get(record_id)
        if text is None or (text.system is None and text.prompt is None):
            continue
        samples = by_feature.setdefault(feature or "(none)", [])
        if len(samples) < _SAMPLE:
            samples.append((full_prompt(text.system, text.prompt), provider, model))
    result: dict[str, tuple[int, bool]] = {}
    for feature, samples in by_feature.items():
        if len(samples) < 2:
            continue
        lengths = sorted(common_prefix_length(a[0], b[0]) for a, b in pairwise(samples))
        median = lengths[len(lengths) // 2]
        first, provider, model = samples[0]
        count = count_tokens(first[:median], provider, model)
        result[feature] = (count.tokens, count.estimate)
    return result


def common_prefix_length(first: str, second: str) -> int:
    """Return how many leading characters two strings share."""
    limit = min(len(first), len(second))
    for index in range(limit):
        if first[index] != second[index]:
            return index
    return limit
