"""When a nearest neighbour counts as a hit: the cache policy and the per-entry thresholds.

A semantic hit needs two things. The nearest entry's similarity must reach the threshold
(the entry's own learned threshold in the error-bounded mode, else the policy's). And it must
beat, by at least ``margin``, every entry among the ``neighbours`` nearest whose response
differs from the nearest one's: a query that sits between two cached answers is ambiguous and
misses, however close it is to either.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CachePolicy:
    """Thresholds and limits of a semantic cache. Similarities are cosine, in [-1, 1]."""

    threshold: float = 0.95
    margin: float = 0.0
    neighbours: int = 10
    ttl_s: float | None = 7 * 24 * 3600.0
    max_entries: int = 100_000
    # Texts longer than this many characters are cached by exact match only.
    max_chars: int = 4_000
    # Error-bounded mode: each entry learns its own threshold from observed right and wrong
    # matches, never going below ``learn_floor``.
    learn_thresholds: bool = False
    learn_floor: float = 0.85
    learn_min_correct: int = 3
    learn_step: float = 0.01

    def __post_init__(self) -> None:
        for name in ("threshold", "learn_floor"):
            value = getattr(self, name)
            if not -1.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a cosine similarity in [-1, 1], got {value}")
        if self.margin < 0:
            raise ValueError(f"margin must be >= 0, got {self.margin}")
        if self.neighbours < 1 or self.max_entries < 1 or self.max_chars < 1:
            raise ValueError("neighbours, max_entries and max_chars must be >= 1")
        if self.ttl_s is not None and self.ttl_s <= 0:
            raise ValueError(f"ttl_s must be > 0 or None, got {self.ttl_s}")


@dataclass(slots=True)
class EntryEvidence:
    """Matches observed for one entry: similarity of each query whose right answer is known."""

    correct: list[float] = field(default_factory=list)
    max_wrong: float = -1.0


def learned_threshold(evidence: EntryEvidence, policy: CachePolicy) -> float:
    """Return the threshold an entry earns from its evidence.

    It starts at the policy's threshold and stays above the highest similarity at which a
    wrong match was seen (plus ``learn_step``). Once at least ``learn_min_correct`` right
    matches lie above that, it drops to the lowest of them, but never below ``learn_floor``.
    """
    above_wrong = [s for s in evidence.correct if s > evidence.max_wrong]
    guard = evidence.max_wrong + policy.learn_step
    if len(above_wrong) >= policy.learn_min_correct:
        return max(min(above_wrong), guard, policy.learn_floor)
    return max(policy.threshold, guard)


# The miss reason when the nearest entry is too close to one with another response.
AMBIGUOUS = "ambiguous"


def is_hit(
    nearest_similarity: float,
    conflict_similarity: float | None,
    threshold: float,
    margin: float,
) -> tuple[bool, str]:
    """Decide a semantic hit; the string names why it missed ("" for a hit)."""
    # "not >=" rather than "<", so that a NaN similarity is a miss too.
    if not nearest_similarity >= threshold:
        return False, "below-threshold"
    if conflict_similarity is not None and nearest_similarity - conflict_similarity < margin:
        return False, AMBIGUOUS
    return True, ""
