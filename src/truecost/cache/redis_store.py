"""Cache entries in Redis, so that several gateway processes share one cache.

Keys, all under one prefix (default ``truecost:cache``):

- ``{prefix}:meta``: hash with the schema version, embedder id and dimensions;
- ``{prefix}:seq``: counter that numbers entries;
- ``{prefix}:e:{id}``: hash with one entry, its vector as little-endian float32 bytes;
- ``{prefix}:x:{partition}:{text_hash}``: id of the entry for an exact match;
- ``{prefix}:lru`` and ``{prefix}:exp``: sorted sets of ids by last use and by expiry time.

Each process keeps its own in-memory index, built when the cache opens.
NOTE: entries that another process adds later are not in this process's index until it
reopens the cache; entries it deletes are noticed at the next fetch.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import numpy.typing as npt

from truecost.cache.errors import CacheStoreError
from truecost.cache.store import (
    SCHEMA_VERSION,
    VECTOR_DTYPE,
    Entry,
    IndexedEntry,
    decode_vector,
    entry_from_values,
    parse_dimensions,
    stored_threshold,
)

_FIELDS = (
    "partition",
    "text_hash",
    "query",
    "response",
    "response_hash",
    "created_at",
    "expires_at",
    "last_used_at",
    "hits",
    "threshold",
)


class RedisStore:
    """Entries in a Redis server, all keys under ``prefix``."""

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        prefix: str = "truecost:cache",
        timeout_s: float = 1.0,
    ) -> None:
        try:
            import redis
        except ImportError as exc:
            raise CacheStoreError("the Redis store needs the package: pip install redis") from exc
        self.url = url
        # The URL as messages show it: a password in it is masked.
        self.masked_url = _masked(url)
        self.prefix = prefix
        self._errors: tuple[type[Exception], ...] = (redis.RedisError, OSError)
        self._redis: Any = redis.Redis.from_url(
            url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s
        )
        self._call(self._redis.ping)

    def bind(self, embedder_id: str, dimensions: int) -> None:
        wanted = {
            "schema_version": str(SCHEMA_VERSION),
            "embedder": embedder_id,
            "dimensions": str(dimensions),
        }
        found = {
            k.decode(): v.decode()
            for k, v in self._call(self._redis.hgetall, self._key("meta")).items()
        }
        for key, value in wanted.items():
            if key in found and found[key] != value:
                raise CacheStoreError(
                    f"Redis cache {self.prefix} at {self.masked_url} was built with {key} "
                    f"{found[key]!r}, not {value!r}; use the same backend or another prefix"
                )
        self._call(self._redis.hset, self._key("meta"), mapping=wanted)

    def insert(self, entry: Entry, vector: npt.NDArray[np.float32] | None) -> int:
        entry_id = int(self._call(self._redis.incr, self._key("seq")))
        fields: dict[str, Any] = {name: _encode(getattr(entry, name)) for name in _FIELDS}
        if vector is not None:
            fields["vector"] = np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()
        pipe = self._redis.pipeline()
        pipe.hset(self._key("e", entry_id), mapping=fields)
        pipe.set(self._exact_key(entry.partition, entry.text_hash), entry_id)
        pipe.zadd(self._key("lru"), {entry_id: entry.last_used_at})
        if entry.expires_at is not None:
            pipe.zadd(self._key("exp"), {entry_id: entry.expires_at})
        self._call(pipe.execute)
        return entry_id

    def find_exact(self, partition: str, text_hash: str) -> Entry | None:
        entry_id = self._call(self._redis.get, self._exact_key(partition, text_hash))
        return None if entry_id is None else self.fetch(int(entry_id))

    def fetch(self, entry_id: int) -> Entry | None:
        values = self._call(self._redis.hmget, self._key("e", entry_id), list(_FIELDS))
        if values[0] is None:
            return None
        return entry_from_values([entry_id, *values], f"Redis cache {self.prefix}")

    def touch(self, entry_id: int, used_at: float, hits: int, threshold: float | None) -> None:
        pipe = self._redis.pipeline()
        pipe.hset(
            self._key("e", entry_id),
            mapping={
                "last_used_at": _encode(used_at),
                "hits": hits,
                "threshold": _encode(threshold),
            },
        )
        pipe.zadd(self._key("lru"), {entry_id: used_at})
        self._call(pipe.execute)

    def delete(self, entry_ids: list[int]) -> None:
        for entry_id in entry_ids:
            values = self._call(
                self._redis.hmget, self._key("e", entry_id), ["partition", "text_hash"]
            )
            pipe = self._redis.pipeline()
            if values[0] is not None:
                exact_key = self._exact_key(values[0].decode(), values[1].decode())
                # Only unlink the exact key if it still points at this entry.
                if self._call(self._redis.get, exact_key) == str(entry_id).encode():
                    pipe.delete(exact_key)
            pipe.delete(self._key("e", entry_id))
            pipe.zrem(self._key("lru"), entry_id)
            pipe.zrem(self._key("exp"), entry_id)
            self._call(pipe.execute)

    def expired(self, now: float) -> list[int]:
        return [
            int(v) for v in self._call(self._redis.zrangebyscore, self._key("exp"), "-inf", now)
        ]

    def least_recently_used(self, count: int) -> list[int]:
        return [int(v) for v in self._call(self._redis.zrange, self._key("lru"), 0, count - 1)]

    def count(self) -> int:
        return int(self._call(self._redis.zcard, self._key("lru")))

    def load_vectors(self) -> Iterator[IndexedEntry]:
        recorded = self._call(self._redis.hget, self._key("meta"), "dimensions")
        dimensions = parse_dimensions(None if recorded is None else recorded.decode("latin-1"))
        ids = [int(v) for v in self._call(self._redis.zrange, self._key("lru"), 0, -1)]
        for start in range(0, len(ids), 500):
            pipe = self._redis.pipeline()
            chunk = ids[start : start + 500]
            for entry_id in chunk:
                pipe.hmget(
                    self._key("e", entry_id), ["partition", "response_hash", "threshold", "vector"]
                )
            for entry_id, values in zip(chunk, self._call(pipe.execute), strict=True):
                if values[0] is None or values[3] is None:
                    continue
                yield IndexedEntry(
                    entry_id,
                    values[0].decode(),
                    values[1].decode(),
                    stored_threshold(values[2], entry_id, f"Redis cache {self.prefix}"),
                    self._decode_vector(entry_id, values[3], dimensions),
                )

    def close(self) -> None:
        self._redis.close()

    def clear(self) -> None:
        """Delete every key under the prefix."""
        keys = list(self._call(self._redis.scan_iter, match=f"{self.prefix}:*", count=1000))
        for start in range(0, len(keys), 500):
            self._call(self._redis.delete, *keys[start : start + 500])

    def _decode_vector(
        self, entry_id: int, blob: bytes, dimensions: int | None
    ) -> npt.NDArray[np.float32]:
        try:
            return decode_vector(blob, dimensions)
        except ValueError as exc:
            raise CacheStoreError(
                f"Redis cache {self.prefix} at {self.masked_url}: entry {entry_id} has an invalid "
                f"vector ({exc}); delete that entry (RedisStore.delete([{entry_id}])) "
                "or every entry under the prefix (RedisStore.clear())"
            ) from exc

    def _key(self, *parts: object) -> str:
        return ":".join([self.prefix, *(str(p) for p in parts)])

    def _exact_key(self, partition: str, text_hash: str) -> str:
        return self._key("x", partition, text_hash)

    def _call(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except self._errors as exc:
            raise CacheStoreError(f"Redis cache at {self.masked_url} failed: {exc}") from exc


def _encode(value: object) -> str:
    # Redis stores strings, so an empty string represents None.
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _masked(url: str) -> str:
    """Return ``url`` with the password, if any, replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))
