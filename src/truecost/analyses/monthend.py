"""Month-end spend forecast over the ledger, and its backtest against the straight line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

import duckdb

from truecost.analyses.daily import daily_spend, first_day, last_day
from truecost.analyses.forecast_model import FitCache, PeriodForecast, forecast_period
from truecost.analyses.periods import Period, midnight, period_containing
from truecost.analyses.spend import Selection
from truecost.errors import InputError
from truecost.ledger.sql import first_row

# A month enters the backtest only after four weeks of history, so that the
# weekday pattern and the trend have data to learn from.
MIN_BACKTEST_HISTORY_DAYS = 28
# Days of the month that make up each stage in the backtest summary.
STAGES = (("days 1-10", 1, 10), ("days 11-20", 11, 20), ("days 21-31", 21, 31))


def spent_between(
    con: duckdb.DuckDBPyConnection, selection: Selection, since: datetime, until: datetime
) -> Decimal:
    """Return the exact priced spend of the selection in ``[since, until)``."""
    scoped = Selection(since=since, until=until, filters=selection.filters)
    where, params = scoped.where_sql()
    row = first_row(
        con.execute(f"SELECT coalesce(sum(cost_usd), 0) FROM records WHERE {where}", params)
    )
    return Decimal(row[0]) if row else Decimal(0)


def period_forecast(
    con: duckdb.DuckDBPyConnection, period: Period, as_of: datetime, selection: Selection
) -> PeriodForecast:
    """Forecast the total spend of ``period`` (which contains ``as_of``) from the ledger."""
    history_selection = Selection(until=as_of, filters=selection.filters)
    daily = daily_spend(con, history_selection)
    spent = spent_between(con, selection, period.start, as_of)
    return forecast_period(daily, first_day(con, history_selection), period, as_of, spent)


def month_end_forecast(
    con: duckdb.DuckDBPyConnection, as_of: datetime, selection: Selection
) -> PeriodForecast:
    """Forecast the spend of the month containing ``as_of``; ``selection`` gives the filters."""
    return period_forecast(con, period_containing("month", as_of), as_of, selection)


@dataclass(frozen=True)
class BacktestMonth:
    """Errors of the forecasts made at the end of each day of one past month."""

    month: str
    actual_usd: Decimal
    forecasts: int
    mape_model_pct: float
    mape_straight_pct: float
    coverage_pct: float


@dataclass(frozen=True)
class BacktestResult:
    """Mean absolute percentage errors over every replayed day, overall and by stage of the month."""

    months: list[BacktestMonth]
    forecasts: int
    mape_model_pct: float
    mape_straight_pct: float
    coverage_pct: float
    stages: list[tuple[str, float, float]] = field(default_factory=list)


@dataclass
class _Errors:
    model: list[float] = field(default_factory=list)
    straight: list[float] = field(default_factory=list)
    covered: list[bool] = field(default_factory=list)
    day_of_month: list[int] = field(default_factory=list)


def backtest(
    con: duckdb.DuckDBPyConnection,
    selection: Selection,
    min_history_days: int = MIN_BACKTEST_HISTORY_DAYS,
) -> BacktestResult:
    """Replay every complete past month day by day and measure both forecasts against its total.

    At the end of each day but the last, the month-end forecast and the
    straight-line projection are made from what the ledger held then. A month
    counts when the ledger covers all of it plus ``min_history_days`` before it.
    """
    first = first_day(con, selection)
    last = last_day(con, selection)
    if first is None or last is None:
        raise InputError(
            "the ledger holds no records for this selection, so there is nothing to replay."
        )
    daily = daily_spend(con, selection)
    months = _complete_months(first, last, min_history_days)
    if not months:
        raise InputError(
            f"the ledger covers {first} to {last}; a backtest needs at least one complete month "
            f"with {min_history_days} days of history before it. Import more history."
        )
    results: list[BacktestMonth] = []
    errors = _Errors()
    fits: FitCache = {}
    for month in months:
        replayed = _replay_month(daily, first, month, errors, fits)
        if replayed is not None:
            results.append(replayed)
    return _summarise(results, errors)


def _complete_months(first: date, last: date, min_history_days: int) -> list[Period]:
    months: list[Period] = []
    month = period_containing("month", midnight(first + timedelta(days=min_history_days)))
    if month.start.date() < first + timedelta(days=min_history_days):
        month = period_containing("month", month.end)
    while month.end.date() <= last + timedelta(days=1):
        months.append(month)
        month = period_containing("month", month.end)
    return months


def _replay_month(
    daily: Mapping[date, Decimal], first: date, month: Period, errors: _Errors, fits: FitCache
) -> BacktestMonth | None:
    days = [month.start.date() + timedelta(days=i) for i in range(month.days)]
    actual = sum((daily.get(day, Decimal(0)) for day in days), Decimal(0))
    if actual <= 0:
        return None
    model_errors: list[float] = []
    straight_errors: list[float] = []
    covered: list[bool] = []
    spent = Decimal(0)
    for index, day in enumerate(days[:-1]):
        spent += daily.get(day, Decimal(0))
        as_of = midnight(day + timedelta(days=1))
        known = {d: v for d, v in daily.items() if d <= day}
        result = forecast_period(known, first, month, as_of, spent, fits)
        straight = result.straight_line_usd if result.straight_line_usd is not None else spent
        model_errors.append(float(abs(result.forecast_usd - actual) / actual * 100))
        straight_errors.append(float(abs(straight - actual) / actual * 100))
        covered.append(result.low_usd <= actual <= result.high_usd)
        errors.day_of_month.append(index + 1)
    errors.model.extend(model_errors)
    errors.straight.extend(straight_errors)
    errors.covered.extend(covered)
    return BacktestMonth(
        month=month.key,
        actual_usd=actual,
        forecasts=len(model_errors),
        mape_model_pct=_mean(model_errors),
        mape_straight_pct=_mean(straight_errors),
        coverage_pct=_mean([100.0 if c else 0.0 for c in covered]),
    )


def _summarise(months: list[BacktestMonth], errors: _Errors) -> BacktestResult:
    stages = []
    for label, low, high in STAGES:
        picked = [i for i, d in enumerate(errors.day_of_month) if low <= d <= high]
        if picked:
            stages.append(
                (
                    label,
                    _mean([errors.model[i] for i in picked]),
                    _mean([errors.straight[i] for i in picked]),
                )
            )
    return BacktestResult(
        months=months,
        forecasts=len(errors.model),
        mape_model_pct=_mean(errors.model),
        mape_straight_pct=_mean(errors.straight),
        coverage_pct=_mean([100.0 if c else 0.0 for c in errors.covered]),
        stages=stages,
    )


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
