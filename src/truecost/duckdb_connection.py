"""One way to open DuckDB connections, with extension downloads turned off.

DuckDB installs and loads a known extension on first use by default: opening a SQLite file,
for example, would fetch ``sqlite_scanner`` from extensions.duckdb.org. truecost reaches no
network the user did not configure, and the extensions it uses (json, icu) are built into the
Python package, so every connection turns both off.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def connect(
    path: Path | str | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open ``path`` (an in-memory database when None) with extension downloads turned off.

    The session's time zone is UTC, so timestamps come back in UTC whatever the machine's zone.
    """
    database = ":memory:" if path is None else str(path)
    connection = duckdb.connect(database, read_only=read_only, config=dict(_CONFIG))
    connection.execute("SET TimeZone = 'UTC'").fetchall()
    return connection
