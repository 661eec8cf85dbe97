"""Calibrate a cache policy for one embedding backend on labeled data.

Two measurements are made. The pair curve scores random pairs (same label: may hit; different
label: must not hit) and gives precision and recall per threshold. The replay streams every
text, in a shuffled order, through a real ``SemanticCache``: a miss stores the text's label as
its response, and a hit is wrong when the served label differs. Random pairs are mostly far
apart, so their precision looks perfect long before the replay's does. The policy is therefore
chosen on the replay, as the one with the most hits whose wrong-hit rate stays within the target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from truecost.cache.embeddings import Embedder, Vectors
from truecost.cache.labeled import LabeledTexts
from truecost.cache.policy import CachePolicy
from truecost.cache.semantic import SemanticCache
from truecost.errors import InputError

DEFAULT_THRESHOLDS = (0.80, 0.85, 0.90, 0.93, 0.95, 0.97, 0.98)
DEFAULT_MARGINS = (0.0, 0.05, 0.10, 0.15, 0.20)


class PrecomputedEmbedder:
    """Vectors computed once for a known set of texts; used to replay many policies quickly."""

    def __init__(self, source: Embedder, texts: Sequence[str], vectors: Vectors) -> None:
        self._id = source.id
        self._dimensions = source.dimensions
        self._fits = {text: source.fits(text) for text in set(texts)}
        self._known = {text: source.knows_words(text) for text in set(texts)}
        self._rows = {text: row for row, text in enumerate(texts)}
        self._vectors = vectors

    @classmethod
    def build(cls, source: Embedder, texts: Sequence[str]) -> PrecomputedEmbedder:
        return cls(source, texts, source.embed(list(texts)))

    @property
    def id(self) -> str:
        return self._id

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def fits(self, text: str) -> bool:
        return self._fits[text]

    def knows_words(self, text: str) -> bool:
        return self._known[text]

    def embed(self, texts: Sequence[str]) -> Vectors:
        return self._vectors[[self._rows[text] for text in texts]]


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """Pair-curve measurement at one threshold."""

    threshold: float
    precision: float
    recall: float


@dataclass(frozen=True, slots=True)
class ReplayScore:
    """Replay of labeled texts through the cache under one policy."""

    policy: CachePolicy
    queries: int
    hits: int
    wrong_hits: int

    @property
    def hit_rate(self) -> float:
        return self.hits / self.queries if self.queries else 0.0

    @property
    def wrong_rate(self) -> float:
        """Share of hits that served another label's answer."""
        return self.wrong_hits / self.hits if self.hits else 0.0


def pair_curve(
    data: LabeledTexts,
    embedder: PrecomputedEmbedder,
    pairs: int = 5000,
    seed: int = 0,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
) -> list[CurvePoint]:
    """Precision and recall of ``similarity >= threshold`` on random same/different pairs."""
    rng = np.random.default_rng(seed)
    labels = np.array(data.labels)
    by_label: dict[str, list[int]] = {}
    for row, label in enumerate(data.labels):
        by_label.setdefault(label, []).append(row)
    groups = [rows for rows in by_label.values() if len(rows) > 1]
    same = [
        tuple(rng.choice(groups[rng.integers(len(groups))], 2, replace=False)) for _ in range(pairs)
    ]
    different: list[tuple[int, int]] = []
    while len(different) < pairs:
        a, b = (int(x) for x in rng.integers(len(labels), size=2))
        if labels[a] != labels[b]:
            different.append((a, b))
    vectors = embedder.embed(data.texts)
    similar = np.array([vectors[a] @ vectors[b] for a, b in same + different])
    positive = np.array([True] * len(same) + [False] * len(different))
    points = []
    for threshold in thresholds:
        predicted = similar >= threshold
        true_hits = int((predicted & positive).sum())
        precision = true_hits / int(predicted.sum()) if predicted.any() else 1.0
        points.append(CurvePoint(threshold, precision, true_hits / len(same)))
    return points


def replay(
    data: LabeledTexts, embedder: PrecomputedEmbedder, policy: CachePolicy, seed: int = 0
) -> ReplayScore:
    """Stream the texts in a shuffled order through a fresh in-memory cache."""
    cache = SemanticCache(embedder, policy=replace(policy, ttl_s=None, max_entries=10**9))
    order = np.random.default_rng(seed).permutation(len(data.texts))
    hits = wrong = 0
    for row in order:
        text, label = data.texts[row], data.labels[row]
        lookup = cache.get(text, feature="replay", model="replay")
        if lookup.hit:
            hits += 1
            wrong += lookup.response != label
        else:
            cache.put(text, label, feature="replay", model="replay")
    cache.close()
    return ReplayScore(policy, len(order), hits, wrong)


def sweep(
    data: LabeledTexts,
    embedder: PrecomputedEmbedder,
    base: CachePolicy,
    seed: int = 0,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    margins: Sequence[float] = (0.0,),
) -> list[ReplayScore]:
    """Replay every combination of threshold and margin."""
    return [
        replay(data, embedder, replace(base, threshold=t, margin=m), seed)
        for t in thresholds
        for m in margins
    ]


def best_within(scores: Sequence[ReplayScore], target_wrong_rate: float) -> ReplayScore | None:
    """Return the score with the most hits whose wrong-hit rate is at most the target."""
    eligible = [s for s in scores if s.hits and s.wrong_rate <= target_wrong_rate]
    return max(eligible, key=lambda s: (s.hits, s.policy.threshold), default=None)


@dataclass(frozen=True, slots=True)
class Calibration:
    """Every measurement of one backend on one labeled data set, and the chosen policies."""

    embedder_id: str
    source: str
    target_wrong_rate: float
    seed: int
    curve: list[CurvePoint]
    fixed: list[ReplayScore]
    margin: list[ReplayScore]
    learned: list[ReplayScore]

    @property
    def pair_threshold(self) -> float | None:
        """Lowest threshold whose pair precision meets the target (what pairs alone suggest)."""
        return next(
            (p.threshold for p in self.curve if 1.0 - p.precision <= self.target_wrong_rate), None
        )

    def best(self, scores: Sequence[ReplayScore]) -> ReplayScore | None:
        return best_within(scores, self.target_wrong_rate)

    @property
    def recommended(self) -> ReplayScore | None:
        """The replay with the most hits within the target, over all three policy kinds."""
        return best_within([*self.fixed, *self.margin, *self.learned], self.target_wrong_rate)


# Fewer texts than this give a replay with too few hits to estimate a wrong-hit share.
MIN_TEXTS = 20


def _check_enough(data: LabeledTexts) -> None:
    """Raise ``InputError`` unless the data has repeated labels and two or more labels."""
    counts: dict[str, int] = {}
    for label in data.labels:
        counts[label] = counts.get(label, 0) + 1
    if len(data.texts) < MIN_TEXTS or len(counts) < 2 or max(counts.values()) < 2:
        raise InputError(
            f"{data.source}: {len(data.texts)} texts with {len(counts)} labels are too few to "
            f"calibrate; give at least {MIN_TEXTS} texts, two or more labels, and some label "
            "more than once (raise --limit)"
        )


def calibrate(
    data: LabeledTexts,
    embedder: PrecomputedEmbedder,
    target_wrong_rate: float = 0.01,
    seed: int = 0,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    margins: Sequence[float] = DEFAULT_MARGINS,
) -> Calibration:
    """Measure the pair curve and replay fixed, margin and learned policies."""
    _check_enough(data)
    base = CachePolicy()
    positive_margins = [m for m in margins if m > 0]
    learned_base = replace(base, learn_thresholds=True)
    return Calibration(
        embedder_id=embedder.id,
        source=data.source,
        target_wrong_rate=target_wrong_rate,
        seed=seed,
        curve=pair_curve(data, embedder, seed=seed, thresholds=thresholds),
        fixed=sweep(data, embedder, base, seed, thresholds),
        margin=sweep(data, embedder, base, seed, thresholds, positive_margins),
        learned=sweep(data, embedder, learned_base, seed, thresholds),
    )
