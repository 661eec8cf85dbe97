"""Period-end spend forecast from a daily series: a linear trend times a weekday pattern.

The 80% interval is the wider of two intervals. One is the least-squares
prediction interval of the fit. The other comes from the model's own past
errors: the same fit, made at each earlier day, forecast the same number of
days ahead, and the spread of those relative errors is applied to today's
forecast. Least squares alone assumes independent, normal daily noise and a
correct trend, so it was too narrow on spiky, autocorrelated spend. The past
errors alone come from few independent windows, because consecutive windows
overlap, so their spread understates the tails.

The statistics run on floats because they are estimates. What was already spent
stays an exact Decimal, and each forecast is rounded to the micro-dollar before
it is added to it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import numpy as np

from truecost.analyses.periods import ONE_DAY, Period, midnight
from truecost.outputs.render import micro_usd

# The weekday pattern is read from up to 8 weeks; the trend from the last 4.
HISTORY_DAYS = 56
TREND_DAYS = 28
# Below two weeks of history a weekday pattern or a slope is mostly noise.
MIN_PATTERN_DAYS = 14
# Two-sided 80% interval of a normal distribution.
Z_80 = 1.2816
# Tail share on each side of the 80% interval.
TAIL_SHARE = 0.1
# Past forecast errors are read from cut-off days within this many days before
# today: 13 weeks, long enough for a month-long horizon to leave about 60 of them.
ERROR_LOOKBACK_DAYS = 91

METHOD_TREND_WEEKDAY = "trend+weekday"
METHOD_MEAN = "daily mean"
METHOD_STRAIGHT = "straight-line"


@dataclass(frozen=True)
class PeriodForecast:
    """Spend of a period so far and the forecast of its total, with an 80% interval."""

    period: Period
    as_of: datetime
    spent_usd: Decimal
    forecast_usd: Decimal
    low_usd: Decimal
    high_usd: Decimal
    straight_line_usd: Decimal | None
    method: str
    history_days: int


FitCache = dict[date, "_Fit"]
"""Fits by cut-off day. A fit at a cut-off reads only the days before it, so one
cache serves every forecast over the same daily series (the backtest keeps one)."""


@dataclass(frozen=True)
class _Fit:
    """A weekday-adjusted linear trend: ``spend(day) = (level + slope * offset) * factor[weekday]``.

    ``sigma`` is the residual standard deviation of the adjusted series and
    ``covariance`` the covariance of (level, slope) divided by ``sigma`` squared.
    """

    level: float
    slope: float
    origin: date
    factors: list[float]
    sigma: float
    covariance: np.ndarray

    def predict(self, day: date) -> float:
        offset = (day - self.origin).days
        return max(0.0, self.level + self.slope * offset) * self.factors[day.weekday()]

    def spread(self, days: list[tuple[date, float]]) -> float:
        """Return the half-width of the 80% interval of the sum over ``days`` (day, share of day).

        Ordinary least squares prediction variance: the noise of each day plus
        the uncertainty of the fitted level and slope, which all days share.
        """
        weights = [self.factors[day.weekday()] * share for day, share in days]
        noise = sum(w * w for w in weights)
        gradient = np.array(
            [
                sum(weights),
                sum(
                    w * (day - self.origin).days for w, (day, _) in zip(weights, days, strict=True)
                ),
            ]
        )
        parameters = float(gradient @ self.covariance @ gradient)
        return Z_80 * self.sigma * math.sqrt(noise + parameters)


def straight_line(period: Period, as_of: datetime, spent_usd: Decimal) -> Decimal | None:
    """Project the spend so far at the same rate to the period's end; None before any time elapsed."""
    elapsed = Decimal((as_of - period.start).total_seconds())
    if elapsed <= 0:
        return None
    total = Decimal((period.end - period.start).total_seconds())
    return micro_usd(spent_usd * total / elapsed)


def forecast_period(
    daily: Mapping[date, Decimal],
    first: date | None,
    period: Period,
    as_of: datetime,
    spent_usd: Decimal,
    fits: FitCache | None = None,
) -> PeriodForecast:
    """Forecast the total spend of ``period`` at ``as_of``.

    ``daily`` is the spend per UTC day, ``first`` the first day the ledger covers
    (days from then on without spend count as zero), and ``spent_usd`` the exact
    spend from the period's start to ``as_of``. ``fits`` caches the fits at past
    cut-off days across calls over the same series; it never changes the result.
    """
    today = as_of.date()
    history = _history(daily, first, today)
    linear = straight_line(period, as_of, spent_usd)
    remaining_days = _remaining_fractions(period, as_of)
    if not history:
        estimate = linear if linear is not None else spent_usd
        return PeriodForecast(
            period,
            as_of,
            spent_usd,
            estimate,
            spent_usd,
            max(estimate, spent_usd),
            linear,
            METHOD_STRAIGHT,
            0,
        )
    fit = _fit(history, today)
    remaining = sum(fit.predict(day) * fraction for day, fraction in remaining_days)
    spread = fit.spread(remaining_days)
    low, high = remaining - spread, remaining + spread
    shares = [fraction for _, fraction in remaining_days]
    errors = _past_errors(daily, first, today, shares, {} if fits is None else fits)
    bounds = error_quantiles(errors)
    if bounds is not None:
        low = min(low, remaining * (1 + bounds[0]))
        high = max(high, remaining * (1 + bounds[1]))
    method = METHOD_TREND_WEEKDAY if len(history) >= MIN_PATTERN_DAYS else METHOD_MEAN
    return PeriodForecast(
        period=period,
        as_of=as_of,
        spent_usd=spent_usd,
        forecast_usd=spent_usd + _usd(remaining),
        low_usd=spent_usd + _usd(max(0.0, low)),
        high_usd=spent_usd + _usd(high),
        straight_line_usd=linear,
        method=method,
        history_days=len(history),
    )


def error_quantiles(errors: list[float]) -> tuple[float, float] | None:
    """Return the 10% and 90% bounds of ``errors``, or None when there are too few.

    The bounds are the order statistics that split-conformal prediction uses:
    the ``floor((n + 1) * 0.1)``-th and ``ceil((n + 1) * 0.9)``-th smallest of
    ``n`` errors, which needs at least 9 errors. Plain sample quantiles of so
    few errors would make the interval too narrow.
    """
    count = len(errors)
    low_rank = math.floor((count + 1) * TAIL_SHARE)
    high_rank = math.ceil((count + 1) * (1 - TAIL_SHARE))
    if low_rank < 1 or high_rank > count:
        return None
    ordered = sorted(errors)
    return ordered[low_rank - 1], ordered[high_rank - 1]


def _past_errors(
    daily: Mapping[date, Decimal],
    first: date | None,
    today: date,
    shares: list[float],
    fits: FitCache,
) -> list[float]:
    """Return the relative errors of past forecasts over windows shaped like ``shares``.

    For each cut-off day within ``ERROR_LOOKBACK_DAYS`` whose window of
    ``len(shares)`` days ended before ``today``, the model is fitted on the days
    before the cut-off only, as it would have been then. The error is
    (actual - forecast) / forecast of the window's spend, each day weighted by its
    share. Cut-offs with less than ``MIN_PATTERN_DAYS`` of history are skipped,
    so every past fit has a weekday pattern and a trend like today's.
    """
    if first is None or not shares:
        return []
    cut = max(first + timedelta(days=MIN_PATTERN_DAYS), today - timedelta(days=ERROR_LOOKBACK_DAYS))
    errors: list[float] = []
    while cut + timedelta(days=len(shares)) <= today:
        if cut not in fits:
            fits[cut] = _fit(_history(daily, first, cut), cut)
        window = [(cut + timedelta(days=i), share) for i, share in enumerate(shares)]
        forecast = sum(fits[cut].predict(day) * share for day, share in window)
        actual = sum(float(daily.get(day, 0)) * share for day, share in window)
        if forecast > 0:
            errors.append((actual - forecast) / forecast)
        cut += timedelta(days=1)
    return errors


def _usd(value: float) -> Decimal:
    return micro_usd(Decimal(repr(value)))


def _history(
    daily: Mapping[date, Decimal], first: date | None, today: date
) -> list[tuple[date, float]]:
    """Return the complete days before ``today`` that the ledger covers, at most ``HISTORY_DAYS``."""
    if first is None or first >= today:
        return []
    start = max(first, today - timedelta(days=HISTORY_DAYS))
    days = [start + timedelta(days=i) for i in range((today - start).days)]
    return [(day, float(daily.get(day, 0))) for day in days]


def _remaining_fractions(period: Period, as_of: datetime) -> list[tuple[date, float]]:
    """Return each day left in the period with the share of it still ahead of ``as_of``."""
    fractions: list[tuple[date, float]] = []
    day_start = midnight(as_of.date())
    while day_start < period.end:
        ahead = min(day_start + ONE_DAY, period.end) - max(day_start, as_of)
        share = ahead / ONE_DAY
        if share > 0:
            fractions.append((day_start.date(), share))
        day_start += ONE_DAY
    return fractions


def _weekday_factors(history: list[tuple[date, float]]) -> list[float]:
    """Return each weekday's median spend relative to the mean of the seven medians.

    Medians rather than means, so that one spike does not raise its weekday for weeks.
    """
    if len(history) < MIN_PATTERN_DAYS:
        return [1.0] * 7
    values = np.array([v for _, v in history])
    weekdays = np.array([d.weekday() for d, _ in history])
    medians = [float(np.median(values[weekdays == w])) for w in range(7)]
    total = sum(medians)
    if total <= 0:
        return [1.0] * 7
    return [m * 7 / total for m in medians]


def _fit(history: list[tuple[date, float]], origin: date) -> _Fit:
    factors = _weekday_factors(history)
    window = history[-TREND_DAYS:]
    points = [
        ((day - origin).days, value / factors[day.weekday()])
        for day, value in window
        if factors[day.weekday()] > 0
    ]
    with_trend = len(history) >= MIN_PATTERN_DAYS and len(points) >= 3
    fit = _least_squares(points, factors, origin, with_trend)
    # Refit without the days far off the first fit, so that one spike does not tilt the trend.
    residuals = np.array([z - (fit.level + fit.slope * t) for t, z in points])
    if len(points) >= 7 and fit.sigma > 0:
        mad = float(np.median(np.abs(residuals - np.median(residuals))))
        kept = [p for p, r in zip(points, residuals, strict=True) if abs(r) <= 3.5 * 1.4826 * mad]
        if len(kept) >= max(3, len(points) // 2):
            fit = _least_squares(kept, factors, origin, with_trend)
    return fit


def _least_squares(
    points: list[tuple[int, float]], factors: list[float], origin: date, with_trend: bool
) -> _Fit:
    offsets = np.array([t for t, _ in points], dtype=float)
    levels = np.array([z for _, z in points], dtype=float)
    if not points:
        return _Fit(0.0, 0.0, origin, factors, 0.0, np.zeros((2, 2)))
    if with_trend:
        design = np.column_stack([np.ones_like(offsets), offsets])
    else:
        design = np.ones((len(points), 1))
    coefficients, *_ = np.linalg.lstsq(design, levels, rcond=None)
    dof = max(len(points) - design.shape[1], 1)
    residuals = levels - design @ coefficients
    sigma = math.sqrt(float(residuals @ residuals) / dof)
    inverse = np.linalg.pinv(design.T @ design)
    covariance = np.zeros((2, 2))
    covariance[: inverse.shape[0], : inverse.shape[1]] = inverse
    slope = float(coefficients[1]) if with_trend else 0.0
    return _Fit(float(coefficients[0]), slope, origin, factors, sigma, covariance)
