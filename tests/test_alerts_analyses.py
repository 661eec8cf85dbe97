"""Periods, spike rules, the month-end forecast, its backtest and period comparison."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from alerts_helpers import GPT4O, call, fill, steady
from synthetic_usage import InjectedSpike, synthetic_records
from truecost.analyses.budgets import Budget, budget_status
from truecost.analyses.compare import compare
from truecost.analyses.monthend import backtest, month_end_forecast
from truecost.analyses.periods import parse_period, period_containing
from truecost.analyses.spend import Selection
from truecost.analyses.spikes import SpikeSettings, detect_spikes
from truecost.errors import InputError
from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog
from truecost.record import records_to_arrow

START = date(2026, 1, 5)  # a Monday


def at(day: date, hour: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_period_keys_and_bounds() -> None:
    when = at(date(2026, 3, 15), 10)
    assert period_containing("day", when).key == "2026-03-15"
    week = period_containing("week", when)
    assert week.key == "2026-W11"
    assert week.start == at(date(2026, 3, 9))
    month = period_containing("month", when)
    assert (month.key, month.days) == ("2026-03", 31)
    assert month.previous().key == "2026-02"


def test_parse_period_named_and_relative() -> None:
    when = at(date(2026, 3, 15))
    assert parse_period("month", when) == (period_containing("month", when), True)
    assert parse_period("2026-W11", when)[0].start == at(date(2026, 3, 9))
    assert parse_period("2026-02", when)[0].days == 28
    assert parse_period("2026-03-01", when)[1] is False
    with pytest.raises(InputError, match="invalid period 'quarter'"):
        parse_period("quarter", when)


@pytest.mark.parametrize(("usd", "fires"), [(60, False), (63, True)])
def test_trailing_spike_boundary(
    ledger: Ledger, catalog: PriceCatalog, usd: int, fires: bool
) -> None:
    day = START + timedelta(days=14)
    fill(ledger, catalog, [*steady(START, 14, 30), call(day, usd, "chat")])
    settings = SpikeSettings(method="trailing", by=())
    spikes = detect_spikes(ledger.con, [day], settings, Selection())
    assert bool(spikes) is fires
    if fires:
        assert spikes[0].baseline_usd == Decimal(30)
        assert spikes[0].threshold_usd == Decimal(60)
        assert spikes[0].usd == Decimal(63)


@pytest.mark.parametrize(("usd", "fires"), [(60, False), (63, True)])
def test_weekday_spike_boundary(
    ledger: Ledger, catalog: PriceCatalog, usd: int, fires: bool
) -> None:
    day = START + timedelta(weeks=6)
    fill(ledger, catalog, [*steady(START, 42, 30), call(day, usd, "chat")])
    spikes = detect_spikes(ledger.con, [day], SpikeSettings(by=()), Selection())
    assert bool(spikes) is fires


def test_spike_below_minimum_amount_is_ignored(ledger: Ledger, catalog: PriceCatalog) -> None:
    day = START + timedelta(days=14)
    fill(ledger, catalog, [*steady(START, 14, 3), call(day, 9, "chat")])
    assert (
        detect_spikes(ledger.con, [day], SpikeSettings(method="trailing", by=()), Selection()) == []
    )
    lower = SpikeSettings(method="trailing", by=(), min_usd=Decimal(9))
    assert len(detect_spikes(ledger.con, [day], lower, Selection())) == 1


def test_weekly_batch_fires_trailing_but_not_weekday(ledger: Ledger, catalog: PriceCatalog) -> None:
    mondays = [call(START + timedelta(weeks=w), 150, "digest") for w in range(9)]
    fill(ledger, catalog, [*steady(START, 63, 30), *mondays])
    monday = START + timedelta(weeks=8)
    trailing = detect_spikes(ledger.con, [monday], SpikeSettings(method="trailing"), Selection())
    weekday = detect_spikes(ledger.con, [monday], SpikeSettings(method="weekday"), Selection())
    assert [s.scope for s in trailing] == ["total", "feature=digest"]
    assert weekday == []


def test_spike_per_feature_names_the_feature(ledger: Ledger, catalog: PriceCatalog) -> None:
    day = START + timedelta(weeks=6)
    records = [
        *steady(START, 43, 300, "chat"),
        *steady(START, 42, 30, "search"),
        call(day, 90, "search"),
    ]
    fill(ledger, catalog, records)
    spikes = detect_spikes(ledger.con, [day], SpikeSettings(), Selection())
    assert [(s.scope, s.usd, s.baseline_usd) for s in spikes] == [
        ("feature=search", Decimal(90), Decimal(30))
    ]


def test_forecast_of_a_flat_series(ledger: Ledger, catalog: PriceCatalog) -> None:
    fill(ledger, catalog, steady(date(2026, 1, 1), 45, 30))
    forecast = month_end_forecast(ledger.con, at(date(2026, 2, 15)), Selection())
    assert forecast.spent_usd == Decimal(14 * 30)
    assert forecast.forecast_usd == Decimal(28 * 30)
    assert forecast.low_usd == forecast.high_usd == Decimal(28 * 30)
    assert forecast.straight_line_usd == Decimal(28 * 30)
    assert forecast.method == "trend+weekday"


def test_forecast_learns_weekly_pattern(ledger: Ledger, catalog: PriceCatalog) -> None:
    # Weekdays $30, weekends $3: the straight line from a month starting on a
    # Sunday underestimates; the weekday pattern gets the total right.
    days = [date(2026, 1, 1) + timedelta(days=i) for i in range(90)]
    fill(ledger, catalog, [call(d, 3 if d.weekday() >= 5 else 30, "chat") for d in days])
    forecast = month_end_forecast(ledger.con, at(date(2026, 3, 3)), Selection())
    actual = sum(Decimal(3 if d.weekday() >= 5 else 30) for d in days if d.month == 3)
    assert forecast.forecast_usd == actual
    assert forecast.straight_line_usd is not None
    assert forecast.straight_line_usd < actual


def test_forecast_without_history_is_straight_line(ledger: Ledger, catalog: PriceCatalog) -> None:
    fill(ledger, catalog, [call(date(2026, 4, 1), 30, "chat")])
    forecast = month_end_forecast(ledger.con, at(date(2026, 4, 1), 18), Selection())
    assert forecast.method == "straight-line"
    assert forecast.forecast_usd == Decimal(1200)


def test_backtest_beats_straight_line_on_weekly_pattern(
    ledger: Ledger, catalog: PriceCatalog
) -> None:
    spikes = (InjectedSpike(date(2025, 10, 20), "search", 4.0),)
    ledger.insert(
        records_to_arrow(synthetic_records(date(2025, 9, 1), 122, spikes=spikes)), catalog
    )
    result = backtest(ledger.con, Selection())
    assert [m.month for m in result.months] == ["2025-10", "2025-11", "2025-12"]
    assert result.forecasts == 30 + 29 + 30
    assert result.mape_model_pct < result.mape_straight_pct


def test_backtest_needs_a_complete_month(ledger: Ledger, catalog: PriceCatalog) -> None:
    fill(ledger, catalog, steady(date(2026, 1, 1), 40, 30))
    with pytest.raises(InputError, match="needs at least one complete month"):
        backtest(ledger.con, Selection())


def test_compare_month_like_for_like(ledger: Ledger, catalog: PriceCatalog) -> None:
    records = [
        *steady(date(2026, 2, 1), 28, 30, "chat"),
        *steady(date(2026, 3, 1), 10, 30, "chat"),
        *[call(date(2026, 3, 1) + timedelta(days=i), 10, "search", model=GPT4O) for i in range(10)],
    ]
    fill(ledger, catalog, records)
    result = compare(ledger.con, "month", at(date(2026, 3, 11)), ["feature", "model"], Selection())
    assert result.like_for_like
    assert result.previous.until == at(date(2026, 2, 11))
    assert result.total.current_usd == Decimal(400)
    assert result.total.previous_usd == Decimal(300)
    top = result.top_driver()
    assert top is not None
    assert top.key == {"feature": "search", "model": "gpt-4o-2024-08-06"}
    assert top.change_pct is None


def test_compare_named_month_uses_whole_months(ledger: Ledger, catalog: PriceCatalog) -> None:
    fill(ledger, catalog, steady(date(2026, 1, 1), 59, 3))
    result = compare(ledger.con, "2026-02", None, ["feature"], Selection())
    assert not result.like_for_like
    assert (result.total.current_usd, result.total.previous_usd) == (Decimal(84), Decimal(93))
    assert result.rows[0].change_pct == Decimal(-9) / Decimal(93) * 100


def test_budget_status_thresholds(ledger: Ledger, catalog: PriceCatalog) -> None:
    fill(ledger, catalog, steady(date(2026, 1, 1), 60, 30))
    budget = Budget("org", "month", Decimal(840))
    below = budget_status(ledger.con, budget, at(date(2026, 2, 23)))
    assert below.spent_usd == Decimal(660)
    assert below.crossed_pct == []
    assert below.forecast_crossed_pct == [Decimal(100)]
    above = budget_status(ledger.con, budget, at(date(2026, 2, 24)))
    assert above.spent_usd == Decimal(690)
    assert above.crossed_pct == [Decimal(80)]
