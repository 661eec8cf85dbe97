"""Time the semantic cache: index build and lookup latency at 100,000 entries, embedding rate.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/cache_speed.py [--entries 100000]
        [--lookups 1000] [--threads 0]

Entries are BANKING77-like vectors: each is a real MiniLM vector of a test-slice text plus
small noise, stored in a SQLite cache file in a temporary folder. Lookups embed a real query
with the default backend (minilm-onnx) and search the whole partition.
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import numpy as np

from truecost.cache.calibrate import PrecomputedEmbedder
from truecost.cache.embeddings import Embedder, create_embedder, normalize_rows
from truecost.cache.policy import CachePolicy
from truecost.cache.semantic import SemanticCache, digest, normalize_text, partition_key
from truecost.cache.store import Entry, SQLiteStore

SLICE = Path(__file__).resolve().parent.parent / "tests/data/banking77/slice.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=0, help="onnxruntime threads (0: all cores)")
    args = parser.parse_args()
    with SLICE.open() as handle:
        texts = [row["text"] for row in csv.DictReader(handle)]
    embedder = create_embedder(threads=args.threads)
    single = []
    for text in texts[:200]:
        started = time.perf_counter()
        embedder.embed([text])
        single.append((time.perf_counter() - started) * 1000)
    p50, p99 = np.percentile(single, [50, 99])
    print(
        f"embedding one at a time: {200 / (sum(single) / 1000):.0f} texts/s, "
        f"p50 {p50:.2f} ms, p99 {p99:.2f} ms"
    )
    started = time.perf_counter()
    base = embedder.embed(texts)
    print(
        f"embedding {len(texts)} texts in one call: {len(texts) / (time.perf_counter() - started):.0f} texts/s"
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cache.sqlite"
        _fill(path, base, args.entries, embedder.id, embedder.dimensions)
        started = time.perf_counter()
        cache = SemanticCache(embedder, SQLiteStore(path), CachePolicy(threshold=0.85, margin=0.15))
        print(
            f"open cache and build index of {args.entries} entries: "
            f"{time.perf_counter() - started:.1f} s"
        )
        times = []
        for number in range(args.lookups):
            query = texts[number % len(texts)] + f" please {number}"
            started = time.perf_counter()
            cache.get(query, feature="bench", model="m")
            times.append((time.perf_counter() - started) * 1000)
        p50, p99 = np.percentile(times, [50, 99])
        print(
            f"lookup incl. embedding over {args.lookups} queries: p50 {p50:.2f} ms, p99 {p99:.2f} ms"
        )
        cache.close()
        _time_without_embedding(path, embedder, texts, args.lookups)


def _time_without_embedding(path: Path, embedder: Embedder, texts: list[str], lookups: int) -> None:
    queries = [texts[n % len(texts)] + f" please {n}" for n in range(lookups)]
    precomputed = PrecomputedEmbedder.build(embedder, queries)
    cache = SemanticCache(precomputed, SQLiteStore(path), CachePolicy(threshold=0.85, margin=0.15))
    times = []
    for query in queries:
        started = time.perf_counter()
        cache.get(query, feature="bench", model="m")
        times.append((time.perf_counter() - started) * 1000)
    p50, p99 = np.percentile(times, [50, 99])
    print(f"lookup without embedding (vectors precomputed): p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    cache.close()


def _fill(path: Path, base: np.ndarray, count: int, embedder_id: str, dimensions: int) -> None:
    rng = np.random.default_rng(0)
    rows = rng.integers(len(base), size=count)
    vectors = normalize_rows(base[rows] + 0.08 * rng.standard_normal((count, base.shape[1])))
    store = SQLiteStore(path)
    store.bind(embedder_id, dimensions)
    partition = partition_key("bench", "m")
    for number, vector in enumerate(vectors):
        text = normalize_text(f"entry {number}")
        entry = Entry(
            0,
            partition,
            digest(text),
            text,
            f"answer {rows[number]}",
            digest(str(rows[number])),
            0.0,
            None,
            0.0,
        )
        store.insert(entry, vector)
    store.close()


if __name__ == "__main__":
    main()
