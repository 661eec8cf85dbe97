"""The SQL expressions of the DuckDB fast path, registered beside each provider parser.

Expressions name body fields through four helpers that :func:`compile_expression`
turns into SQL over one list of JSON values extracted per line:

- ``n(usage.prompt_tokens)``: a token count, 0 when absent; the line must hold a
  non-negative integer or nothing there, else it goes to the Python path.
- ``s(model)``: a string, NULL when absent; the line must hold a string or nothing.
- ``f(usage.total_time)``: a number as DOUBLE, NULL when absent.
- ``j(usage)``: the raw JSON value, NULL when absent.

``shape`` mirrors the parser's ``matches`` so both paths pick the same parser.
``eligible`` holds for exactly the lines the Python path would turn into one
record without flags; every other line is read by the Python path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields

_HELPER = re.compile(r"\b([nsfj])\(([A-Za-z0-9_.]+)\)")

# JSON types (as json_type names them) a field may have for the SQL path to take the line.
_ALLOWED_TYPES = {
    "n": "('UBIGINT', 'NULL')",
    "s": "('VARCHAR', 'NULL')",
    "f": "('UBIGINT', 'BIGINT', 'DOUBLE', 'NULL')",
}


@dataclass(frozen=True, slots=True)
class BulkSql:
    """SQL expressions producing the columns of a parser's records, one per output column."""

    shape: str
    eligible: str
    response_id: str
    model: str
    created: str = "NULL"
    input_tokens: str = "0"
    cache_read_tokens: str = "0"
    cache_write_5m_tokens: str = "0"
    cache_write_1h_tokens: str = "0"
    output_tokens: str = "0"
    reasoning_tokens: str = "0"
    web_searches: str = "0"
    input_audio_tokens: str = "0"
    output_audio_tokens: str = "0"
    batch: str = "false"
    service_tier: str = "NULL"
    latency_ms: str = "NULL"
    status: str = "'ok'"
    reported_cost_usd: str = "NULL"

    def expressions(self) -> dict[str, str]:
        """Return the column expressions by name, ``shape`` and ``eligible`` left out."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("shape", "eligible")
        }


class PathTable:
    """The JSON paths every compiled expression reads, extracted once per line into ``v``."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.guards: dict[str, set[str]] = {}

    def index(self, path: str) -> int:
        """Return the 1-based list position of ``path`` in ``v``, adding it when new."""
        if path not in self.paths:
            self.paths.append(path)
        return self.paths.index(path) + 1

    def json_paths(self) -> list[str]:
        """Return the paths as DuckDB JSON path strings, each key quoted."""
        return ["$." + ".".join(f'"{key}"' for key in path.split(".")) for path in self.paths]


def compile_expression(expression: str, table: PathTable) -> tuple[str, set[str]]:
    """Return ``expression`` as SQL over ``v`` and the type guards its helpers need."""
    guards: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        helper, path = match.group(1), match.group(2)
        value = f"v[{table.index(path)}]"
        if helper in _ALLOWED_TYPES:
            guards.add(f"coalesce(json_type({value}), 'NULL') IN {_ALLOWED_TYPES[helper]}")
        if helper == "n":
            return f"coalesce(CAST({value} AS BIGINT), 0)"
        if helper == "s":
            return f"json_extract_string({value}, '$')"
        if helper == "f":
            return f"CAST({value} AS DOUBLE)"
        return value

    return _HELPER.sub(replace, expression), guards
