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


def assert_top_k(index: VectorIndex, vectors: np.ndarray, query: np.ndarray, k: int) -> None:
    """The search returns k keys whose scores are the k highest, in order (ties in any order)."""
    scores = vectors @ query
    found = index.search(query, k)
    assert [similarity for _, similarity in found] == sorted(scores, reverse=True)[:k]
    assert [similarity for _, similarity in found] == [scores[key] for key, _ in found]
    assert len({key for key, _ in found}) == k


def test_exact_search_matches_a_full_sort() -> None:
    # 40,000 rows: two threads share the scan, and the top-k filter bounds by block maxima.
    vectors = random_unit(40_000, 5)
    # 300 near copies of one vector in consecutive rows: every top row is in one or two blocks.
    vectors[1000:1300] = normalize_rows(vectors[1000] + 0.01 * random_unit(300, 6))
    index = VectorIndex(32, exact_below=10**9)
    index.add_many(list(range(40_000)), vectors)
    for query in (vectors[1000], vectors[5], random_unit(1, 7)[0]):
        for k in (1, 10, 79, 80):
            assert_top_k(index, vectors, query, k)


def test_exact_search_of_fewer_blocks_than_k() -> None:
    # 2,000 rows are 7 blocks, fewer than k = 10: every row is a candidate.
    vectors = random_unit(2_000, 8)
    index = VectorIndex(32, exact_below=10**9)
    index.add_many(list(range(2_000)), vectors)
    assert_top_k(index, vectors, vectors[3], 10)
