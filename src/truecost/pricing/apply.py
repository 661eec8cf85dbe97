"""Bulk pricing in SQL: one rate row per model, kind of call, time bucket and prompt band.

Prices are resolved in Python once per distinct (provider, model, batch, service
tier, day), or per half hour for models whose price changes with the time of day,
and joined to the records in DuckDB. The arithmetic matches
``truecost.pricing.rates.cost_usd`` exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

import duckdb
import pyarrow as pa

from truecost.pricing import bundled
from truecost.pricing.catalog import PriceCatalog
from truecost.pricing.rates import CALL_RATES, TOKEN_RATES, ResolvedPrice

# Rates are stored as whole picodollars (10**-12 USD) per token or per call, so the
# cost of a call is integer arithmetic, which DuckDB runs about 50 times faster than
# DECIMAL arithmetic. A price per million tokens with up to 6 decimals is exact; finer
# prices are rounded half to even, and the rate row notes it in price_note.
_PICO_PER_USD = Decimal(10) ** 12
_PICO_PER_USD_PER_MTOK = Decimal(10) ** 6
_MAX_PROMPT = 2**62
_HALF_HOUR = timedelta(minutes=30)
_DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# The UTC day number and minute of the day of a call: integer keys that DuckDB
# hashes and compares far faster than timestamps.
DAY_NUMBER_SQL = "(epoch_us(ts) // 86400000000)"
MINUTE_OF_DAY_SQL = "((epoch_us(s.ts) // 60000000) % 1440)"


def build_rate_table(
    con: duckdb.DuckDBPyConnection, catalog: PriceCatalog, source: str
) -> pa.Table:
    """Resolve the prices of every kind of call in relation ``source`` into an Arrow rate table."""
    keys = con.execute(
        f"SELECT DISTINCT provider, model, batch, service_tier, {DAY_NUMBER_SQL} FROM {source}"
    ).fetchall()
    rows: list[dict[str, object]] = []
    for provider, model, batch, service_tier, day_number in keys:
        start = _EPOCH + timedelta(days=int(day_number))
        if bundled.has_time_of_day_prices(provider, model):
            buckets = [(start + i * _HALF_HOUR, start + (i + 1) * _HALF_HOUR) for i in range(48)]
        else:
            buckets = [(start, start + _DAY)]
        for bucket_start, bucket_end in buckets:
            price = catalog.resolve(provider, model, bucket_start, bool(batch), service_tier)
            if price is not None:
                rows.extend(
                    _rate_rows(
                        price, provider, model, batch, service_tier, bucket_start, bucket_end
                    )
                )
    return _rows_to_table(rows)


def _rate_rows(
    price: ResolvedPrice,
    provider: str,
    model: str,
    batch: bool,
    service_tier: str | None,
    bucket_start: datetime,
    bucket_end: datetime,
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    thresholds = [band.above_prompt_tokens for band in price.bands]
    for index, band in enumerate(price.bands):
        upto = thresholds[index + 1] if index + 1 < len(thresholds) else _MAX_PROMPT
        row: dict[str, object] = {
            "provider": provider,
            "model": model,
            "batch": bool(batch),
            "service_tier": service_tier or "",
            "day_number": (bucket_start - _EPOCH).days,
            "minute_from": (bucket_start - bucket_start.replace(hour=0, minute=0)).seconds // 60,
            "minute_to": int(
                (bucket_end - bucket_start.replace(hour=0, minute=0)).total_seconds() // 60
            ),
            "above_prompt_tokens": band.above_prompt_tokens if index else -1,
            "upto_prompt_tokens": upto,
            "price_model": price.model_id,
            "price_source": price.source,
            "usd_per_hour_pico": _to_pico(price.usd_per_hour * price.multiplier * _PICO_PER_USD),
        }
        notes = list(price.notes)
        for name in TOKEN_RATES:
            row[f"r_{name}"] = _to_pico(
                band.rates[name] * price.multiplier * _PICO_PER_USD_PER_MTOK, notes
            )
        for name in CALL_RATES:
            row[f"r_{name}"] = _to_pico(band.rates[name] * price.multiplier * _PICO_PER_USD, notes)
        row["price_note"] = "; ".join(dict.fromkeys(notes)) or None
        rows.append(row)
    return rows


def _to_pico(value: Decimal, notes: list[str] | None = None) -> int:
    rounded = value.to_integral_value(rounding=ROUND_HALF_EVEN)
    if rounded != value and notes is not None:
        notes.append("a rate finer than a picodollar per token was rounded")
    return int(rounded)


def _rows_to_table(rows: list[dict[str, object]]) -> pa.Table:
    fields = [
        ("provider", pa.string()),
        ("model", pa.string()),
        ("batch", pa.bool_()),
        ("service_tier", pa.string()),
        ("day_number", pa.int64()),
        ("minute_from", pa.int64()),
        ("minute_to", pa.int64()),
        ("above_prompt_tokens", pa.int64()),
        ("upto_prompt_tokens", pa.int64()),
        ("price_model", pa.string()),
        ("price_source", pa.string()),
        ("price_note", pa.string()),
        ("usd_per_hour_pico", pa.int64()),
        *[(f"r_{name}", pa.int64()) for name in TOKEN_RATES],
        *[(f"r_{name}", pa.int64()) for name in CALL_RATES],
    ]
    schema = pa.schema(fields)
    columns = {name: [row[name] for row in rows] for name in schema.names}
    return pa.table(columns, schema=schema)


PROMPT_SQL = (
    "(s.input_tokens + s.cache_read_tokens + s.cache_write_5m_tokens + s.cache_write_1h_tokens)"
)

# In HUGEINT, because counts up to MAX_TOKENS times picodollar rates can pass the int64 range.
_COST_PICO_SQL = """
    ((s.input_tokens - s.input_audio_tokens)::HUGEINT * r.r_input
     + s.input_audio_tokens::HUGEINT * r.r_input_audio
     + s.cache_read_tokens::HUGEINT * r.r_cache_read
     + s.cache_write_5m_tokens::HUGEINT * r.r_cache_write_5m
     + s.cache_write_1h_tokens::HUGEINT * r.r_cache_write_1h
     + (s.output_tokens - s.reasoning_tokens - s.output_audio_tokens)::HUGEINT * r.r_output
     + s.reasoning_tokens::HUGEINT * r.r_reasoning
     + s.output_audio_tokens::HUGEINT * r.r_output_audio
     + s.web_searches::HUGEINT * r.r_web_search
     + r.r_request)
"""

# The same call with every cached or cache-written token billed as plain input:
# the list price that prompt caching saved against.
_UNCACHED_PICO_SQL = (
    _COST_PICO_SQL.replace("r.r_cache_read", "r.r_input")
    .replace("r.r_cache_write_5m", "r.r_input")
    .replace("r.r_cache_write_1h", "r.r_input")
)

# A share of an hourly price per call, rounded down to the picodollar.
# NOTE: the remainder (under one picodollar per call) is dropped.
_HOURLY_PICO_SQL = """
    (r.usd_per_hour_pico
     // count(*) OVER (PARTITION BY s.provider, s.model, epoch_us(s.ts) // 3600000000))
"""


# The maximum cost of one record in picodollars, since the cost columns are DECIMAL(18, 12).
MAX_RECORD_PICO = 10**18 - 1
TOO_COSTLY_NOTE = (
    "cost not stored: $1,000,000 or more for one record, which the ledger cannot hold; "
    "check the token counts, or split the record"
)


def _usd_sql(pico_sql: str) -> str:
    # A cost beyond MAX_RECORD_PICO becomes NULL, so the record is listed as unpriced.
    return (
        f"CAST(TRY_CAST({pico_sql} AS DECIMAL(18, 0))"
        " * CAST('0.000000000001' AS DECIMAL(18, 12)) AS DECIMAL(18, 12))"
    )


def priced_select_sql(source: str, rates: str, columns: list[str], hourly: bool = False) -> str:
    """Return a SELECT of ``columns`` from ``source`` plus the pricing columns of the ledger.

    ``cost_usd`` is NULL for calls no price matches; those are the unpriced ones.
    ``hourly`` adds the share of hourly prices, which needs a window over ``source``.
    """
    cost = _COST_PICO_SQL
    uncached = _UNCACHED_PICO_SQL
    if hourly:
        cost = f"({cost} + {_HOURLY_PICO_SQL})"
        uncached = f"({uncached} + {_HOURLY_PICO_SQL})"
    column_list = ", ".join(f"s.{name}" for name in columns)
    return f"""
        SELECT {column_list},
               {_usd_sql(cost)} AS cost_usd,
               {_usd_sql(uncached)} AS uncached_cost_usd,
               r.price_model,
               CASE WHEN {cost} > {MAX_RECORD_PICO} THEN '{TOO_COSTLY_NOTE}'
                    WHEN s.web_searches > 0 AND r.r_web_search = 0 THEN
                   concat_ws('; ', r.price_note,
                             s.web_searches || ' web searches not priced: the price data has '
                             || 'no web-search price for this model')
               ELSE r.price_note END AS price_note
        FROM {source} AS s
        LEFT JOIN {rates} AS r
          ON r.provider = s.provider
         AND r.model = s.model
         AND r.batch = s.batch
         AND r.service_tier = coalesce(s.service_tier, '')
         AND r.day_number = (epoch_us(s.ts) // 86400000000)
         AND {MINUTE_OF_DAY_SQL} >= r.minute_from AND {MINUTE_OF_DAY_SQL} < r.minute_to
         AND {PROMPT_SQL} > r.above_prompt_tokens
         AND {PROMPT_SQL} <= r.upto_prompt_tokens
    """
