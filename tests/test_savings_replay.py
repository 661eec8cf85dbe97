"""The savings replay on small real ledgers, with every saving pinned to the picodollar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from truecost.config.savings import SavingsConfig
from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog
from truecost.record import UsageRecord, records_to_arrow
from truecost.savings import ReplayContext
from truecost.savings.report import SavingsReport, run_savings
from truecost.savings.waterfall import waterfall_rows

START = datetime(2025, 6, 1, tzinfo=UTC)


def _record(index: int, **fields: object) -> UsageRecord:
    values: dict[str, object] = {
        "provider": "openai",
        "model": "gpt-4o-2024-08-06",
        "feature": "chat",
        "timestamp": START + timedelta(minutes=index),
    }
    values.update(fields)
    return UsageRecord(id=f"r{index}", **values)  # type: ignore[arg-type]


def _replay(
    ledger: Ledger,
    catalog: PriceCatalog,
    records: list[UsageRecord],
    names: list[str],
    **config: object,
) -> SavingsReport:
    ledger.insert(records_to_arrow(records), catalog)
    context = ReplayContext(catalog, SavingsConfig(**config))  # type: ignore[arg-type]
    return run_savings(ledger.con, context, names=names)


def test_output_cap_at_90th_percentile(ledger: Ledger, catalog: PriceCatalog) -> None:
    records = [_record(i, output_tokens=100 * (i + 1)) for i in range(20)]
    report = _replay(ledger, catalog, records, ["output_length"])
    saving = report.alone[0]
    # Cap 1,800 tokens: 100 + 200 tokens cut at 10 USD per million output tokens.
    assert saving.saved_usd == Decimal("0.003")
    assert saving.changed_records == 2
    assert saving.not_estimated == []


def test_output_cap_too_few_records(ledger: Ledger, catalog: PriceCatalog) -> None:
    records = [_record(i, output_tokens=100 * (i + 1)) for i in range(19)]
    report = _replay(ledger, catalog, records, ["output_length"])
    saving = report.alone[0]
    assert saving.saved_usd == Decimal(0)
    assert saving.not_estimated[0].feature == "chat"
    assert saving.not_estimated[0].reason == "only 19 records; at least 20 are needed to judge"


def test_batching_declared_feature(ledger: Ledger, catalog: PriceCatalog) -> None:
    records = [
        _record(i, provider="anthropic", model="claude-sonnet-4-20250514", input_tokens=1000)
        for i in range(3)
    ]
    report = _replay(ledger, catalog, records, ["batching"], not_realtime_features=["chat"])
    # 1,000 tokens at 3 USD per million, half price in batch, three requests.
    assert report.baseline_usd == Decimal("0.009")
    assert report.alone[0].saved_usd == Decimal("0.0045")


def test_batching_openai_uses_price_data(ledger: Ledger, catalog: PriceCatalog) -> None:
    records = [_record(i, input_tokens=1000) for i in range(2)]
    report = _replay(ledger, catalog, records, ["batching"], not_realtime_features=["chat"])
    assert report.alone[0].saved_usd == Decimal("0.0025")
    # The shipped price overrides carry OpenAI's batch price, so no provider rule fills it.
    assert not any("batch calls are priced at" in line for line in report.assumptions)


def test_openai_caching_128_token_steps(ledger: Ledger, catalog: PriceCatalog) -> None:
    records = [_record(i, input_tokens=2000) for i in range(2)]
    report = _replay(
        ledger, catalog, records, ["prompt_caching"], static_prefix_tokens={"chat": 1100}
    )
    # The second request reads 1,024 cached tokens at 1.25 instead of 2.5 USD per million.
    assert report.alone[0].saved_usd == Decimal("0.00128")


def test_openai_caching_below_minimum(ledger: Ledger, catalog: PriceCatalog) -> None:
    records = [_record(i, input_tokens=2000) for i in range(2)]
    report = _replay(
        ledger, catalog, records, ["prompt_caching"], static_prefix_tokens={"chat": 1023}
    )
    assert report.alone[0].saved_usd == Decimal(0)


def test_caching_expires_after_ttl(ledger: Ledger, catalog: PriceCatalog) -> None:
    records = [
        _record(0, input_tokens=2000),
        _record(1, input_tokens=2000, timestamp=START + timedelta(seconds=301)),
    ]
    report = _replay(
        ledger, catalog, records, ["prompt_caching"], static_prefix_tokens={"chat": 1100}
    )
    assert report.alone[0].saved_usd == Decimal(0)


def test_anthropic_caching_write_fee(ledger: Ledger, catalog: PriceCatalog) -> None:
    records = [
        _record(i, provider="anthropic", model="claude-sonnet-4-20250514", input_tokens=3000)
        for i in range(2)
    ]
    report = _replay(
        ledger, catalog, records, ["prompt_caching"], static_prefix_tokens={"chat": 2000}
    )
    # Write 2,000 tokens at 3.75 (+0.0015), then read them at 0.30 (-0.0054).
    assert report.alone[0].saved_usd == Decimal("0.0039")


def test_combined_has_no_double_counting(ledger: Ledger, catalog: PriceCatalog) -> None:
    records = [_record(i, input_tokens=2000, output_tokens=100 * (i + 1)) for i in range(20)]
    report = _replay(
        ledger,
        catalog,
        records,
        ["output_length", "prompt_caching", "batching"],
        static_prefix_tokens={"chat": 1100},
        not_realtime_features=["chat"],
    )
    rows = waterfall_rows(report)
    assert [row.kind for row in rows] == ["baseline", "step", "step", "step", "optimized"]
    assert rows[-1].end_usd == rows[-2].end_usd
    steps = sum((s.saved_usd for s in report.combined), Decimal(0))
    assert report.combined_saved_usd == steps
    alone = sum((s.saved_usd for s in report.alone), Decimal(0))
    assert report.combined_saved_usd < alone


def test_routing_without_texts(ledger: Ledger, catalog: PriceCatalog) -> None:
    report = _replay(ledger, catalog, [_record(0, input_tokens=10)], ["routing"])
    reason = report.alone[0].not_estimated[0].reason
    assert reason == "needs the logged texts of requests; pass --texts FILE (JSON Lines)"


def test_baseline_matches_ledger(ledger: Ledger, catalog: PriceCatalog) -> None:
    records = [_record(i, input_tokens=1234 + i, output_tokens=56) for i in range(5)]
    report = _replay(ledger, catalog, records, ["output_length"])
    assert report.baseline_usd == report.ledger_usd
    assert report.assumptions[0].startswith("Monthly figures scale the 0.00 days")
