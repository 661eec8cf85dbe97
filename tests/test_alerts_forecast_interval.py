"""The 80% interval of the month-end forecast: past errors, their quantiles and the coverage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from synthetic_usage import InjectedSpike, synthetic_records
from truecost.analyses.forecast_model import FitCache, error_quantiles, forecast_period
from truecost.analyses.monthend import backtest, month_end_forecast
from truecost.analyses.periods import period_containing
from truecost.analyses.spend import Selection
from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog
from truecost.record import records_to_arrow

START = date(2026, 1, 5)  # a Monday


def synthetic_ledger(ledger: Ledger, catalog: PriceCatalog) -> None:
    spikes = (InjectedSpike(date(2025, 10, 20), "search", 4.0),)
    records = synthetic_records(date(2025, 9, 1), 122, spikes=spikes)
    ledger.insert(records_to_arrow(records), catalog)


def block_series() -> dict[date, Decimal]:
    """Return 4 weeks alternating $20 and $40 a day, then 4 weeks at $30 a day.

    Every weekday's median is $30, and the last 28 days lie on a flat line, so
    the least-squares interval has zero width. The fits made during the blocks
    missed by a lot, so the past errors are wide.
    """
    daily = {}
    for offset in range(56):
        day = START + timedelta(days=offset)
        if offset >= 28:
            daily[day] = Decimal(30)
        else:
            daily[day] = Decimal(20 if (offset // 7) % 2 == 0 else 40)
    return daily


def test_error_quantiles_need_nine_errors() -> None:
    assert error_quantiles([0.01 * i for i in range(8)]) is None
    assert error_quantiles([0.01 * i for i in range(9)]) == (0.0, 0.08)


def test_error_quantiles_conformal_ranks() -> None:
    # 19 errors: ranks floor(20 * 0.1) = 2 and ceil(20 * 0.9) = 18.
    errors = [float(i) for i in range(19, 0, -1)]
    assert error_quantiles(errors) == (2.0, 18.0)


def test_error_quantiles_of_no_errors() -> None:
    assert error_quantiles([]) is None


def test_interval_from_past_errors() -> None:
    as_of = datetime(2026, 3, 2, tzinfo=UTC)
    period = period_containing("month", as_of)
    forecast = forecast_period(block_series(), START, period, as_of, Decimal(30))
    assert forecast.forecast_usd == Decimal(31 * 30)
    assert forecast.low_usd == Decimal("378.906561")
    assert forecast.high_usd == Decimal("1238.930906")


def test_fit_cache_leaves_forecast_unchanged() -> None:
    daily = block_series()
    period = period_containing("month", datetime(2026, 3, 2, tzinfo=UTC))
    fits: FitCache = {}
    cached = []
    for as_of_day in (date(2026, 2, 27), date(2026, 3, 2)):
        as_of = datetime(as_of_day.year, as_of_day.month, as_of_day.day, tzinfo=UTC)
        known = {day: usd for day, usd in daily.items() if day < as_of_day}
        spent = sum((usd for day, usd in known.items() if day >= date(2026, 3, 1)), Decimal(0))
        cached.append(forecast_period(known, START, period, as_of, spent, fits))
        assert cached[-1] == forecast_period(known, START, period, as_of, spent)
    assert len(fits) > 0


def test_interval_brackets_forecast_every_day(ledger: Ledger, catalog: PriceCatalog) -> None:
    synthetic_ledger(ledger, catalog)
    for day in range(1, 31):
        as_of = datetime(2025, 12, day, 12, tzinfo=UTC)
        forecast = month_end_forecast(ledger.con, as_of, Selection())
        assert forecast.spent_usd <= forecast.low_usd, as_of
        assert forecast.low_usd <= forecast.forecast_usd, as_of
        assert forecast.forecast_usd <= forecast.high_usd, as_of


def test_backtest_coverage_near_nominal(ledger: Ledger, catalog: PriceCatalog) -> None:
    synthetic_ledger(ledger, catalog)
    result = backtest(ledger.con, Selection())
    assert result.forecasts == 89
    # 72 of 89 month totals inside the interval; least squares alone had 59 (66.3%).
    assert result.coverage_pct == 7200 / 89
    assert [m.coverage_pct for m in result.months] == [90.0, 2600 / 29, 1900 / 30]
    # The point forecast is the one before the interval changed.
    assert result.mape_model_pct == 4.19957819975737
    assert result.mape_straight_pct == 6.135401758828267
