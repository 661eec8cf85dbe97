"""The normalized usage record that flows from importers to the ledger.

Token fields never overlap, so the billed input of a request is
``input_tokens + cache_read_tokens + cache_write_5m_tokens + cache_write_1h_tokens``.
``output_tokens`` includes ``reasoning_tokens``, which are billed at the output
rate unless the price data gives them a rate of their own. How each provider's
counters map onto these fields is documented in ``docs/formats.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal

import pyarrow as pa

# Units beyond tokens that a provider bills, stored in ``UsageRecord.other_units``.
WEB_SEARCHES = "web_searches"
INPUT_AUDIO_TOKENS = "input_audio_tokens"
OUTPUT_AUDIO_TOKENS = "output_audio_tokens"
KNOWN_OTHER_UNITS = (WEB_SEARCHES, INPUT_AUDIO_TOKENS, OUTPUT_AUDIO_TOKENS)

# The largest token count a record may carry. Costs are computed in whole picodollars
# in 64-bit integers, and no real call comes near ten billion tokens, so a larger
# count is a logging error to report, not a number to price.
MAX_TOKENS = 10_000_000_000

# Where a record's timestamp came from: the log itself, the --timestamp option,
# or the log file's modification time.
TIMESTAMP_FROM_RECORD = "record"
TIMESTAMP_FROM_OPTION = "option"
TIMESTAMP_FROM_FILE_MTIME = "file_mtime"


@dataclass(slots=True)
class UsageRecord:
    """One billed LLM call, normalized across providers and log formats."""

    id: str
    timestamp: datetime
    provider: str
    model: str
    input_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_5m_tokens: int = 0
    cache_write_1h_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0
    other_units: dict[str, int] = field(default_factory=dict)
    feature: str | None = None
    user: str | None = None
    environment: str | None = None
    batch: bool = False
    service_tier: str | None = None
    latency_ms: int | None = None
    status: str = "ok"
    reported_cost_usd: Decimal | None = None
    source_file: str = ""
    source_line: int = 0
    timestamp_source: str = TIMESTAMP_FROM_RECORD
    flags: list[str] = field(default_factory=list)
    format: str = ""

    @property
    def prompt_tokens(self) -> int:
        """All input tokens of the request, cached or not."""
        return (
            self.input_tokens
            + self.cache_read_tokens
            + self.cache_write_5m_tokens
            + self.cache_write_1h_tokens
        )


# Column order of the ledger's ``records`` table and of every Arrow batch.
ARROW_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("ts", pa.timestamp("us", tz="UTC")),
        ("provider", pa.string()),
        ("model", pa.string()),
        ("feature", pa.string()),
        ("user_id", pa.string()),
        ("environment", pa.string()),
        ("input_tokens", pa.int64()),
        ("cache_read_tokens", pa.int64()),
        ("cache_write_5m_tokens", pa.int64()),
        ("cache_write_1h_tokens", pa.int64()),
        ("output_tokens", pa.int64()),
        ("reasoning_tokens", pa.int64()),
        ("web_searches", pa.int64()),
        ("input_audio_tokens", pa.int64()),
        ("output_audio_tokens", pa.int64()),
        ("batch", pa.bool_()),
        ("service_tier", pa.string()),
        ("latency_ms", pa.int64()),
        ("status", pa.string()),
        ("reported_cost_usd", pa.decimal128(18, 12)),
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
        ("timestamp_source", pa.string()),
        ("flags", pa.string()),
        ("format", pa.string()),
    ]
)


_REPORTED_SCALE = Decimal("0.000000000001")


def _to_reported_scale(value: Decimal | None) -> Decimal | None:
    """Round a provider-reported cost to the ledger's 12 decimals (float noise in logs has more)."""
    if value is None:
        return None
    return value.quantize(_REPORTED_SCALE, rounding=ROUND_HALF_EVEN)


def records_to_arrow(records: list[UsageRecord]) -> pa.Table:
    """Convert records to an Arrow table with ``ARROW_SCHEMA``, one column at a time."""
    columns: dict[str, list[object]] = {name: [] for name in ARROW_SCHEMA.names}
    for r in records:
        ts = r.timestamp if r.timestamp.tzinfo else r.timestamp.replace(tzinfo=UTC)
        columns["id"].append(r.id)
        columns["ts"].append(ts)
        columns["provider"].append(r.provider)
        columns["model"].append(r.model)
        columns["feature"].append(r.feature)
        columns["user_id"].append(r.user)
        columns["environment"].append(r.environment)
        columns["input_tokens"].append(r.input_tokens)
        columns["cache_read_tokens"].append(r.cache_read_tokens)
        columns["cache_write_5m_tokens"].append(r.cache_write_5m_tokens)
        columns["cache_write_1h_tokens"].append(r.cache_write_1h_tokens)
        columns["output_tokens"].append(r.output_tokens)
        columns["reasoning_tokens"].append(r.reasoning_tokens)
        columns["web_searches"].append(r.other_units.get(WEB_SEARCHES, 0))
        columns["input_audio_tokens"].append(r.other_units.get(INPUT_AUDIO_TOKENS, 0))
        columns["output_audio_tokens"].append(r.other_units.get(OUTPUT_AUDIO_TOKENS, 0))
        columns["batch"].append(r.batch)
        columns["service_tier"].append(r.service_tier)
        columns["latency_ms"].append(r.latency_ms)
        columns["status"].append(r.status)
        columns["reported_cost_usd"].append(_to_reported_scale(r.reported_cost_usd))
        columns["source_file"].append(r.source_file)
        columns["source_line"].append(r.source_line)
        columns["timestamp_source"].append(r.timestamp_source)
        columns["flags"].append("; ".join(r.flags) if r.flags else None)
        columns["format"].append(r.format)
    return pa.table(columns, schema=ARROW_SCHEMA)
