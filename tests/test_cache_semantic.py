"""The semantic cache with an in-memory store, a cache file and hand-made vectors."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from cache_helpers import (
    FIVE_ENTRIES,
    TableEmbedder,
    set_stored_vector,
    unit_at,
    write_cache_file,
)
from truecost.cache.errors import CacheStoreError, EmbeddingError
from truecost.cache.policy import CachePolicy
from truecost.cache.semantic import SemanticCache, normalize_text, partition_key
from truecost.cache.store import SQLiteStore

CONTEXT = {"feature": "support", "model": "gpt-4o-mini"}


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def make_cache(vectors: dict[str, list[float]], **policy: object) -> SemanticCache:
    return SemanticCache(TableEmbedder(vectors), policy=CachePolicy(**policy))  # type: ignore[arg-type]


def test_normalize_text_folds_case_space_punctuation() -> None:
    assert normalize_text("  What ARE your\n hours?? ") == "what are your hours"
    assert normalize_text("?!.") == ""
    assert normalize_text("Ｈｏｕｒｓ") == "hours"


def test_partition_key_separates_every_part() -> None:
    keys = {
        partition_key("a", "m"),
        partition_key("a", "m", "sys"),
        partition_key("b", "m"),
        partition_key("a", "n"),
    }
    assert len(keys) == 4


def test_exact_hit_after_put() -> None:
    cache = make_cache({"Hello?": [1.0, 0.0]})
    entry_id = cache.put("Hello?", "hi there", **CONTEXT)
    lookup = cache.get("  hello ", **CONTEXT)
    assert lookup.kind == "exact"
    assert lookup.response == "hi there"
    assert lookup.entry_id == entry_id


def test_semantic_hit_above_threshold_miss_below() -> None:
    vectors = {"a": [1.0, 0.0], "at": unit_at(0.9501), "below": unit_at(0.9499)}
    cache = make_cache(vectors, threshold=0.95)
    cache.put("a", "answer a", **CONTEXT)
    hit = cache.get("at", **CONTEXT)
    assert hit.kind == "semantic"
    assert hit.response == "answer a"
    miss = cache.get("below", **CONTEXT)
    assert miss.kind == "miss"
    assert miss.reason == "below-threshold"
    assert miss.nearest_id == hit.entry_id


def test_answers_never_cross_partitions() -> None:
    cache = make_cache({"q": [1.0, 0.0]})
    cache.put("q", "support answer", feature="support", model="m", system_prompt="A")
    assert cache.get("q", feature="support", model="m", system_prompt="B").hit is False
    assert cache.get("q", feature="billing", model="m", system_prompt="A").hit is False
    assert cache.get("q", feature="support", model="other", system_prompt="A").hit is False
    assert cache.get("q", feature="support", model="m", system_prompt="A").hit is True


def test_margin_rejects_query_between_two_answers() -> None:
    vectors = {"used": [1.0, 0.0, 0.0], "took": [0.96, 0.28, 0.0], "ask": [0.99, 0.141, 0.0]}
    cache = make_cache(vectors, threshold=0.9, margin=0.05)
    cache.put("used", "card used by someone: freeze it", **CONTEXT)
    cache.put("took", "card stolen: report it", **CONTEXT)
    lookup = cache.get("ask", **CONTEXT)
    assert lookup.kind == "miss"
    assert lookup.reason == "ambiguous"


def test_margin_allows_neighbours_with_same_answer() -> None:
    vectors = {"a1": [1.0, 0.0, 0.0], "a2": [0.96, 0.28, 0.0], "q": [0.99, 0.141, 0.0]}
    cache = make_cache(vectors, threshold=0.9, margin=0.05)
    cache.put("a1", "same answer", **CONTEXT)
    cache.put("a2", "Same answer.", **CONTEXT)
    assert cache.get("q", **CONTEXT).kind == "semantic"


def test_ttl_expires_at_boundary() -> None:
    clock = Clock()
    cache = SemanticCache(
        TableEmbedder({"q": [1.0, 0.0], "p": unit_at(0.99)}),
        policy=CachePolicy(ttl_s=60.0),
        clock=clock,
    )
    cache.put("q", "answer", **CONTEXT)
    clock.now += 59.999
    assert cache.get("q", **CONTEXT).kind == "exact"
    assert cache.get("p", **CONTEXT).kind == "semantic"
    clock.now += 0.001
    assert cache.get("p", **CONTEXT).reason == "expired"
    assert cache.get("q", **CONTEXT).kind == "miss"
    assert cache.stats().entries == 0


def test_size_limit_evicts_least_recently_used() -> None:
    clock = Clock()
    vectors = {name: [float(i + 1), 1.0] for i, name in enumerate("abcd")}
    cache = SemanticCache(
        TableEmbedder(vectors), policy=CachePolicy(max_entries=3, threshold=1.0), clock=clock
    )
    for name in "abc":
        clock.now += 1
        cache.put(name, name.upper(), **CONTEXT)
    clock.now += 1
    assert cache.get("a", **CONTEXT).kind == "exact"
    clock.now += 1
    cache.put("d", "D", **CONTEXT)
    stats = cache.stats()
    assert stats.entries == 3
    assert stats.evictions == 1
    assert cache.get("b", **CONTEXT).kind == "miss"
    assert cache.get("a", **CONTEXT).kind == "exact"


def test_empty_query_misses_and_is_not_stored() -> None:
    cache = make_cache({"x": [1.0, 0.0]})
    assert cache.put("  ?? ", "answer", **CONTEXT) is None
    lookup = cache.get("", **CONTEXT)
    assert lookup.reason == "empty"
    stats = cache.stats()
    assert stats.skipped_puts == 1
    assert stats.entries == 0


def test_huge_query_is_cached_by_exact_match_only() -> None:
    huge = "word " * 300
    embedder = TableEmbedder({"short": [1.0, 0.0]}, max_chars=1000)
    cache = SemanticCache(embedder)
    cache.put(huge, "long answer", **CONTEXT)
    assert embedder.calls == 0
    assert cache.get(huge, **CONTEXT).kind == "exact"
    other = huge + "more"
    assert cache.get(other, **CONTEXT).reason == "too-long"


class FailingEmbedder(TableEmbedder):
    def embed(self, texts: object) -> object:  # type: ignore[override]
        raise EmbeddingError("embeddings endpoint http://127.0.0.1:9/embeddings failed")


def test_failing_embedder_gives_miss_not_crash() -> None:
    cache = SemanticCache(FailingEmbedder({"q": [1.0, 0.0]}))
    assert cache.put("q", "a", **CONTEXT) is None
    lookup = cache.get("other", **CONTEXT)
    assert lookup.kind == "miss"
    stats = cache.stats()
    assert stats.errors == 1
    assert stats.miss_reasons == {"no-entries": 1}


def test_cache_file_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    vectors = {"q": [1.0, 0.0], "p": unit_at(0.97)}
    cache = SemanticCache(TableEmbedder(vectors), SQLiteStore(path))
    cache.put("q", "answer", **CONTEXT)
    cache.close()
    reopened = SemanticCache(TableEmbedder(vectors), SQLiteStore(path))
    lookup = reopened.get("p", **CONTEXT)
    assert lookup.kind == "semantic"
    assert lookup.response == "answer"


def test_corrupted_cache_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(CacheStoreError, match=r"not a readable cache.*delete it"):
        SQLiteStore(path)


@pytest.mark.parametrize(
    ("stored", "problem"),
    [
        (b"\x01\x02", "2 bytes, expected 8 for 2 float32 values"),
        (b"", "0 bytes, expected 8 for 2 float32 values"),
        (np.array([1, 0, 0], "<f4").tobytes(), "12 bytes, expected 8 for 2 float32 values"),
        (np.array([np.nan, 1], "<f4").tobytes(), "NaN or infinite values"),
        (np.array([np.inf, 1], "<f4").tobytes(), "NaN or infinite values"),
        ("text", "stored as str, expected bytes"),
    ],
    ids=["odd-length", "empty", "3-dimensions", "nan", "infinity", "text"],
)
def test_invalid_stored_vector_is_clear_error(tmp_path: Path, stored: object, problem: str) -> None:
    path = tmp_path / "cache.sqlite"
    write_cache_file(path, FIVE_ENTRIES)
    set_stored_vector(path, 1, stored)
    with pytest.raises(CacheStoreError) as raised:
        SemanticCache(TableEmbedder(FIVE_ENTRIES), SQLiteStore(path))
    message = str(raised.value)
    assert message.startswith(f"cache file {path}: entry 1 has an invalid vector")
    assert f"({problem})" in message
    assert "delete that entry (DELETE FROM entries WHERE id = 1)" in message


def test_cache_opens_after_invalid_entry_deleted(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    write_cache_file(path, FIVE_ENTRIES)
    set_stored_vector(path, 1, b"\x01\x02")
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM entries WHERE id = 1")
    cache = SemanticCache(TableEmbedder(FIVE_ENTRIES), SQLiteStore(path))
    assert cache.stats().entries == 4
    assert cache.store.fetch(1) is None
    assert cache.get("b", feature="support", model="m").response == "B"


@pytest.mark.parametrize(
    ("column", "value"),
    [("expires_at", "soon"), ("created_at", "yesterday"), ("hits", "many"), ("query", b"\xff")],
)
def test_invalid_stored_field_is_a_miss(tmp_path: Path, column: str, value: object) -> None:
    # A damaged field of a matched entry gives a miss, never an exception in the caller.
    path = tmp_path / "cache.sqlite"
    write_cache_file(path, FIVE_ENTRIES)
    with sqlite3.connect(path) as db:
        db.execute(f"UPDATE entries SET {column} = ? WHERE id = 2", (value,))
    cache = SemanticCache(TableEmbedder(FIVE_ENTRIES), SQLiteStore(path))
    lookup = cache.get("b", feature="support", model="m")
    assert lookup.response is None
    assert cache.stats().errors == 1
    assert cache.get("c", feature="support", model="m").response == "C"


@pytest.mark.parametrize("threshold", ["high", 5.0])
def test_invalid_stored_threshold_is_clear_error(tmp_path: Path, threshold: object) -> None:
    path = tmp_path / "cache.sqlite"
    write_cache_file(path, FIVE_ENTRIES)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE entries SET threshold = ? WHERE id = 1", (threshold,))
    with pytest.raises(CacheStoreError, match="entry 1 has an invalid threshold"):
        SemanticCache(TableEmbedder(FIVE_ENTRIES), SQLiteStore(path))


def test_cache_file_of_other_model_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    store = SQLiteStore(path)
    store.bind("other/model", 2)
    store.close()
    with pytest.raises(CacheStoreError, match="built with embedder 'other/model'"):
        SemanticCache(TableEmbedder({"q": [1.0, 0.0]}), SQLiteStore(path))


def test_store_error_at_runtime_is_a_miss(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    cache = SemanticCache(TableEmbedder({"q": [1.0, 0.0]}), SQLiteStore(path))
    cache.put("q", "answer", **CONTEXT)
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE entries")
    lookup = cache.get("q", **CONTEXT)
    assert lookup.reason == "error"
    assert cache.stats().errors == 1


def test_learned_threshold_drops_after_right_matches() -> None:
    side = 0.4359
    vectors = {
        "a": [1.0, 0.0, 0.0],
        "b": [0.9, side, 0.0],
        "c": [0.9, 0.0, side],
        "d": [0.9, -side, 0.0],
        "e": [0.9, 0.0, -side],
    }
    cache = make_cache(
        vectors, threshold=0.95, learn_thresholds=True, learn_floor=0.85, learn_min_correct=2
    )
    cache.put("a", "answer", **CONTEXT)
    for name in "bc":
        assert cache.get(name, **CONTEXT).reason == "below-threshold"
        cache.put(name, "answer", **CONTEXT)
    lookup = cache.get("d", **CONTEXT)
    assert lookup.kind == "semantic"
    assert lookup.response == "answer"
    assert cache.stats().learned_thresholds == 1


def test_wrong_match_keeps_learned_threshold_high() -> None:
    side = 0.4359
    vectors = {
        "a": [1.0, 0.0, 0.0, 0.0],
        "x": [0.93, 0.0, 0.0, 0.3676],
        "b": [0.9, side, 0.0, 0.0],
        "c": [0.9, 0.0, side, 0.0],
        "d": [0.9, -side, 0.0, 0.0],
    }
    cache = make_cache(
        vectors, threshold=0.95, learn_thresholds=True, learn_floor=0.85, learn_min_correct=2
    )
    cache.put("a", "answer", **CONTEXT)
    cache.get("x", **CONTEXT)
    cache.put("x", "another answer", **CONTEXT)
    for name in "bc":
        cache.get(name, **CONTEXT)
        cache.put(name, "answer", **CONTEXT)
    assert cache.get("d", **CONTEXT).reason == "below-threshold"


def test_closed_store_gives_miss_not_crash() -> None:
    cache = make_cache({"q": [1.0, 0.0]})
    cache.put("q", "answer", **CONTEXT)
    cache.store.close()
    lookup = cache.get("q", **CONTEXT)
    assert lookup.reason == "error"
    assert cache.put("q", "answer", **CONTEXT) is None
    assert cache.stats().errors == 2


def test_nan_similarity_is_a_miss() -> None:
    from truecost.cache.policy import is_hit

    assert is_hit(float("nan"), None, 0.8, 0.0) == (False, "below-threshold")


def test_put_same_query_replaces_answer() -> None:
    # Two responses to one text would make every lookup near it ambiguous.
    cache = make_cache({"q": [1.0, 0.0], "p": unit_at(0.95)}, threshold=0.8, margin=0.1)
    cache.put("q", "answer A", **CONTEXT)
    cache.put("q", "answer B", **CONTEXT)
    assert cache.stats().entries == 1
    assert cache.get("q", **CONTEXT).response == "answer B"
    assert cache.get("p", **CONTEXT).response == "answer B"


def test_expired_exact_entry_reason() -> None:
    clock = Clock()
    cache = SemanticCache(
        TableEmbedder({"q": [1.0, 0.0]}), policy=CachePolicy(ttl_s=60.0), clock=clock
    )
    cache.put("q", "answer", **CONTEXT)
    clock.now += 61
    assert cache.get("q", **CONTEXT).reason == "expired"


def test_no_system_prompt_shares_empty_partition() -> None:
    cache = make_cache({"q": [1.0, 0.0]})
    cache.put("q", "answer", system_prompt=None, **CONTEXT)
    assert cache.get("q", system_prompt="", **CONTEXT).kind == "exact"
    assert cache.get("q", system_prompt=None, **CONTEXT).kind == "exact"


@pytest.mark.parametrize(
    ("old", "new", "margin"),
    [(0.95, 0.85, 0.0), (0.99, 0.9, 0.15), (0.9, 0.99, 0.15)],
    ids=["nearest", "nearest-ambiguous", "other-ambiguous"],
)
def test_expired_entry_decides_nothing(old: float, new: float, margin: float) -> None:
    # The older of two entries with different responses has expired. Whether it is the
    # nearest or only close to the nearest, the valid entry must serve the lookup.
    clock = Clock()
    vectors = {"q": [1.0, 0.0], "old": unit_at(old), "new": unit_at(new)}
    cache = SemanticCache(
        TableEmbedder(vectors),
        policy=CachePolicy(threshold=0.8, margin=margin, ttl_s=60.0),
        clock=clock,
    )
    cache.put("old", "OLD", **CONTEXT)
    clock.now += 50
    cache.put("new", "NEW", **CONTEXT)
    clock.now += 11
    lookup = cache.get("q", **CONTEXT)
    assert lookup.kind == "semantic"
    assert lookup.response == "NEW"
    assert cache.stats().entries == 1
