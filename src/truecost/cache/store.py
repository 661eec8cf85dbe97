"""Cache entry storage: the store interface and the default store, one SQLite file.

A store keeps entries and their vectors; the cache keeps the nearest-neighbour index in memory
and rebuilds it from ``load_vectors`` when it opens. Times are Unix seconds (float). Vectors are
stored as little-endian float32 bytes, and ``load_vectors`` checks each one against the dimensions
recorded by ``bind``.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from truecost.cache.errors import CacheStoreError

SCHEMA_VERSION = 1
# Stored vectors are little-endian float32, whatever the byte order of the machine.
VECTOR_DTYPE = np.dtype("<f4")


@dataclass(slots=True)
class Entry:
    """One cached response with what the cache learned about it."""

    id: int
    partition: str
    text_hash: str
    query: str
    response: str
    # sha256 of the normalized response: two entries with equal hashes give the same answer.
    response_hash: str
    created_at: float
    expires_at: float | None
    last_used_at: float
    hits: int = 0
    # Per-entry threshold learned from observed hits (None: use the cache's threshold).
    threshold: float | None = None


@dataclass(slots=True)
class IndexedEntry:
    """The fields of an entry that the in-memory index needs."""

    id: int
    partition: str
    response_hash: str
    threshold: float | None
    vector: npt.NDArray[np.float32]


class CacheStore(Protocol):
    """Persistence for entries; implemented by ``SQLiteStore`` and ``RedisStore``."""

    def bind(self, embedder_id: str, dimensions: int) -> None:
        """Record the embedding model, or raise if the store was built with another one."""
        ...

    def insert(self, entry: Entry, vector: npt.NDArray[np.float32] | None) -> int:
        """Store ``entry`` (its ``id`` is ignored) and return the new id."""
        ...

    def find_exact(self, partition: str, text_hash: str) -> Entry | None: ...

    def fetch(self, entry_id: int) -> Entry | None: ...

    def touch(self, entry_id: int, used_at: float, hits: int, threshold: float | None) -> None:
        """Save a hit: last use, hit count and learned threshold."""
        ...

    def delete(self, entry_ids: list[int]) -> None: ...

    def expired(self, now: float) -> list[int]: ...

    def least_recently_used(self, count: int) -> list[int]: ...

    def count(self) -> int: ...

    def load_vectors(self) -> Iterator[IndexedEntry]:
        """Yield every entry that has a vector; raise ``CacheStoreError`` for an invalid one."""
        ...

    def close(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    partition TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    query TEXT NOT NULL,
    response TEXT NOT NULL,
    response_hash TEXT NOT NULL,
    vector BLOB,
    created_at REAL NOT NULL,
    expires_at REAL,
    last_used_at REAL NOT NULL,
    hits INTEGER NOT NULL DEFAULT 0,
    threshold REAL
);
CREATE INDEX IF NOT EXISTS entries_exact ON entries (partition, text_hash);
CREATE INDEX IF NOT EXISTS entries_expiry ON entries (expires_at);
CREATE INDEX IF NOT EXISTS entries_lru ON entries (last_used_at);
"""

_COLUMNS = (
    "id, partition, text_hash, query, response, response_hash, created_at, expires_at,"
    " last_used_at, hits, threshold"
)


class SQLiteStore:
    """Entries in one SQLite file (``:memory:`` for a cache that lives only in the process)."""

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        """Open or create the cache file; ``read_only`` opens an existing cache and changes nothing."""
        self.path = str(path)
        try:
            if read_only:
                uri = f"{Path(self.path).resolve().as_uri()}?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
                self._require_cache_tables()
            else:
                self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
                self._db.executescript(_SCHEMA)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as exc:
            raise CacheStoreError(
                f"cache file {self.path} is not a readable cache ({exc}). Check the path; "
                "if it is a damaged cache file, delete it to start an empty cache"
            ) from exc

    def _require_cache_tables(self) -> None:
        found = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master")}
        if not {"meta", "entries"} <= found:
            raise CacheStoreError(
                f"{self.path} is not a truecost cache file (it has no meta and entries "
                "tables); pass the file a SemanticCache was opened with"
            )

    def bind(self, embedder_id: str, dimensions: int) -> None:
        wanted = {
            "schema_version": str(SCHEMA_VERSION),
            "embedder": embedder_id,
            "dimensions": str(dimensions),
        }
        found = dict(self._query("SELECT key, value FROM meta"))
        for key, value in wanted.items():
            if key in found and found[key] != value:
                raise CacheStoreError(
                    f"cache file {self.path} was built with {key} {found[key]!r}, not {value!r}; "
                    "use the same embedding backend or another cache file"
                )
        self._execute(
            "INSERT OR IGNORE INTO meta VALUES (?, ?), (?, ?), (?, ?)",
            tuple(item for pair in wanted.items() for item in pair),
        )

    def insert(self, entry: Entry, vector: npt.NDArray[np.float32] | None) -> int:
        blob = None if vector is None else np.asarray(vector, dtype=VECTOR_DTYPE).tobytes()
        cursor = self._execute(
            "INSERT INTO entries (partition, text_hash, query, response, response_hash, vector,"
            " created_at, expires_at, last_used_at, hits, threshold)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.partition,
                entry.text_hash,
                entry.query,
                entry.response,
                entry.response_hash,
                blob,
                entry.created_at,
                entry.expires_at,
                entry.last_used_at,
                entry.hits,
                entry.threshold,
            ),
        )
        return int(cursor.lastrowid or 0)

    def find_exact(self, partition: str, text_hash: str) -> Entry | None:
        rows = self._query(
            f"SELECT {_COLUMNS} FROM entries WHERE partition = ? AND text_hash = ?"
            " ORDER BY id DESC LIMIT 1",
            (partition, text_hash),
        )
        return entry_from_values(rows[0], f"cache file {self.path}") if rows else None

    def fetch(self, entry_id: int) -> Entry | None:
        rows = self._query(f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,))
        return entry_from_values(rows[0], f"cache file {self.path}") if rows else None

    def touch(self, entry_id: int, used_at: float, hits: int, threshold: float | None) -> None:
        self._execute(
            "UPDATE entries SET last_used_at = ?, hits = ?, threshold = ? WHERE id = ?",
            (used_at, hits, threshold, entry_id),
        )

    def delete(self, entry_ids: list[int]) -> None:
        for start in range(0, len(entry_ids), 500):
            chunk = entry_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            self._execute(f"DELETE FROM entries WHERE id IN ({marks})", tuple(chunk))

    def expired(self, now: float) -> list[int]:
        rows = self._query("SELECT id FROM entries WHERE expires_at <= ?", (now,))
        return [int(row[0]) for row in rows]

    def least_recently_used(self, count: int) -> list[int]:
        rows = self._query("SELECT id FROM entries ORDER BY last_used_at, id LIMIT ?", (count,))
        return [int(row[0]) for row in rows]

    def count(self) -> int:
        return int(self._query("SELECT count(*) FROM entries")[0][0])

    def load_vectors(self) -> Iterator[IndexedEntry]:
        recorded = self._query("SELECT value FROM meta WHERE key = 'dimensions'")
        dimensions = parse_dimensions(recorded[0][0] if recorded else None)
        rows = self._query(
            "SELECT id, partition, response_hash, threshold, vector FROM entries"
            " WHERE vector IS NOT NULL"
        )
        for entry_id, partition, response_hash, threshold, blob in rows:
            try:
                vector = decode_vector(blob, dimensions)
            except ValueError as exc:
                raise CacheStoreError(
                    f"cache file {self.path}: entry {entry_id} has an invalid vector ({exc}); "
                    f"delete that entry (DELETE FROM entries WHERE id = {entry_id}) "
                    "or delete the file to start an empty cache"
                ) from exc
            yield IndexedEntry(
                int(entry_id),
                str(partition),
                str(response_hash),
                stored_threshold(threshold, entry_id, f"cache file {self.path}"),
                vector,
            )

    def close(self) -> None:
        self._db.close()

    def _execute(self, sql: str, params: tuple[object, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, params)
        except sqlite3.Error as exc:
            raise CacheStoreError(f"cache file {self.path}: {exc}") from exc

    def _query(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        return list(self._execute(sql, params).fetchall())


def parse_dimensions(value: object) -> int | None:
    """Parse the vector dimensions that ``bind`` recorded; None when missing or invalid."""
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()):
        return None
    return int(value) or None


def decode_vector(blob: object, dimensions: int | None) -> npt.NDArray[np.float32]:
    """Decode a stored vector of ``dimensions`` float32 values.

    Raises ``ValueError`` whose message names the problem: a value that is not bytes, a byte
    length other than ``dimensions`` times 4, or a NaN or infinite value. Without recorded
    ``dimensions`` no vector can be checked, so every one is rejected.
    """
    if dimensions is None:
        raise ValueError("unchecked because the cache records no valid vector dimensions")
    if not isinstance(blob, bytes):
        raise ValueError(f"stored as {type(blob).__name__}, expected bytes")
    expected = dimensions * VECTOR_DTYPE.itemsize
    if len(blob) != expected:
        raise ValueError(f"{len(blob)} bytes, expected {expected} for {dimensions} float32 values")
    vector = np.frombuffer(blob, dtype=VECTOR_DTYPE).astype(np.float32)
    if not np.isfinite(vector).all():
        raise ValueError("NaN or infinite values")
    return vector


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode()
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _number(value: object) -> float:
    if isinstance(value, bytes):
        value = value.decode()
    if not isinstance(value, int | float | str) or isinstance(value, bool):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    number = float(value)
    if math.isnan(number):
        raise ValueError("expected a number, got NaN")
    return number


def _optional_number(value: object) -> float | None:
    # Redis keeps None as an empty string.
    return None if value is None or value in ("", b"") else _number(value)


# The converter of each stored field, in the order of the fields of Entry.
_FIELD_TYPES: tuple[tuple[str, Callable[[object], object]], ...] = (
    ("id", lambda value: int(_number(value))),
    ("partition", _text),
    ("text_hash", _text),
    ("query", _text),
    ("response", _text),
    ("response_hash", _text),
    ("created_at", _number),
    ("expires_at", _optional_number),
    ("last_used_at", _number),
    ("hits", lambda value: int(_number(value))),
    ("threshold", _optional_number),
)


def entry_from_values(values: Sequence[object], where: str) -> Entry:
    """Build an ``Entry`` from its stored values, id first, in the order of its fields.

    Raises ``CacheStoreError`` naming the entry and field when a value has the wrong type,
    so that a damaged store gives a miss instead of crashing the caller.
    """
    converted: list[object] = []
    for (name, convert), value in zip(_FIELD_TYPES, values, strict=True):
        try:
            converted.append(convert(value))
        except (TypeError, ValueError, OverflowError, UnicodeDecodeError) as exc:
            raise CacheStoreError(
                f"{where}: entry {values[0]!r} has an invalid {name} ({exc}); "
                "delete that entry or the whole cache"
            ) from exc
    return Entry(*converted)  # type: ignore[arg-type]


def stored_threshold(value: object, entry_id: object, where: str) -> float | None:
    """Return an entry's learned threshold, or raise ``CacheStoreError`` for an invalid one."""
    try:
        threshold = _optional_number(value)
        # A cosine similarity lies in [-1, 1], so a threshold outside it can never be met.
        if threshold is not None and not -1.0 <= threshold <= 1.0:
            raise ValueError(f"{threshold:g} is outside -1 to 1")
        return threshold
    except (TypeError, ValueError, UnicodeDecodeError) as exc:
        raise CacheStoreError(
            f"{where}: entry {entry_id!r} has an invalid threshold ({exc}); "
            "delete that entry or the whole cache"
        ) from exc
