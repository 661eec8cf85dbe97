"""Replay logged queries through the cache in time order: what it would have saved.

Each record is a call the team paid for. Replayed in time order with the cache's clock set to
the record's timestamp (so TTLs expire as they would have), a hit is a call that would not
have reached the provider, and its cost is saved. Wrong answers cannot be seen in logs, so
they are estimated: semantic hits times the wrong-hit rate the policy was calibrated at.
Exact hits (same normalized text in the same partition) are counted as right.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from truecost.cache.embeddings import Embedder
from truecost.cache.policy import CachePolicy
from truecost.cache.semantic import SemanticCache
from truecost.cache.store import CacheStore

SECONDS_PER_MONTH = 30 * 24 * 3600


@dataclass(frozen=True, slots=True)
class QueryRecord:
    """One logged call: when, in which context, what was asked and what it cost."""

    timestamp: datetime
    feature: str
    model: str
    query: str
    cost_usd: Decimal
    system_prompt: str = ""
    # The logged response. Without it the record id is used instead, so no two responses compare equal.
    response: str | None = None
    id: str = ""


# A replay shorter than a day is not scaled up to a month: the estimate would be noise.
MIN_SCALED_SPAN_S = 86_400


@dataclass(frozen=True, slots=True)
class CacheSavings:
    """The outcome of replaying calls through the cache: hits, savings and expected wrong answers."""

    queries: int
    exact_hits: int
    semantic_hits: int
    saved_usd: Decimal
    expected_wrong_hits: float
    expected_wrong_per_month: float
    wrong_rate_assumed: float
    span_s: float
    hit_ids: list[str] = field(default_factory=list)

    @property
    def hits(self) -> int:
        return self.exact_hits + self.semantic_hits

    @property
    def hit_rate(self) -> float:
        return self.hits / self.queries if self.queries else 0.0


def replay_records(
    records: Iterable[QueryRecord],
    embedder: Embedder,
    policy: CachePolicy,
    wrong_rate: float,
    store: CacheStore | None = None,
) -> CacheSavings:
    """Replay ``records`` in time order; ``wrong_rate`` is the calibrated wrong-hit rate."""
    ordered = sorted(records, key=lambda r: r.timestamp)
    now = [0.0]
    cache = SemanticCache(embedder, store, policy=replace(policy), clock=lambda: now[0])
    saved = Decimal(0)
    exact = semantic = 0
    hit_ids: list[str] = []
    for number, record in enumerate(ordered):
        now[0] = record.timestamp.timestamp()
        context = {
            "feature": record.feature,
            "model": record.model,
            "system_prompt": record.system_prompt,
        }
        lookup = cache.get(record.query, **context)
        if lookup.hit:
            exact += lookup.kind == "exact"
            semantic += lookup.kind == "semantic"
            saved += record.cost_usd
            hit_ids.append(record.id)
            continue
        response = (
            record.response if record.response is not None else f"record {record.id or number}"
        )
        cache.put(record.query, response, **context)
    cache.close()
    span_s = (ordered[-1].timestamp - ordered[0].timestamp).total_seconds() if ordered else 0.0
    expected_wrong = semantic * wrong_rate
    scaled = span_s >= MIN_SCALED_SPAN_S
    per_month = expected_wrong * SECONDS_PER_MONTH / span_s if scaled else expected_wrong
    return CacheSavings(
        len(ordered), exact, semantic, saved, expected_wrong, per_month, wrong_rate, span_s, hit_ids
    )
