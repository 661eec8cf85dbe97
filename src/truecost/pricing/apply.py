"""Bulk pricing in SQL: one rate row per model, kind of call, time bucket and prompt band.

Prices are resolved in Python once per distinct (provider, model, batch, service
tier, day), or per half hour for models whose price changes with the time of day,
and joined to the records in DuckDB. The arithmetic matches
``truecost.pricing.rates.cost_usd`` exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import duckdb
import pyarrow as pa

from truecost.pricing import bundled
from truecost.pricing.catalog import PriceCatalog
from truecost.pricing.rates import TOKEN_RATES, ResolvedPrice

# Token rates are stored per token (USD per million / 10**6), so they need 15 decimals
# to keep prices given to 9 decimals per million exact.
_PER_TOKEN = pa.decimal128(18, 15)
_PER_CALL = pa.decimal128(18, 12)
_MAX_PROMPT = 2**62
_HALF_HOUR = timedelta(minutes=30)
_DAY = timedelta(days=1)


def build_rate_table(
    con: duckdb.DuckDBPyConnection, catalog: PriceCatalog, source: str
) -> pa.Table:
    """Resolve the prices of every kind of call in relation ``source`` into an Arrow rate table."""
    keys = con.execute(
        f"SELECT DISTINCT provider, model, batch, service_tier, CAST(ts AS DATE) AS day FROM {source}"
    ).fetchall()
    rows: list[dict[str, object]] = []
    for provider, model, batch, service_tier, day in keys:
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
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
            "bucket_start": bucket_start,
            "bucket_end": bucket_end,
            "above_prompt_tokens": band.above_prompt_tokens if index else -1,
            "upto_prompt_tokens": upto,
            "price_model": price.model_id,
            "price_source": price.source,
            "price_note": "; ".join(price.notes) or None,
            "usd_per_hour": _quantize(price.usd_per_hour * price.multiplier, 12),
        }
        for name in TOKEN_RATES:
            row[f"r_{name}"] = _quantize(band.rates[name] * price.multiplier / 1_000_000, 15)
        row["r_web_search"] = _quantize(band.rates["web_search"] * price.multiplier, 12)
        row["r_request"] = _quantize(band.rates["request"] * price.multiplier, 12)
        rows.append(row)
    return rows


def _quantize(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places))


def _rows_to_table(rows: list[dict[str, object]]) -> pa.Table:
    fields = [
        ("provider", pa.string()),
        ("model", pa.string()),
        ("batch", pa.bool_()),
        ("service_tier", pa.string()),
        ("bucket_start", pa.timestamp("us", tz="UTC")),
        ("bucket_end", pa.timestamp("us", tz="UTC")),
        ("above_prompt_tokens", pa.int64()),
        ("upto_prompt_tokens", pa.int64()),
        ("price_model", pa.string()),
        ("price_source", pa.string()),
        ("price_note", pa.string()),
        ("usd_per_hour", _PER_CALL),
        *[(f"r_{name}", _PER_TOKEN) for name in TOKEN_RATES],
        ("r_web_search", _PER_CALL),
        ("r_request", _PER_CALL),
    ]
    schema = pa.schema(fields)
    columns = {name: [row[name] for row in rows] for name in schema.names}
    return pa.table(columns, schema=schema)


PROMPT_SQL = (
    "(s.input_tokens + s.cache_read_tokens + s.cache_write_5m_tokens + s.cache_write_1h_tokens)"
)

_COST_SQL = """
    CAST(
        (s.input_tokens - s.input_audio_tokens) * r.r_input
        + s.input_audio_tokens * r.r_input_audio
        + s.cache_read_tokens * r.r_cache_read
        + s.cache_write_5m_tokens * r.r_cache_write_5m
        + s.cache_write_1h_tokens * r.r_cache_write_1h
        + (s.output_tokens - s.reasoning_tokens - s.output_audio_tokens) * r.r_output
        + s.reasoning_tokens * r.r_reasoning
        + s.output_audio_tokens * r.r_output_audio
        AS DECIMAL(18, 12))
    + CAST(s.web_searches * r.r_web_search + r.r_request AS DECIMAL(18, 12))
"""

# A share of an hourly price per call, rounded down to the picodollar.
# NOTE: the remainder (under one picodollar per call) is dropped.
_HOURLY_SQL = """
    CASE WHEN r.usd_per_hour > 0 THEN
        CAST(
            (CAST(r.usd_per_hour * 1000000000000 AS HUGEINT)
             // count(*) OVER (PARTITION BY s.provider, s.model, date_trunc('hour', s.ts)))
            AS DECIMAL(38, 0)) * CAST('0.000000000001' AS DECIMAL(13, 12))
    ELSE 0 END
"""


# The same call with every cached or cache-written token billed as plain input:
# the list price that prompt caching saved against.
_UNCACHED_SQL = (
    _COST_SQL.replace("r.r_cache_read", "r.r_input")
    .replace("r.r_cache_write_5m", "r.r_input")
    .replace("r.r_cache_write_1h", "r.r_input")
)


def priced_select_sql(source: str, rates: str, columns: list[str]) -> str:
    """Return a SELECT of ``columns`` from ``source`` plus the pricing columns of the ledger.

    ``cost_usd`` is NULL for calls no price matches; those are the unpriced ones.
    """
    column_list = ", ".join(f"s.{name}" for name in columns)
    return f"""
        SELECT {column_list},
               CAST(CASE WHEN r.price_model IS NULL THEN NULL
                    ELSE {_COST_SQL} + {_HOURLY_SQL} END AS DECIMAL(18, 12)) AS cost_usd,
               CAST(CASE WHEN r.price_model IS NULL THEN NULL
                    ELSE {_UNCACHED_SQL} + {_HOURLY_SQL} END AS DECIMAL(18, 12)) AS uncached_cost_usd,
               r.price_model,
               r.price_note
        FROM {source} AS s
        LEFT JOIN {rates} AS r
          ON r.provider = s.provider
         AND r.model = s.model
         AND r.batch = s.batch
         AND r.service_tier = coalesce(s.service_tier, '')
         AND s.ts >= r.bucket_start AND s.ts < r.bucket_end
         AND {PROMPT_SQL} > r.above_prompt_tokens
         AND {PROMPT_SQL} <= r.upto_prompt_tokens
    """
