"""Exceptions raised by truecost.

Every error a user can cause derives from ``TruecostError``; the CLI prints its
message on one line and exits with the error's ``exit_status``::

    TruecostError                 exit 2 unless noted
    ├── InputError                a log file, line or value is invalid
    │   ├── UnknownFormatError    no importer recognises a file
    │   └── MissingInputError     a path does not exist or holds no logs
    ├── ConfigError               truecost.toml, a scenario or a price override is invalid
    ├── LedgerError               the ledger cannot be opened, read or written
    ├── NotifyError               a notification could not be delivered (exit 3)
    └── CacheError                the semantic cache cannot serve or store an entry
        ├── EmbeddingError        an embedding backend is missing or unreachable
        └── CacheStoreError       the cache file or Redis cannot be opened, read or written

The cache errors live in ``truecost.cache.errors``.
"""

from __future__ import annotations


class TruecostError(Exception):
    """Base class for errors caused by input, configuration or environment."""

    exit_status = 2


class InputError(TruecostError):
    """A log file, one of its lines, or a value in it is invalid."""


class UnknownFormatError(InputError):
    """No registered importer recognises a file."""


class MissingInputError(InputError):
    """A path does not exist, or a folder contains no log files."""


class ConfigError(TruecostError):
    """A configuration, scenario or price override file is invalid."""


class LedgerError(TruecostError):
    """The ledger database cannot be opened, read or written."""


class NotifyError(TruecostError):
    """A notification could not be delivered."""

    exit_status = 3
