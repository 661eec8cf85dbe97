"""The Redis store against the real server on 127.0.0.1:6379, under a unique key prefix."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import numpy as np
import pytest

from cache_helpers import TableEmbedder, unit_at
from conftest import require_server
from truecost.cache.errors import CacheStoreError
from truecost.cache.policy import CachePolicy
from truecost.cache.redis_store import RedisStore
from truecost.cache.semantic import SemanticCache

pytestmark = pytest.mark.redis
CONTEXT = {"feature": "support", "model": "m"}
VECTORS = {"q": [1.0, 0.0], "p": unit_at(0.97), "far": unit_at(0.2)}


@pytest.fixture
def store() -> Iterator[RedisStore]:
    require_server("Redis", "127.0.0.1", 6379)
    redis_store = RedisStore(prefix=f"truecost-test:{uuid.uuid4().hex}")
    yield redis_store
    redis_store.clear()
    redis_store.close()


def test_redis_cache_hits_and_survives_reopen(store: RedisStore) -> None:
    cache = SemanticCache(TableEmbedder(VECTORS), store)
    entry_id = cache.put("q", "answer", **CONTEXT)
    assert cache.get("q", **CONTEXT).kind == "exact"
    reopened = SemanticCache(TableEmbedder(VECTORS), RedisStore(prefix=store.prefix))
    lookup = reopened.get("p", **CONTEXT)
    assert lookup.kind == "semantic"
    assert lookup.entry_id == entry_id
    assert lookup.response == "answer"
    assert reopened.get("far", **CONTEXT).kind == "miss"


def test_redis_entry_round_trip(store: RedisStore) -> None:
    cache = SemanticCache(
        TableEmbedder(VECTORS), store, CachePolicy(ttl_s=30.0), clock=lambda: 1000.5
    )
    entry_id = cache.put("q", "answer with ünïcode", **CONTEXT)
    assert entry_id is not None
    entry = store.fetch(entry_id)
    assert entry is not None
    assert entry.response == "answer with ünïcode"
    assert entry.created_at == 1000.5
    assert entry.expires_at == 1030.5
    assert entry.threshold is None
    assert store.expired(1030.4) == []
    assert store.expired(1030.5) == [entry_id]


def test_redis_eviction_and_delete_clean_keys(store: RedisStore) -> None:
    vectors = {name: [float(i + 1), 1.0] for i, name in enumerate("abc")}
    now = [0.0]
    cache = SemanticCache(
        TableEmbedder(vectors),
        store,
        CachePolicy(max_entries=2, threshold=1.0),
        clock=lambda: now[0],
    )
    for name in "abc":
        now[0] += 1
        cache.put(name, name, **CONTEXT)
    assert store.count() == 2
    assert cache.get("a", **CONTEXT).kind == "miss"
    assert cache.get("c", **CONTEXT).kind == "exact"


def test_redis_store_of_other_model_is_rejected(store: RedisStore) -> None:
    store.bind("other/model", 2)
    with pytest.raises(CacheStoreError, match="built with embedder 'other/model'"):
        SemanticCache(TableEmbedder(VECTORS), RedisStore(prefix=store.prefix))


def test_unreachable_redis_is_clear() -> None:
    with pytest.raises(CacheStoreError, match=r"Redis cache at redis://127.0.0.1:9/0 failed"):
        RedisStore(url="redis://127.0.0.1:9/0", timeout_s=0.5)


@pytest.mark.parametrize(
    ("stored", "problem"),
    [
        (b"\x01\x02", "2 bytes, expected 8 for 2 float32 values"),
        (np.array([1, 0, 0], "<f4").tobytes(), "12 bytes, expected 8 for 2 float32 values"),
        (np.array([1, np.nan], "<f4").tobytes(), "NaN or infinite values"),
    ],
    ids=["odd-length", "3-dimensions", "nan"],
)
def test_redis_invalid_vector_is_clear_error(
    store: RedisStore, stored: bytes, problem: str
) -> None:
    import redis

    cache = SemanticCache(TableEmbedder(VECTORS), store)
    entry_id = cache.put("q", "answer", **CONTEXT)
    cache.put("far", "far answer", **CONTEXT)
    with redis.Redis() as client:
        client.hset(f"{store.prefix}:e:{entry_id}", "vector", stored)
    with pytest.raises(CacheStoreError) as raised:
        SemanticCache(TableEmbedder(VECTORS), RedisStore(prefix=store.prefix))
    message = str(raised.value)
    assert message.startswith(f"Redis cache {store.prefix} at redis://127.0.0.1:6379/0: entry")
    assert f"entry {entry_id} has an invalid vector ({problem})" in message
    assert f"RedisStore.delete([{entry_id}])" in message


def test_redis_opens_after_invalid_entry_deleted(store: RedisStore) -> None:
    import redis

    cache = SemanticCache(TableEmbedder(VECTORS), store)
    entry_id = cache.put("q", "answer", **CONTEXT)
    assert entry_id is not None
    cache.put("far", "far answer", **CONTEXT)
    with redis.Redis() as client:
        client.hset(f"{store.prefix}:e:{entry_id}", "vector", b"\x01\x02")
    store.delete([entry_id])
    reopened = SemanticCache(TableEmbedder(VECTORS), RedisStore(prefix=store.prefix))
    assert reopened.stats().entries == 1
    assert reopened.get("q", **CONTEXT).kind == "miss"
    assert reopened.get("far", **CONTEXT).response == "far answer"


@pytest.mark.parametrize(("field", "value"), [("created_at", b"x"), ("query", b"\xff\xfe")])
def test_redis_invalid_field_is_a_miss(store: RedisStore, field: str, value: bytes) -> None:
    import redis

    cache = SemanticCache(TableEmbedder(VECTORS), store)
    entry_id = cache.put("q", "answer", **CONTEXT)
    with redis.Redis() as client:
        client.hset(f"{store.prefix}:e:{entry_id}", field, value)
    lookup = cache.get("q", **CONTEXT)
    assert lookup.kind == "miss"
    assert cache.stats().errors == 1


def test_redis_error_masks_password() -> None:
    # Nothing listens on port 1, so the connection fails. The message must not show the password.
    with pytest.raises(CacheStoreError) as raised:
        RedisStore(url="redis://user:s3cret@127.0.0.1:1/0", timeout_s=0.2)
    message = str(raised.value)
    assert "s3cret" not in message
    assert "redis://user:***@127.0.0.1:1/0" in message
