"""Gemini explicit caching against implicit caching, with storage billed per token-hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from truecost.config.savings import SavingsConfig
from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog
from truecost.record import UsageRecord, records_to_arrow
from truecost.savings import ReplayContext
from truecost.savings.gemini_explicit import NO_STORAGE_PRICE
from truecost.savings.report import OptimizationSaving, run_savings

START = datetime(2025, 6, 1, tzinfo=UTC)
# gemini-2.5-flash: input 0.30, cache read 0.03 USD per million tokens.
PROMPT_TOKENS = 12_000
PREFIX_TOKENS = 10_000


def _replay(
    ledger: Ledger, catalog: PriceCatalog, offsets_s: list[int], **config: object
) -> OptimizationSaving:
    records = [
        UsageRecord(
            id=f"g{i}",
            timestamp=START + timedelta(seconds=offset),
            provider="gemini",
            model="gemini-2.5-flash",
            feature="docs",
            input_tokens=PROMPT_TOKENS,
        )
        for i, offset in enumerate(offsets_s)
    ]
    ledger.insert(records_to_arrow(records), catalog)
    settings = SavingsConfig(static_prefix_tokens={"docs": PREFIX_TOKENS}, **config)  # type: ignore[arg-type]
    report = run_savings(ledger.con, ReplayContext(catalog, settings), names=["prompt_caching"])
    return report.alone[0]


def test_without_storage_price_only_notes(ledger: Ledger, catalog: PriceCatalog) -> None:
    # Requests 10 minutes apart never hit the implicit cache, which is assumed to live 5 minutes.
    saving = _replay(ledger, catalog, [0, 600, 1200, 1800])
    assert saving.saved_usd == Decimal(0)
    assert NO_STORAGE_PRICE in saving.notes


def test_storage_too_dear_keeps_implicit(ledger: Ledger, catalog: PriceCatalog) -> None:
    saving = _replay(
        ledger, catalog, [0, 600, 1200, 1800], gemini_storage_usd_per_mtok_hour=Decimal("1")
    )
    # Tokens 0.0066 USD plus 1.5 hours of 10,000 stored tokens at 1 USD = 0.0216 > 0.0144.
    assert saving.saved_usd == Decimal(0)
    assert saving.changed_records == 0
    assert saving.notes[-1] == (
        "docs on gemini:gemini-2.5-flash: an explicit cache of 10,000 tokens with a 3,600 s TTL "
        "is created 1 times and kept 1.5 hours (storage 0.015000 USD); cost with explicit "
        "caching 0.021600 USD against 0.014400 USD with implicit caching, so implicit caching kept."
    )


def test_explicit_cache_chosen(ledger: Ledger, catalog: PriceCatalog) -> None:
    saving = _replay(
        ledger, catalog, [0, 600, 1200, 1800], gemini_storage_usd_per_mtok_hour=Decimal("0.1")
    )
    # Creation 0.0036 + four reads 0.0012 + rest 0.0018 + storage 0.0015 = 0.0081.
    assert saving.saved_usd == Decimal("0.0063")
    assert saving.changed_records == 4


def test_idle_gap_recreates_cache(ledger: Ledger, catalog: PriceCatalog) -> None:
    saving = _replay(
        ledger, catalog, [0, 600, 7800, 8400], gemini_storage_usd_per_mtok_hour=Decimal("0.1")
    )
    # Two caches of 70 minutes each: tokens 0.0096 + storage 0.002333333334 = 0.011933333334.
    assert saving.saved_usd == Decimal("0.002466666666")
    assert "is created 2 times and kept 2.3 hours" in saving.notes[-1]


def test_gap_equal_to_ttl_keeps_cache(ledger: Ledger, catalog: PriceCatalog) -> None:
    saving = _replay(ledger, catalog, [0, 3600], gemini_storage_usd_per_mtok_hour=Decimal("0.1"))
    # One cache for 2 hours: tokens 0.0048 + storage 0.002 = 0.0068 against 0.0072.
    assert saving.saved_usd == Decimal("0.0004")


def test_gap_over_ttl_recreates_cache(ledger: Ledger, catalog: PriceCatalog) -> None:
    saving = _replay(ledger, catalog, [0, 3601], gemini_storage_usd_per_mtok_hour=Decimal("0.1"))
    # Two creations cost 0.0078 + 0.002 of storage, more than the 0.0072 baseline.
    assert saving.saved_usd == Decimal(0)
    assert "is created 2 times" in saving.notes[-1]


def test_shorter_ttl_setting(ledger: Ledger, catalog: PriceCatalog) -> None:
    saving = _replay(
        ledger,
        catalog,
        [0, 600, 1200, 1800],
        gemini_storage_usd_per_mtok_hour=Decimal("0.1"),
        gemini_explicit_ttl_seconds=600,
    )
    # One cache kept 30 + 10 minutes: storage 0.000666666667, tokens 0.0066.
    assert saving.saved_usd == Decimal("0.007133333333")
