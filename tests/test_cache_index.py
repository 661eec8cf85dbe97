"""The in-memory vector index, in its exact and its projected mode."""

from __future__ import annotations

import numpy as np

from truecost.cache.embeddings import normalize_rows
from truecost.cache.index import VectorIndex


def random_unit(rows: int, seed: int) -> np.ndarray:
    return normalize_rows(np.random.default_rng(seed).standard_normal((rows, 32)))


def test_search_returns_exact_similarity_best_first() -> None:
    index = VectorIndex(32)
    vectors = random_unit(50, 1)
    for key, vector in enumerate(vectors):
        index.add(key, vector)
    results = index.search(vectors[7], k=3)
    assert results[0][0] == 7
    assert abs(results[0][1] - float(vectors[7] @ vectors[7])) < 1e-6
    assert results[0][1] >= results[1][1] >= results[2][1]


def test_remove_moves_last_row() -> None:
    index = VectorIndex(32)
    vectors = random_unit(3, 2)
    index.add_many([10, 11, 12], vectors)
    index.remove(10)
    assert len(index) == 2
    assert 10 not in index
    assert index.search(vectors[2])[0][0] == 12
    index.remove(99)
    assert len(index) == 2


def test_projected_mode_finds_near_duplicates() -> None:
    index = VectorIndex(32, exact_below=500, reduced_dimensions=16, candidates=64)
    base = random_unit(2000, 3)
    index.add_many(list(range(2000)), base)
    noise = normalize_rows(base[:100] + 0.05 * random_unit(100, 4))
    found = [index.search(q)[0][0] for q in noise]
    assert found == list(range(100))


def test_empty_index_returns_nothing() -> None:
    assert VectorIndex(4).search(np.ones(4, dtype=np.float32)) == []
