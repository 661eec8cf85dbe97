"""Embedders for cache tests whose vectors are chosen by hand, so boundaries are exact."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from truecost.cache.embeddings import Vectors, normalize_rows


class TableEmbedder:
    """Returns the vector listed for each text; a text not listed raises KeyError."""

    def __init__(self, vectors: dict[str, list[float]], max_chars: int = 1000) -> None:
        self._vectors = vectors
        self._max_chars = max_chars
        self.calls = 0

    @property
    def id(self) -> str:
        return "test/table"

    @property
    def dimensions(self) -> int:
        return len(next(iter(self._vectors.values())))

    def fits(self, text: str) -> bool:
        return len(text) <= self._max_chars

    def knows_words(self, text: str) -> bool:
        return "[UNK]" not in text

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        return normalize_rows(np.array([self._vectors[t] for t in texts], dtype=np.float32))


def unit_at(similarity: float) -> list[float]:
    """A 2-d unit vector whose dot product with [1, 0] is ``similarity``."""
    return [similarity, float(np.sqrt(max(0.0, 1.0 - similarity * similarity)))]
