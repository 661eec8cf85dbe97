"""``truecost tco``: ledger token cost plus the cost stack, prorated, shared and compared."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from truecost.analyses.tco import Period, cost_stack_rows, month_period, tco_report
from truecost.cli.main import main
from truecost.config import load_config
from truecost.config.coststack import CostStackConfig
from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog
from truecost.record import UsageRecord, records_to_arrow

CONFIG = """
[coststack.features.support-bot]
outcome_unit = "resolved ticket"
requests_per_outcome = 2
engineering = { hours_per_month = "10-20", usd_per_hour = 100 }
infrastructure = { monthly_usd = 300 }
monitoring = { usd_per_request = "0.5" }
evaluation = { human_review = { sampled_share = 0.5, minutes_per_item = 6, usd_per_hour = 60 } }

[coststack.features.support-bot.human_baseline]
usd_per_month = "4000-6000"
outcomes_per_day = "40-60"
workdays_per_month = 20

[coststack.features.coding-agent]
complexity = "complex"

[[coststack.shared]]
name = "observability"
category = "monitoring"
monthly_usd = 150
allocate_by = "requests"
"""


def _fill(ledger: Ledger, catalog: PriceCatalog) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    records = [
        # $0.0045 each: 1,000 input tokens at $3 and 100 output at $15 per million.
        UsageRecord(
            id=f"s{i}",
            timestamp=start + timedelta(days=i),
            provider="anthropic",
            model="claude-sonnet-4-20250514",
            input_tokens=1000,
            output_tokens=100,
            feature="support-bot",
        )
        for i in range(10)
    ] + [
        # $0.01 each: 2,000 input tokens at $2.50 and 500 output at $10 per million.
        UsageRecord(
            id=f"c{i}",
            timestamp=start + timedelta(days=20 + i),
            provider="openai",
            model="gpt-4o-2024-08-06",
            input_tokens=2000,
            output_tokens=500,
            feature="coding-agent",
        )
        for i in range(5)
    ]
    ledger.insert(records_to_arrow(records), catalog)


def _config(tmp_path: Path, body: str = CONFIG) -> CostStackConfig:
    path = tmp_path / "truecost.toml"
    path.write_text(body, encoding="utf-8")
    stack = load_config(path).coststack
    assert stack is not None
    return stack


def test_month_per_feature(ledger: Ledger, catalog: PriceCatalog, tmp_path: Path) -> None:
    _fill(ledger, catalog)
    report = tco_report(ledger.con, _config(tmp_path), month_period("2026-03"))
    support, coding = report.features[1], report.features[0]
    assert support.feature == "support-bot"
    categories = support.by_category()
    assert categories["tokens"].mid_usd == Decimal("0.045")
    assert categories["engineering"].low_usd == Decimal(1000)
    assert categories["engineering"].high_usd == Decimal(2000)
    assert categories["infrastructure"].mid_usd == Decimal(300)
    # 10 x $0.50 per request plus 10/15 of the shared $150.
    assert categories["monitoring"].mid_usd == Decimal(105)
    # 5 tickets x 50% sampled x 6 minutes at $60 an hour.
    assert categories["evaluation"].mid_usd == Decimal(15)
    assert support.total.mid_usd == Decimal("1920.045")
    assert support.usd_per_request is not None
    assert support.usd_per_request.mid_usd == Decimal("192.0045")
    assert support.usd_per_outcome is not None
    assert support.usd_per_outcome.mid_usd == Decimal("384.009")
    # Complex default: 40-80 hours at $100, plus 5/15 of the shared $150.
    assert coding.by_category()["engineering"].mid_usd == Decimal(6000)
    assert coding.total.mid_usd == Decimal("6050.05")
    assert report.total.mid_usd == Decimal("7970.095")


def test_human_baseline(ledger: Ledger, catalog: PriceCatalog, tmp_path: Path) -> None:
    _fill(ledger, catalog)
    report = tco_report(ledger.con, _config(tmp_path), month_period("2026-03"))
    human = report.features[1].human
    assert human is not None
    # $4,000 / (60 x 20), $5,000 / (50 x 20), $6,000 / (40 x 20) per ticket.
    assert human.usd_per_outcome.low_usd == Decimal(4000) / Decimal(1200)
    assert human.usd_per_outcome.mid_usd == Decimal(5)
    assert human.usd_per_outcome.high_usd == Decimal("7.5")
    assert human.usd.mid_usd == Decimal(25)


def test_period_prorates_monthly(ledger: Ledger, catalog: PriceCatalog, tmp_path: Path) -> None:
    _fill(ledger, catalog)
    period = Period(datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC))
    assert period.months == Decimal(10) / Decimal(31)
    report = tco_report(ledger.con, _config(tmp_path), period, only=["support-bot"])
    support = report.features[0]
    assert support.requests == 10
    assert support.by_category()["infrastructure"].mid_usd == Decimal(300) * Decimal(10) / Decimal(
        31
    )


def test_period_across_months() -> None:
    period = Period(datetime(2026, 2, 20, tzinfo=UTC), datetime(2026, 3, 11, tzinfo=UTC))
    # February 20-28 of a 28-day February, then March 1-10 of 31 days.
    expected = Decimal(9 * 86400) / Decimal(28 * 86400) + Decimal(10 * 86400) / Decimal(31 * 86400)
    assert period.months == expected


def test_shared_by_spend_and_weights(ledger: Ledger, catalog: PriceCatalog, tmp_path: Path) -> None:
    _fill(ledger, catalog)
    body = CONFIG.replace('allocate_by = "requests"', 'allocate_by = "spend"')
    body += """
[[coststack.shared]]
name = "platform"
monthly_usd = 400
allocate_by = "weights"
weights = { support-bot = 3, coding-agent = 1 }
"""
    report = tco_report(ledger.con, _config(tmp_path, body), month_period("2026-03"))
    lines = {
        (f.feature, line.label): line.amount.mid_usd
        for f in report.features
        for line in f.lines
        if line.label.endswith("(shared)")
    }
    # Token spend $0.045 and $0.05.
    assert lines[("support-bot", "observability (shared)")] == Decimal(150) * Decimal(
        "0.045"
    ) / Decimal("0.095")
    assert lines[("support-bot", "platform (shared)")] == Decimal(300)
    assert lines[("coding-agent", "platform (shared)")] == Decimal(100)


def test_rows_for_reports(ledger: Ledger, catalog: PriceCatalog, tmp_path: Path) -> None:
    _fill(ledger, catalog)
    rows = cost_stack_rows(tco_report(ledger.con, _config(tmp_path), month_period("2026-03")))
    support_tokens = next(
        r for r in rows if r["feature"] == "support-bot" and r["category"] == "tokens"
    )
    assert support_tokens["mid_usd"] == Decimal("0.045")
    assert support_tokens["share"] == Decimal("0.045") / Decimal("1920.045")


def test_tco_cli_json(
    ledger: Ledger, catalog: PriceCatalog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(ledger, catalog)
    ledger.close()
    config = tmp_path / "truecost.toml"
    config.write_text(CONFIG, encoding="utf-8")
    args = ["tco", "--ledger", str(tmp_path / "ledger.duckdb"), "--config", str(config)]
    assert main([*args, "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert '"mid_usd": 7970.095' in out
    assert main([*args, "--month", "2026-13"]) == 2
    assert "invalid --month '2026-13'" in capsys.readouterr().err
    assert main([*args, "--feature", "nope"]) == 2
    assert "unknown feature 'nope'" in capsys.readouterr().err
