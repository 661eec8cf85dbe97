"""Gemini explicit caching: pay storage per token-hour to make every read within the TTL a hit.

Implicit caching (what ``prompt_caching`` replays for Gemini by default) has no fee but
no guarantee: a request only hits while the provider still keeps the prefix. Explicit
caching guarantees the hit for the cache's TTL and bills three things (sources in
``truecost.savings.provider_rules.GEMINI_EXPLICIT_SOURCES``):

- creation: the cached tokens at the standard input price, once per cache;
- reads: the cached tokens at the cache read price, on every request that uses it;
- storage: the cached tokens per hour the cache is kept.

The replay keeps one cache per provider, model and feature. It is created by the first
request, its expiry is moved to TTL after each request (the API lets a cache's expiry
be updated), and a request after a gap longer than the TTL creates it again. Storage
is billed from creation to the last request plus the TTL. A stream switches to explicit
caching only when that costs less than the implicit replay, priced row by row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pyarrow as pa

from truecost.duckdb_connection import connect
from truecost.savings.base import ReplayContext
from truecost.savings.columns import IntArray, gaps_seconds, prompt_tokens, set_ints
from truecost.savings.money import PicoArray, sum_usd
from truecost.savings.pricer import price_records

EXPLICIT_PROVIDERS = ("gemini", "vertex")
_SECONDS_PER_HOUR = 3600
NO_STORAGE_PRICE = (
    "Gemini explicit caching is not compared: the price data has no storage price; set "
    "[savings] gemini_storage_usd_per_mtok_hour from Google's price list for the model."
)


@dataclass
class ExplicitPlan:
    """The cache columns after choosing, per stream, explicit or implicit caching."""

    columns: dict[str, IntArray]
    storage_pico: PicoArray | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Sessions:
    """Cache lifetimes of the candidate rows: which row creates a cache, and storage per row."""

    creates: np.ndarray
    storage_pico: PicoArray
    hours: np.ndarray


def plan_explicit_caching(
    records: pa.Table,
    cacheable: IntArray,
    group: IntArray,
    keys: list[tuple[str, ...]],
    implicit: dict[str, IntArray],
    context: ReplayContext,
) -> ExplicitPlan:
    """Return ``implicit`` with explicit caching swapped in for the streams where it costs less."""
    streams = _streams(cacheable, group, keys)
    if not streams:
        return ExplicitPlan(implicit)
    rate = context.config.gemini_storage_usd_per_mtok_hour
    if rate is None:
        return ExplicitPlan(implicit, notes=[NO_STORAGE_PRICE])
    candidate = np.zeros(records.num_rows, dtype=np.bool_)
    for index, prefix in streams.items():
        candidate |= (group == index) & (cacheable == prefix)
    ttl = context.config.gemini_explicit_ttl_seconds
    subset = records.filter(pa.array(candidate))
    sub_group = group[candidate]
    sessions = _sessions(subset, cacheable[candidate], sub_group, ttl, rate)
    explicit = _explicit_columns(subset, cacheable[candidate], sessions.creates)
    implicit_sub = {name: values[candidate] for name, values in implicit.items()}
    cost_implicit, priced_implicit = _price(subset, implicit_sub, context)
    cost_explicit, priced_explicit = _price(subset, explicit, context)

    chosen_sub = np.zeros(subset.num_rows, dtype=np.bool_)
    notes: list[str] = []
    for index, prefix in streams.items():
        rows = sub_group == index
        if not (priced_implicit[rows].all() and priced_explicit[rows].all()):
            continue
        implicit_usd = sum_usd(cost_implicit[rows])
        explicit_usd = sum_usd(cost_explicit[rows] + sessions.storage_pico[rows])
        if explicit_usd < implicit_usd:
            chosen_sub |= rows
        notes.append(
            _describe(keys[index], prefix, sessions, rows, implicit_usd, explicit_usd, ttl)
        )

    columns = {name: values.copy() for name, values in implicit.items()}
    positions = np.flatnonzero(candidate)[chosen_sub]
    for name, values in explicit.items():
        columns[name][positions] = values[chosen_sub]
    storage = np.zeros(records.num_rows, dtype=np.int64)
    storage[positions] = sessions.storage_pico[chosen_sub]
    return ExplicitPlan(columns, storage if positions.size else None, notes)


def _price(
    records: pa.Table, columns: dict[str, IntArray], context: ReplayContext
) -> tuple[PicoArray, np.ndarray]:
    con = connect()
    try:
        return price_records(con, context.catalog, set_ints(records, columns))
    finally:
        con.close()


def _streams(cacheable: IntArray, group: IntArray, keys: list[tuple[str, ...]]) -> dict[int, int]:
    """Return the Gemini streams with a cacheable prefix and that prefix, in tokens."""
    streams: dict[int, int] = {}
    for index, (provider, *_rest) in enumerate(keys):
        if provider not in EXPLICIT_PROVIDERS:
            continue
        prefix = int(cacheable[group == index].max(initial=0))
        if prefix > 0:
            streams[index] = prefix
    return streams


def _sessions(
    records: pa.Table, prefix: IntArray, group: IntArray, ttl: int, rate: Decimal
) -> _Sessions:
    """Split each stream where the gap exceeds the TTL and bill each cache's storage to its creator."""
    creates = gaps_seconds(records, group) > ttl
    ts = np.asarray(records.column("ts").cast(pa.int64()).to_numpy(), dtype=np.int64)
    order = np.lexsort((ts, group))
    starts_sorted = creates[order]
    session_sorted = np.cumsum(starts_sorted) - 1
    first_us = ts[order][starts_sorted]
    last_us = np.full(len(first_us), np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(last_us, session_sorted, ts[order])
    alive_us = last_us - first_us + ttl * 1_000_000
    storage = np.zeros(records.num_rows, dtype=np.int64)
    hours = np.zeros(records.num_rows, dtype=np.float64)
    creators = order[starts_sorted]
    for row, micros in zip(creators.tolist(), alive_us.tolist(), strict=True):
        # tokens x USD per million tokens per hour x hours, in picodollars: tokens x rate x s / 3600.
        pico = Decimal(int(prefix[row]) * micros) * rate / _SECONDS_PER_HOUR
        storage[row] = int(pico.to_integral_value(rounding=ROUND_HALF_EVEN))
        hours[row] = micros / 3.6e9
    return _Sessions(creates, storage, hours)


def _explicit_columns(
    records: pa.Table, prefix: IntArray, creates: np.ndarray
) -> dict[str, IntArray]:
    """Return cache columns where every request reads the prefix and a creating one also pays it as input."""
    prompt = prompt_tokens(records)
    zero = np.zeros(records.num_rows, dtype=np.int64)
    rest = prompt - prefix
    return {
        "input_tokens": np.where(creates, rest + prefix, rest),
        "cache_read_tokens": prefix.astype(np.int64),
        "cache_write_5m_tokens": zero,
        "cache_write_1h_tokens": zero,
    }


def _describe(
    key: tuple[str, ...],
    prefix: int,
    sessions: _Sessions,
    rows: np.ndarray,
    implicit_usd: Decimal,
    explicit_usd: Decimal,
    ttl: int,
) -> str:
    provider, model, feature = key
    created = int(sessions.creates[rows].sum())
    hours = float(sessions.hours[rows].sum())
    storage = sum_usd(sessions.storage_pico[rows])
    choice = "explicit caching chosen" if explicit_usd < implicit_usd else "implicit caching kept"
    return (
        f"{feature} on {provider}:{model}: an explicit cache of {prefix:,} tokens with a "
        f"{ttl:,} s TTL is created {created:,} times and kept {hours:,.1f} hours "
        f"(storage {storage:.6f} USD); cost with explicit caching {explicit_usd:.6f} USD "
        f"against {implicit_usd:.6f} USD with implicit caching, so {choice}."
    )
