"""HTML report sections that read other analyses and truecost.toml: shown when configured, else skipped."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from html_report_sample import fill_sample_ledger, parse_report
from truecost.analyses.spend import Selection
from truecost.analyses.tco import month_period, tco_report
from truecost.config import load_config
from truecost.ledger import Ledger
from truecost.outputs.coststack import format_amount
from truecost.outputs.html import write_report_files
from truecost.outputs.html.cells import share_cell, usd_cell
from truecost.pricing import PriceCatalog

COST_STACK_TOML = """
[coststack.features.chat]
engineering = { hours_per_month = "10-20", usd_per_hour = 120 }
infrastructure = { monthly_usd = 300 }
"""


@pytest.fixture
def sample_ledger(ledger: Ledger, catalog: PriceCatalog) -> Ledger:
    fill_sample_ledger(ledger, catalog)
    return ledger


@pytest.fixture(autouse=True)
def no_ambient_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep a developer's own truecost.toml or $TRUECOST_CONFIG out of these tests."""
    monkeypatch.delenv("TRUECOST_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


def write_page(ledger: Ledger, tmp_path: Path, config: str | None, **options: object) -> str:
    config_path = None
    if config is not None:
        config_path = tmp_path / "truecost.toml"
        config_path.write_text(config, encoding="utf-8")
    html_path = tmp_path / "report.html"
    selection = options.pop("selection", Selection())
    assert isinstance(selection, Selection)
    as_of = options.pop("as_of", None)
    assert as_of is None or isinstance(as_of, datetime)
    write_report_files(ledger.con, selection, as_of, html_path, None, config_path)
    return html_path.read_text(encoding="utf-8")


def test_cost_stack_table_equals_tco(sample_ledger: Ledger, tmp_path: Path) -> None:
    page = write_page(sample_ledger, tmp_path, COST_STACK_TOML)
    rows = parse_report(page).tables["cost-stack-by-feature"]
    stack = load_config(tmp_path / "truecost.toml").coststack
    assert stack is not None
    report = tco_report(sample_ledger.con, stack, month_period("2026-03"))
    cells = {(row[0], row[1]): row[2] for row in rows[1:]}
    for feature in report.features:
        for category, amount in feature.by_category().items():
            assert cells[(feature.feature, category)] == format_amount(amount, 6)
    # A whole month: 10-20 hours at $120, and $300 of servers.
    assert cells[("chat", "engineering")] == "$1,800.000000 ($1,200.000000-$2,400.000000)"
    assert cells[("chat", "infrastructure")] == "$300.000000"
    assert cells[("chat", "tokens")] == "$0.120000"
    assert report.total.mid_usd == Decimal("2100.280500")
    assert cells[("total", "")] == format_amount(report.total, 6)
    assert (
        "Costs of 2026-03, the month of the latest record."
        in parse_report(page).notes["cost-stack"]
    )


def test_cost_stack_skipped_without_table(sample_ledger: Ledger, tmp_path: Path) -> None:
    page = write_page(sample_ledger, tmp_path, "")
    parsed = parse_report(page)
    assert "cost-stack" in parsed.skipped
    assert parsed.notes["cost-stack"][0].startswith(
        "Not shown: the configuration has no [coststack] table."
    )
    assert "cost-stack-by-feature" not in parsed.tables


def test_cost_stack_skipped_without_file(sample_ledger: Ledger, tmp_path: Path) -> None:
    page = write_page(sample_ledger, tmp_path, None)
    assert "cost-stack" in parse_report(page).skipped


def test_cost_stack_prorates_selected_period(sample_ledger: Ledger, tmp_path: Path) -> None:
    selection = Selection(
        since=datetime(2026, 3, 1, tzinfo=UTC), until=datetime(2026, 3, 11, tzinfo=UTC)
    )
    page = write_page(sample_ledger, tmp_path, COST_STACK_TOML, selection=selection)
    parsed = parse_report(page)
    cells = {(row[0], row[1]): row[2] for row in parsed.tables["cost-stack-by-feature"][1:]}
    # 10 of March's 31 days: $300 × 10 / 31.
    assert cells[("chat", "infrastructure")] == "$96.774194"
    assert parsed.notes["cost-stack"][0] == (
        "Monthly costs are prorated to the selected period (10.00 days)."
    )


def test_cost_stack_unknown_feature_filter(sample_ledger: Ledger, tmp_path: Path) -> None:
    selection = Selection(
        since=datetime(2026, 3, 1, tzinfo=UTC),
        until=datetime(2026, 3, 11, tzinfo=UTC),
        filters=(("feature", "nobody"),),
    )
    page = write_page(sample_ledger, tmp_path, COST_STACK_TOML, selection=selection)
    parsed = parse_report(page)
    assert "cost-stack" in parsed.skipped
    assert "unknown feature 'nobody'" in parsed.notes["cost-stack"][0]


BUDGET_TOML = """
[[alerts.budgets]]
amount_usd = 1
"""


def test_month_end_table_equals_forecast(sample_ledger: Ledger, tmp_path: Path) -> None:
    from truecost.analyses.monthend import month_end_forecast

    page = write_page(sample_ledger, tmp_path, BUDGET_TOML)
    parsed = parse_report(page)
    rows = parsed.tables["month-end-forecast"]
    # Just after the latest record (search, 2026-03-10 13:00), so it counts as spent.
    as_of = datetime(2026, 3, 10, 13, 0, 0, 1, tzinfo=UTC)
    forecast = month_end_forecast(sample_ledger.con, as_of, Selection())
    cells = {row[0]: row for row in rows[1:]}
    assert forecast.spent_usd == Decimal("0.280500")
    assert cells["2026-03-10"][2] == "$0.280500"
    assert cells["2026-03-01"][1] == "$0.039000"
    assert cells["month end (forecast)"][3:] == [
        usd_cell(forecast.forecast_usd),
        usd_cell(forecast.low_usd),
        usd_cell(forecast.high_usd),
    ]
    assert cells["budget"][3] == "$1.000000"
    assert (
        f"<dt>forecast share of budget</dt><dd>{share_cell(forecast.forecast_usd, 1)}</dd>" in page
    )


def test_month_end_without_budget_notes_it(sample_ledger: Ledger, tmp_path: Path) -> None:
    page = write_page(sample_ledger, tmp_path, None)
    parsed = parse_report(page)
    assert "month-end" not in parsed.skipped
    assert "budget" not in {row[0] for row in parsed.tables["month-end-forecast"]}
    assert parsed.notes["month-end"][1] == (
        "No budget line: truecost.toml has no monthly [[alerts.budgets]] entry whose scope "
        "matches this report (all spend)."
    )


def test_month_end_budget_scope_must_match(sample_ledger: Ledger, tmp_path: Path) -> None:
    config = BUDGET_TOML + 'scope = { feature = "chat" }\n'
    page = write_page(sample_ledger, tmp_path, config)
    assert "budget" not in {row[0] for row in parse_report(page).tables["month-end-forecast"]}
    selection = Selection(filters=(("feature", "chat"),))
    page = write_page(sample_ledger, tmp_path, config, selection=selection)
    assert "budget" in {row[0] for row in parse_report(page).tables["month-end-forecast"]}


def test_savings_table_equals_replay(
    sample_ledger: Ledger, catalog: PriceCatalog, tmp_path: Path
) -> None:
    from truecost.savings.base import ReplayContext
    from truecost.savings.report import run_savings

    page = write_page(sample_ledger, tmp_path, None)
    rows = parse_report(page).tables["savings-waterfall"]
    report = run_savings(sample_ledger.con, ReplayContext(catalog=catalog), Selection())
    assert rows[1] == ["baseline", "", "", usd_cell(report.baseline_usd), ""]
    assert report.baseline_usd == Decimal("0.280500")
    level = report.baseline_usd
    for row, step in zip(rows[2:-1], report.combined, strict=True):
        level -= step.saved_usd
        assert row[0] == step.title
        assert row[1] == usd_cell(step.saved_usd)
        assert row[3] == usd_cell(level)
    assert rows[-1][0] == "optimized"
    assert rows[-1][1] == usd_cell(report.combined_saved_usd)
    assert rows[-1][3] == usd_cell(report.baseline_usd - report.combined_saved_usd)
