"""The semantic cache: ``get``, ``put`` and ``stats`` for the gateway and the replays.

A lookup tries an exact match of the normalized text first, then the nearest entry by
embedding, whose similarity the index computes exactly before the policy (``policy.py``)
decides. Entries are partitioned by feature, model and system prompt, so an answer never
crosses contexts. ``get`` and ``put`` never raise for a failing store or embedding backend:
the lookup misses, the put is skipped, and ``stats().errors`` counts it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from truecost.cache.embeddings import Embedder
from truecost.cache.errors import CacheError
from truecost.cache.index import VectorIndex
from truecost.cache.lookup import CacheStats, Lookup
from truecost.cache.policy import AMBIGUOUS, CachePolicy, EntryEvidence, is_hit, learned_threshold
from truecost.cache.store import CacheStore, Entry, SQLiteStore

logger = logging.getLogger("truecost.cache")

_SPACE = re.compile(r"\s+")
_TRAILING = re.compile(r"[\s?!.]+$")
# Vectors of recent lookups, so that the put after a miss does not embed the query again.
_RECENT_VECTORS = 256


def normalize_text(text: str) -> str:
    """Fold case, Unicode forms, runs of white space and trailing ``?!.`` for exact matching."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _TRAILING.sub("", _SPACE.sub(" ", folded).strip())


def digest(*parts: str) -> str:
    """sha256 of the parts joined by a separator that normalized text cannot contain."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def partition_key(feature: str, model: str, system_prompt: str | None = "") -> str:
    """Hash a feature, model and system prompt into the partition that keeps their entries.

    No system prompt (None) and an empty one share a partition.
    """
    return digest("partition", feature, model, system_prompt or "")[:32]


@dataclass(slots=True)
class _Recent:
    vector: npt.NDArray[np.float32] | None
    nearest_id: int | None
    nearest_similarity: float | None


class SemanticCache:
    """A response cache keyed by meaning within a partition."""

    def __init__(
        self,
        embedder: Embedder,
        store: CacheStore | None = None,
        policy: CachePolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.embedder = embedder
        self.store: CacheStore = store if store is not None else SQLiteStore(":memory:")
        self.policy = policy or CachePolicy()
        self._clock = clock
        self._lock = threading.RLock()
        self._stats = CacheStats()
        self._indexes: dict[str, VectorIndex] = {}
        self._partition_of: dict[int, str] = {}
        self._response_hash: dict[int, str] = {}
        self._threshold: dict[int, float] = {}
        self._evidence: dict[int, EntryEvidence] = {}
        self._recent: OrderedDict[tuple[str, str], _Recent] = OrderedDict()
        self.store.bind(embedder.id, embedder.dimensions)
        self._load_index()
        # Entries in the store, kept here so that a put does not count them; resynced every
        # 1000 puts because another process may share the store.
        self._entry_count = self.store.count()

    def get(
        self, query: str, *, feature: str, model: str, system_prompt: str | None = ""
    ) -> Lookup:
        """Look ``query`` up in its partition; a failing backend gives a miss, never an error."""
        with self._lock:
            self._stats.lookups += 1
            try:
                lookup = self._get(query, partition_key(feature, model, system_prompt))
            except CacheError as exc:
                logger.warning("cache lookup failed, served as a miss: %s", exc)
                self._stats.errors += 1
                lookup = Lookup.miss("error")
            self._stats.count(lookup)
            return lookup

    def put(
        self,
        query: str,
        response: str,
        *,
        feature: str,
        model: str,
        system_prompt: str | None = "",
    ) -> int | None:
        """Cache ``response`` for ``query``; return the entry id, or None when skipped."""
        with self._lock:
            try:
                return self._put(query, response, partition_key(feature, model, system_prompt))
            except CacheError as exc:
                logger.warning("cache put failed, entry not stored: %s", exc)
                self._stats.errors += 1
                return None

    def stats(self) -> CacheStats:
        """Counters since the cache was opened, and the number of entries stored now."""
        with self._lock:
            snapshot = self._stats.copy()
            try:
                snapshot.entries = self.store.count()
            except CacheError:
                snapshot.entries = sum(len(index) for index in self._indexes.values())
            snapshot.learned_thresholds = len(self._threshold)
            return snapshot

    def close(self) -> None:
        self.store.close()

    # Lookup

    def _get(self, query: str, partition: str) -> Lookup:
        text = normalize_text(query)
        if not text:
            return Lookup.miss("empty")
        now = self._clock()
        exact = self.store.find_exact(partition, digest(text))
        if exact is not None and not self._expired(exact, now):
            return self._serve(exact, "exact", 1.0, now)
        if exact is not None:
            self._drop([exact.id])
        if len(query) > self.policy.max_chars or not self.embedder.fits(query):
            return Lookup.miss("too-long")
        if not self.embedder.knows_words(query):
            return Lookup.miss("unknown-words")
        index = self._indexes.get(partition)
        if index is None or len(index) == 0:
            self._remember(partition, text, None, None, None)
            return Lookup.miss("expired" if exact is not None else "no-entries")
        vector = self.embedder.embed([query])[0]
        return self._nearest(index, vector, partition, text, now)

    def _nearest(
        self,
        index: VectorIndex,
        vector: npt.NDArray[np.float32],
        partition: str,
        text: str,
        now: float,
    ) -> Lookup:
        # An expired entry (or one another process removed) that is nearest, or that makes the
        # nearest ambiguous, is dropped and the search repeated, so that it decides nothing.
        for _ in range(self.policy.neighbours):
            neighbours = index.search(vector, self.policy.neighbours)
            if not neighbours:
                break
            nearest_id, similarity = neighbours[0]
            nearest_hash = self._response_hash[nearest_id]
            conflict_id, conflict = next(
                ((key, s) for key, s in neighbours[1:] if self._response_hash[key] != nearest_hash),
                (None, None),
            )
            threshold = self._threshold.get(nearest_id, self.policy.threshold)
            hit, reason = is_hit(similarity, conflict, threshold, self.policy.margin)
            self._remember(partition, text, vector, nearest_id, similarity)
            if reason == AMBIGUOUS:
                stale = [
                    k for k in (nearest_id, conflict_id) if k is not None and not self._live(k, now)
                ]
                if stale:
                    self._drop(stale)
                    continue
            if not hit:
                return Lookup.miss(reason, nearest_id=nearest_id, similarity=similarity)
            entry = self.store.fetch(nearest_id)
            if entry is not None and not self._expired(entry, now):
                return self._serve(entry, "semantic", similarity, now)
            self._drop([nearest_id])
        self._remember(partition, text, vector, None, None)
        return Lookup.miss("expired")

    def _serve(self, entry: Entry, kind: str, similarity: float, now: float) -> Lookup:
        entry.hits += 1
        self.store.touch(entry.id, now, entry.hits, self._threshold.get(entry.id))
        return Lookup(
            kind=kind,
            response=entry.response,
            entry_id=entry.id,
            similarity=similarity,
            nearest_id=entry.id,
            reason="",
        )

    # Put

    def _put(self, query: str, response: str, partition: str) -> int | None:
        text = normalize_text(query)
        if not text:
            self._stats.skipped_puts += 1
            return None
        now = self._clock()
        # A newer response to the same text replaces the stored one, because two entries with
        # different responses at similarity 1.0 would make every lookup near them ambiguous.
        earlier = self.store.find_exact(partition, digest(text))
        if earlier is not None:
            self._drop([earlier.id])
        recent = self._recent.pop((partition, text), None)
        vector = recent.vector if recent is not None else None
        if vector is None and self._embeddable(query):
            vector = self.embedder.embed([query])[0]
        response_hash = digest(normalize_text(response))
        if recent is not None and recent.nearest_id is not None:
            self._learn(recent.nearest_id, recent.nearest_similarity or 0.0, response_hash)
        ttl = self.policy.ttl_s
        entry = Entry(
            0,
            partition,
            digest(text),
            query,
            response,
            response_hash,
            now,
            None if ttl is None else now + ttl,
            now,
        )
        entry.id = self.store.insert(entry, vector)
        if vector is not None:
            self._index_for(partition).add(entry.id, vector)
            self._partition_of[entry.id] = partition
            self._response_hash[entry.id] = response_hash
        self._stats.puts += 1
        self._enforce_limits(now)
        return entry.id

    def _learn(self, nearest_id: int, similarity: float, response_hash: str) -> None:
        """Record whether the nearest entry's answer was the right one for the missed query."""
        policy = self.policy
        if not policy.learn_thresholds or similarity < policy.learn_floor:
            return
        if nearest_id not in self._response_hash:
            return
        evidence = self._evidence.setdefault(nearest_id, EntryEvidence())
        if self._response_hash[nearest_id] == response_hash:
            evidence.correct.append(similarity)
        else:
            evidence.max_wrong = max(evidence.max_wrong, similarity)
        self._threshold[nearest_id] = learned_threshold(evidence, policy)

    def _enforce_limits(self, now: float) -> None:
        self._entry_count += 1
        if self._stats.puts % 1000 == 0:
            self._drop(self.store.expired(now))
            self._entry_count = self.store.count()
        excess = self._entry_count - self.policy.max_entries
        if excess > 0:
            # Evict 1% at a time so that a full cache does not evict on every put.
            batch = max(excess, self.policy.max_entries // 100)
            victims = self.store.least_recently_used(batch)
            self._drop(victims)
            self._stats.evictions += len(victims)

    # Bookkeeping

    def _embeddable(self, query: str) -> bool:
        """Return True when ``query`` may be embedded and matched by meaning."""
        return (
            len(query) <= self.policy.max_chars
            and self.embedder.fits(query)
            and self.embedder.knows_words(query)
        )

    def _expired(self, entry: Entry, now: float) -> bool:
        return entry.expires_at is not None and entry.expires_at <= now

    def _live(self, entry_id: int, now: float) -> bool:
        """Return True when entry ``entry_id`` is still stored and not expired."""
        entry = self.store.fetch(entry_id)
        return entry is not None and not self._expired(entry, now)

    def _drop(self, entry_ids: list[int]) -> None:
        if not entry_ids:
            return
        self.store.delete(entry_ids)
        self._entry_count = max(0, self._entry_count - len(entry_ids))
        for entry_id in entry_ids:
            partition = self._partition_of.pop(entry_id, None)
            if partition is not None:
                self._indexes[partition].remove(entry_id)
            self._response_hash.pop(entry_id, None)
            self._threshold.pop(entry_id, None)
            self._evidence.pop(entry_id, None)

    def _remember(
        self,
        partition: str,
        text: str,
        vector: npt.NDArray[np.float32] | None,
        nearest_id: int | None,
        similarity: float | None,
    ) -> None:
        self._recent[(partition, text)] = _Recent(vector, nearest_id, similarity)
        while len(self._recent) > _RECENT_VECTORS:
            self._recent.popitem(last=False)

    def _index_for(self, partition: str) -> VectorIndex:
        index = self._indexes.get(partition)
        if index is None:
            index = self._indexes[partition] = VectorIndex(self.embedder.dimensions)
        return index

    def _load_index(self) -> None:
        batches: dict[str, tuple[list[int], list[npt.NDArray[np.float32]]]] = {}
        for item in self.store.load_vectors():
            keys, vectors = batches.setdefault(item.partition, ([], []))
            keys.append(item.id)
            vectors.append(item.vector)
            self._partition_of[item.id] = item.partition
            self._response_hash[item.id] = item.response_hash
            if item.threshold is not None:
                self._threshold[item.id] = item.threshold
        for partition, (keys, vectors) in batches.items():
            self._index_for(partition).add_many(keys, np.vstack(vectors))
