"""Values the cache returns: the result of one lookup and the running counters."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

# Reasons a lookup missed, as ``Lookup.reason``.
MISS_REASONS = (
    "empty",  # the query is empty once normalized
    "too-long",  # longer than the model reads, so only an exact match can hit
    "unknown-words",  # has characters the model's vocabulary lacks (emoji, Thai), so exact only
    "no-entries",  # nothing cached in this partition
    "below-threshold",  # the nearest entry is not similar enough
    "ambiguous",  # another answer is nearly as close as the nearest entry's
    "expired",  # the nearest entry outlived its TTL or was removed
    "error",  # the store or the embedding backend failed
)


@dataclass(frozen=True, slots=True)
class Lookup:
    """The result of ``SemanticCache.get``."""

    kind: str  # "exact", "semantic" or "miss"
    response: str | None
    entry_id: int | None
    similarity: float | None
    # The nearest entry, also on a miss: the put that follows learns from it.
    nearest_id: int | None
    reason: str

    @property
    def hit(self) -> bool:
        return self.kind != "miss"

    @classmethod
    def miss(
        cls, reason: str, nearest_id: int | None = None, similarity: float | None = None
    ) -> Lookup:
        return cls("miss", None, None, similarity, nearest_id, reason)


@dataclass(slots=True)
class CacheStats:
    """Counters of one open cache."""

    lookups: int = 0
    exact_hits: int = 0
    semantic_hits: int = 0
    misses: int = 0
    errors: int = 0
    puts: int = 0
    skipped_puts: int = 0
    evictions: int = 0
    entries: int = 0
    learned_thresholds: int = 0
    miss_reasons: dict[str, int] = dataclasses.field(default_factory=dict)

    @property
    def hit_rate(self) -> float:
        return (self.exact_hits + self.semantic_hits) / self.lookups if self.lookups else 0.0

    def count(self, lookup: Lookup) -> None:
        if lookup.kind == "exact":
            self.exact_hits += 1
        elif lookup.kind == "semantic":
            self.semantic_hits += 1
        else:
            self.misses += 1
            self.miss_reasons[lookup.reason] = self.miss_reasons.get(lookup.reason, 0) + 1

    def copy(self) -> CacheStats:
        return dataclasses.replace(self, miss_reasons=dict(self.miss_reasons))
