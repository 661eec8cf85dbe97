"""Embedders for cache tests whose vectors are chosen by hand, so boundaries are exact, and cache
files written with them."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from truecost.cache.embeddings import Vectors, normalize_rows
from truecost.cache.semantic import SemanticCache
from truecost.cache.store import SQLiteStore


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


# Texts "a" to "e" with 2-d vectors at distinct angles.
FIVE_ENTRIES = {name: [float(i + 1), 1.0] for i, name in enumerate("abcde")}


def write_cache_file(path: Path, vectors: dict[str, list[float]]) -> None:
    """Write a cache file with one entry per text of ``vectors``, its response the text upper-cased."""
    cache = SemanticCache(TableEmbedder(vectors), SQLiteStore(path))
    for text in vectors:
        cache.put(text, text.upper(), feature="support", model="m")
    cache.close()


def set_stored_vector(path: Path, entry_id: int, value: object) -> None:
    """Overwrite the vector column of one entry in a cache file, to simulate damage."""
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE entries SET vector = ? WHERE id = ?", (value, entry_id))
