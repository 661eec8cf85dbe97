"""Synthetic usage with a weekly pattern, a trend and injected spikes, priced at real rates.

Shared by the alert tests and ``bench/alerts_measure.py``. Each feature's daily
amount is split into four calls at 03:00, 09:00, 15:00 and 21:00 UTC, and is
turned into output tokens of a real model (whose output rate does not depend on
the prompt length), so the ledger prices it to the token.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from truecost.record import UsageRecord

# USD per million output tokens of the models used (their list prices).
MODELS = {
    "chat": ("anthropic", "claude-sonnet-4-20250514", Decimal(15)),
    "search": ("openai", "gpt-4o-2024-08-06", Decimal(10)),
    "weekly-digest": ("anthropic", "claude-sonnet-4-20250514", Decimal(15)),
}
CALL_HOURS = (3, 9, 15, 21)


@dataclass(frozen=True)
class InjectedSpike:
    """A day on which one feature costs ``multiplier`` times its usual amount."""

    day: date
    feature: str
    multiplier: float


def usual_usd(feature: str, day: date, start: date) -> float:
    """Return the noise-free daily amount of a feature."""
    age_days = (day - start).days
    weekend = day.weekday() >= 5
    if feature == "chat":
        # Weekday traffic three times the weekend's, growing 0.5% a day.
        return (35.0 if weekend else 120.0) * (1.005**age_days)
    if feature == "search":
        return 40.0
    # A batch job that runs on Mondays only.
    return 150.0 if day.weekday() == 0 else 0.0


def synthetic_records(
    start: date, days: int, seed: int = 7, spikes: tuple[InjectedSpike, ...] = ()
) -> list[UsageRecord]:
    """Return the calls of ``days`` days from ``start`` with lognormal noise of 15%."""
    rng = random.Random(seed)
    boost = {(s.day, s.feature): s.multiplier for s in spikes}
    records: list[UsageRecord] = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        for feature, (provider, model, rate) in MODELS.items():
            usd = usual_usd(feature, day, start) * rng.lognormvariate(0, 0.15)
            usd *= boost.get((day, feature), 1.0)
            if usd <= 0:
                continue
            tokens = int(Decimal(repr(usd / len(CALL_HOURS))) / rate * 1_000_000)
            for hour in CALL_HOURS:
                records.append(
                    UsageRecord(
                        id=f"{feature}-{day.isoformat()}-{hour}",
                        timestamp=datetime(day.year, day.month, day.day, hour, tzinfo=UTC),
                        provider=provider,
                        model=model,
                        output_tokens=tokens,
                        feature=feature,
                    )
                )
    return records
