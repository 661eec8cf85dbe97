"""The SQL expressions of the DuckDB fast path, registered beside each provider parser.

Expressions name body fields through four helpers that :func:`compile_expression`
turns into SQL over the JSON values extracted once per line (see :class:`PathTable`):

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

# JSON types (as json_type names them) an f() field may have for the SQL path to take the line.
_ALLOWED_TYPES = {"f": "('UBIGINT', 'BIGINT', 'DOUBLE', 'NULL')"}


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
    """The JSON paths every compiled expression reads, each extracted once per line.

    Parsing a long body once and copying out a few top-level values is cheaper than
    copying out every path. So the line yields ``v``, the values of the top-level
    keys, and a nested path such as ``usage.prompt_tokens`` is read from the small
    ``usage`` value in a second list, ``w<k>``. Each helper use becomes one column
    (see :meth:`columns`), computed once per line however often expressions name it.
    """

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.helpers: dict[int, set[str]] = {}
        self._top_keys: list[str] = []
        self._nested: dict[str, list[str]] = {}

    def use(self, helper: str, path: str) -> int:
        """Record that ``helper`` reads ``path``; return the path's number in :attr:`paths`."""
        if path not in self.paths:
            self.paths.append(path)
            top, _, rest = path.partition(".")
            if top not in self._top_keys:
                self._top_keys.append(top)
            if rest:
                self._nested.setdefault(top, []).append(rest)
        position = self.paths.index(path) + 1
        self.helpers.setdefault(position, set()).add(helper)
        return position

    def json_paths(self) -> list[str]:
        """Return the top-level keys as DuckDB JSON path strings, the items of ``v``."""
        return [_json_path(key) for key in self._top_keys]

    def nested_columns(self) -> list[str]:
        """Return the SELECT items ``w<k>``: the nested paths read from top-level value ``k``."""
        items = []
        for top, rests in self._nested.items():
            position = self._top_keys.index(top) + 1
            paths = ", ".join(_sql_string(_json_path(rest)) for rest in rests)
            items.append(f"json_extract(v[{position}], [{paths}]) AS w{position}")
        return items

    def columns(self) -> list[str]:
        """Return the SELECT items that compute every helper column from ``v`` and ``w<k>``."""
        items: list[str] = []
        for position, helpers in sorted(self.helpers.items()):
            value = self._value(self.paths[position - 1])
            for helper in sorted(helpers):
                items.extend(_helper_columns(helper, position, value))
        return items

    def _value(self, path: str) -> str:
        top, _, rest = path.partition(".")
        position = self._top_keys.index(top) + 1
        if not rest:
            return f"v[{position}]"
        return f"w{position}[{self._nested[top].index(rest) + 1}]"


def _json_path(dotted: str) -> str:
    return "$." + ".".join(f'"{key}"' for key in dotted.split("."))


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _helper_columns(helper: str, position: int, value: str) -> list[str]:
    # json_extract writes values minified, so the JSON text shows the type in its first bytes.
    text = f"CAST({value} AS VARCHAR)"
    if helper == "j":
        return [f"{value} AS j{position}"]
    if helper == "n":
        # guard_sql checks the text t<k> together with the parser's other counts.
        return [f"{text} AS t{position}", f"coalesce(TRY_CAST({text} AS BIGINT), 0) AS n{position}"]
    if helper == "s":
        # Most strings have no escapes, and then the text between the quotes is the value.
        plain = f"starts_with({text}, '\"') AND NOT contains({text}, '\\')"
        return [
            f"CASE WHEN {plain} THEN substr({text}, 2, length({text}) - 2)"
            f" ELSE json_extract_string({value}, '$') END AS s{position}",
            f"({value} IS NULL OR {text} = 'null' OR starts_with({text}, '\"')) AS gs{position}",
        ]
    return [
        f"TRY_CAST({value} AS DOUBLE) AS f{position}",
        f"coalesce(json_type({value}), 'NULL') IN {_ALLOWED_TYPES['f']} AS gf{position}",
    ]


# A count the SQL path takes is null or has at most 10 digits, so it is below MAX_TOKENS.
# Longer counts go to the Python path, which rejects those above MAX_TOKENS.
_COUNT = "(?:null|[0-9]{1,10})"
_COUNTS = f"(?:{_COUNT}(?:,{_COUNT})*)?"


def guard_sql(guards: set[str]) -> str:
    """Return the SQL condition that is true when every guard in ``guards`` is true.

    One regular expression checks all the counts a parser reads, joined by commas,
    because one match per count costs more. concat_ws leaves out absent counts.
    """
    counts = sorted((g for g in guards if g.startswith("gn")), key=lambda g: int(g[2:]))
    others = sorted(g for g in guards if not g.startswith("gn"))
    if counts:
        texts = ", ".join(f"t{g[2:]}" for g in counts)
        others.append(f"regexp_full_match(concat_ws(',', {texts}), '{_COUNTS}')")
    return " AND ".join(others) or "true"


def compile_expression(expression: str, table: PathTable) -> tuple[str, set[str]]:
    """Return ``expression`` as SQL over the helper columns and the type guards it needs."""
    guards: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        helper, path = match.group(1), match.group(2)
        position = table.use(helper, path)
        if helper != "j":
            guards.add(f"g{helper}{position}")
        return f"{helper}{position}"

    return _HELPER.sub(replace, expression), guards
