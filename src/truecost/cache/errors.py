"""Exceptions raised by the semantic cache.

    TruecostError (truecost.errors)
    └── CacheError                 the cache cannot serve or store an entry
        ├── EmbeddingError         an embedding backend is missing, misconfigured or unreachable
        └── CacheStoreError        the cache file or Redis server cannot be opened, read or written

``SemanticCache.get`` and ``put`` never raise these at run time: a failing backend turns a
lookup into a miss and is counted in ``stats()``. They are raised when a cache is built, so a
misconfiguration fails at start-up with one line naming the value and the fix.
"""

from __future__ import annotations

from truecost.errors import TruecostError


class CacheError(TruecostError):
    """The semantic cache cannot serve or store an entry."""


class EmbeddingError(CacheError):
    """An embedding backend is missing, misconfigured or unreachable."""


class CacheStoreError(CacheError):
    """The cache file or the Redis server cannot be opened, read or written."""
