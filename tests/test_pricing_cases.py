"""Pricing cases that tools in wide use got wrong, each pinned to the exact dollar amount."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog, cost_usd
from truecost.record import UsageRecord, records_to_arrow

WHEN = datetime(2025, 9, 3, 12, 0, tzinfo=UTC)


def price_in_ledger(ledger: Ledger, catalog: PriceCatalog, record: UsageRecord) -> Decimal | None:
    """Store one record and return the cost the SQL pricing gave it."""
    ledger.insert(records_to_arrow([record]), catalog)
    rows = ledger.con.execute("SELECT cost_usd FROM records WHERE id = ?", [record.id]).fetchall()
    return rows[0][0]


def record(model: str, provider: str = "anthropic", **counts: int) -> UsageRecord:
    return UsageRecord(
        id=f"{provider}:{model}:{sorted(counts.items())}",
        timestamp=WHEN,
        provider=provider,
        model=model,
        **counts,
    )  # type: ignore[arg-type]


CASES = [
    # Sonnet 4: cache writes billed once, at 1.25x input: 3*3 + 12304*3.75 + 550*15 micro-dollars.
    (
        "sonnet4-cache-write",
        record(
            "claude-sonnet-4-20250514",
            input_tokens=3,
            cache_write_5m_tokens=12304,
            output_tokens=550,
        ),
        "0.054399",
    ),
    # Anthropic streamed: 2,455 cache reads at $0.30/M, not at the $3 input rate.
    (
        "sonnet4-cache-read",
        record(
            "claude-sonnet-4-20250514", input_tokens=10, cache_read_tokens=2455, output_tokens=100
        ),
        "0.0022665",
    ),
    # gpt-4o: 2,006 prompt tokens of which 1,920 cached -> 86 at $2.50/M, 1,920 at $1.25/M.
    (
        "gpt4o-cached",
        record(
            "gpt-4o-2024-08-06",
            provider="openai",
            input_tokens=86,
            cache_read_tokens=1920,
            output_tokens=0,
        ),
        "0.002615",
    ),
    # Gemini 2.5 Pro at the 200,000 boundary: at or below it $1.25/$10 per million.
    (
        "gemini-200000",
        record("gemini-2.5-pro", provider="gemini", input_tokens=200_000, output_tokens=1000),
        "0.26",
    ),
    # one token above it, the whole request at $2.50/$15.
    (
        "gemini-200001",
        record("gemini-2.5-pro", provider="gemini", input_tokens=200_001, output_tokens=1000),
        "0.5150025",
    ),
    # Sonnet 4.5 above 200,000 prompt tokens: $6 input, $7.50 cache write, $0.60 read, $22.50 output.
    (
        "sonnet45-long",
        record(
            "claude-sonnet-4-5-20250929",
            input_tokens=150_000,
            cache_write_5m_tokens=40_000,
            cache_read_tokens=20_000,
            output_tokens=1000,
        ),
        "1.2345",
    ),
    # The same request for Sonnet 4, whose long-context tier comes from the shipped overrides.
    (
        "sonnet4-long",
        record(
            "claude-sonnet-4-20250514",
            input_tokens=150_000,
            cache_write_5m_tokens=40_000,
            cache_read_tokens=20_000,
            output_tokens=1000,
        ),
        "1.2345",
    ),
    # Sonnet 4.5 at exactly 200,000 prompt tokens stays on the base rates.
    (
        "sonnet45-200000",
        record("claude-sonnet-4-5-20250929", input_tokens=200_000, output_tokens=1000),
        "0.615",
    ),
    # 1-hour cache writes at 2x base input ($6/M), 5-minute ones at 1.25x ($3.75/M).
    # (100,000 tokens, so the request stays below the 200,000-token long-context tier.)
    ("sonnet4-1h-write", record("claude-sonnet-4-20250514", cache_write_1h_tokens=100_000), "0.6"),
    (
        "sonnet4-5m-write",
        record("claude-sonnet-4-20250514", cache_write_5m_tokens=100_000),
        "0.375",
    ),
    # Gemini thinking tokens at the output rate on top of candidates: 500 + 1,500 output tokens at $10/M.
    (
        "gemini-thinking",
        record(
            "gemini-2.5-pro",
            provider="gemini",
            input_tokens=1000,
            output_tokens=2000,
            reasoning_tokens=1500,
        ),
        "0.02125",
    ),
]


@pytest.mark.parametrize(("name", "usage", "expected"), CASES, ids=[c[0] for c in CASES])
def test_pricing_case_exact(
    name: str, usage: UsageRecord, expected: str, ledger: Ledger, catalog: PriceCatalog
) -> None:
    assert price_in_ledger(ledger, catalog, usage) == Decimal(expected)


@pytest.mark.parametrize(("name", "usage", "expected"), CASES, ids=[c[0] for c in CASES])
def test_reference_price_matches_sql(
    name: str, usage: UsageRecord, expected: str, catalog: PriceCatalog
) -> None:
    price = catalog.resolve(usage.provider, usage.model, usage.timestamp)
    assert price is not None
    counts = {
        "input_tokens": usage.input_tokens,
        "cache_read_tokens": usage.cache_read_tokens,
        "cache_write_5m_tokens": usage.cache_write_5m_tokens,
        "cache_write_1h_tokens": usage.cache_write_1h_tokens,
        "output_tokens": usage.output_tokens,
        "reasoning_tokens": usage.reasoning_tokens,
    }
    assert cost_usd(price, counts) == Decimal(expected)


def test_unknown_model_is_unpriced(ledger: Ledger, catalog: PriceCatalog) -> None:
    usage = record("no-such-model-7b", provider="acme", input_tokens=100, output_tokens=10)
    assert price_in_ledger(ledger, catalog, usage) is None


def test_same_id_twice_is_one_record(ledger: Ledger, catalog: PriceCatalog) -> None:
    usage = record("claude-sonnet-4-20250514", input_tokens=5, output_tokens=5)
    assert ledger.insert(records_to_arrow([usage, usage]), catalog) == (1, 1)
    assert ledger.insert(records_to_arrow([usage]), catalog) == (0, 1)
    assert ledger.count() == 1


def test_costliest_storable_call(ledger: Ledger, catalog: PriceCatalog) -> None:
    # o1-pro output at $600/M: 1,000,000,000 tokens cost $600,000, which one record can store.
    call = record("o1-pro", provider="openai", output_tokens=1_000_000_000)
    assert price_in_ledger(ledger, catalog, call) == Decimal("600000")


def test_call_beyond_record_is_unpriced(ledger: Ledger, catalog: PriceCatalog) -> None:
    # 9,000,000,000 output tokens at $600/M cost $5.4M. That is above a record's maximum, and
    # in picodollars the product of the count and the rate is above the int64 range.
    call = record("o1-pro", provider="openai", output_tokens=9_000_000_000)
    assert price_in_ledger(ledger, catalog, call) is None
    note = ledger.con.execute("SELECT price_note FROM records WHERE id = ?", [call.id]).fetchall()
    assert note[0][0].startswith("cost not stored: $1,000,000 or more for one record")


@pytest.mark.parametrize(
    ("tier", "expected"),
    [("flex", "0.002378125"), ("priority", "0.00951250"), ("default", "0.00475625")],
)
def test_service_tier_before_data_dates_it(
    ledger: Ledger, catalog: PriceCatalog, tier: str, expected: str
) -> None:
    # gpt-5 in 2025, 53 input and 469 output tokens: flex at $0.625/$5, priority at $2.50/$20,
    # standard at $1.25/$10 per million. The data dates the tier prices from 2026-10-12.
    call = UsageRecord(
        id=f"openai:gpt-5:{tier}",
        timestamp=datetime(2025, 9, 16, tzinfo=UTC),
        provider="openai",
        model="gpt-5",
        input_tokens=53,
        output_tokens=469,
        service_tier=tier,
    )
    assert price_in_ledger(ledger, catalog, call) == Decimal(expected)


def test_batch_fill_keeps_web_search_fee(ledger: Ledger, catalog: PriceCatalog) -> None:
    # Before 2026-10-14 the batch price of Claude comes from the shipped 0.5 multiplier, which
    # halves tokens only: 10 web searches cost $0.10 in a batch as outside one.
    call = UsageRecord(
        id="anthropic:batch-search",
        timestamp=datetime(2026, 3, 1, tzinfo=UTC),
        provider="anthropic",
        model="claude-sonnet-4-5",
        input_tokens=1000,
        other_units={"web_searches": 10},
        batch=True,
    )
    # 1,000 input tokens at half of $3/M, plus 10 searches at $10 per thousand.
    assert price_in_ledger(ledger, catalog, call) == Decimal("0.1015")


def test_user_batch_multiplier_wins(tmp_path: Path) -> None:
    # The user's override file follows the shipped one, so its batch multiplier replaces ours.
    prices = tmp_path / "prices.toml"
    prices.write_text('[[price]]\nmodel = "claude-sonnet-4-5*"\nbatch_multiplier = "0.25"\n')
    call = {"input_tokens": 1000}
    when = datetime(2026, 3, 1, tzinfo=UTC)
    shipped = PriceCatalog().resolve("anthropic", "claude-sonnet-4-5", when, batch=True)
    user = PriceCatalog([prices]).resolve("anthropic", "claude-sonnet-4-5", when, batch=True)
    assert shipped is not None
    assert user is not None
    # 1,000 input tokens at $3/M, times 0.5 (shipped) or 0.25 (the user's).
    assert cost_usd(shipped, call) == Decimal("0.0015")
    assert cost_usd(user, call) == Decimal("0.00075")
    assert user.notes[-1] == "batch price = 0.25 x standard tokens (prices.toml#1)"
