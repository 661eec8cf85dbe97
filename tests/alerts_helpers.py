"""Exact-cost ledgers for the alert tests, priced through output tokens.

Output rates do not depend on the prompt length: $15 per million output tokens
for Claude Sonnet 4, $10 for GPT-4o (2024-08-06).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog
from truecost.record import UsageRecord, records_to_arrow

SONNET = ("anthropic", "claude-sonnet-4-20250514")
GPT4O = ("openai", "gpt-4o-2024-08-06")


def call(
    day: date, usd: Decimal | int, feature: str, hour: int = 12, model: tuple[str, str] = SONNET
) -> UsageRecord:
    """Return one call on ``day`` that costs exactly ``usd`` (a multiple of $0.000015 for Sonnet)."""
    rate = Decimal(15) if model == SONNET else Decimal(10)
    tokens = Decimal(usd) * 1_000_000 / rate
    assert tokens == tokens.to_integral_value(), f"{usd} is not a whole number of tokens"
    return UsageRecord(
        id=f"{feature}-{day}-{hour}-{model[1]}",
        timestamp=datetime(day.year, day.month, day.day, hour, tzinfo=UTC),
        provider=model[0],
        model=model[1],
        output_tokens=int(tokens),
        feature=feature,
    )


def fill(ledger: Ledger, catalog: PriceCatalog, records: list[UsageRecord]) -> None:
    """Insert records and check none was a duplicate."""
    _inserted, duplicates = ledger.insert(records_to_arrow(records), catalog)
    assert duplicates == 0


def steady(start: date, days: int, usd: Decimal | int, feature: str = "chat") -> list[UsageRecord]:
    """Return one call a day of ``usd`` for ``days`` days."""
    return [call(start + timedelta(days=i), usd, feature) for i in range(days)]
