"""Spike detection: a day whose spend is far above what that day usually costs.

Two rules are available. ``trailing`` compares the day with ``factor`` times
the mean of the ``window_days`` days before it. ``weekday`` compares it with the
median of the same weekday over the previous ``weeks`` weeks, and fires only
when the day is also ``mad_z`` scaled median absolute deviations above that
median, so a regular weekly pattern (a Monday batch job, quiet weekends) never
fires. Both skip days below ``min_usd``.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import duckdb

from truecost.analyses.daily import daily_spend, daily_spend_by, first_day
from truecost.analyses.spend import Selection

SPIKE_METHODS = ("weekday", "trailing")
# The MAD of a normal distribution times this constant estimates its standard deviation.
MAD_TO_SIGMA = Decimal("1.4826")
TOTAL_SCOPE = "total"


@dataclass(frozen=True)
class SpikeSettings:
    """Parameters of spike detection; ``by`` names the dimensions checked besides the total."""

    method: str = "weekday"
    factor: Decimal = Decimal(2)
    window_days: int = 14
    weeks: int = 6
    mad_z: Decimal = Decimal("3.5")
    min_usd: Decimal = Decimal(10)
    min_history_days: int = 7
    by: tuple[str, ...] = ("feature",)


@dataclass(frozen=True)
class Spike:
    """A day whose spend passed the threshold of its rule."""

    day: date
    dimension: str
    value: str
    usd: Decimal
    baseline_usd: Decimal
    threshold_usd: Decimal
    method: str

    @property
    def scope(self) -> str:
        """Return ``total`` or ``dimension=value``."""
        return TOTAL_SCOPE if self.dimension == TOTAL_SCOPE else f"{self.dimension}={self.value}"


Baseline = tuple[Decimal, Decimal]  # (baseline_usd, threshold_usd)


def trailing_threshold(
    series: Mapping[date, Decimal], first: date, day: date, settings: SpikeSettings
) -> Baseline | None:
    """Return the trailing mean before ``day`` and ``factor`` times it; None without enough history."""
    days = [day - timedelta(days=i) for i in range(1, settings.window_days + 1)]
    covered = [d for d in days if d >= first]
    if len(covered) < settings.min_history_days:
        return None
    mean = sum((series.get(d, Decimal(0)) for d in covered), Decimal(0)) / len(covered)
    return mean, mean * settings.factor


def weekday_threshold(
    series: Mapping[date, Decimal], first: date, day: date, settings: SpikeSettings
) -> Baseline | None:
    """Return the same-weekday median and the larger of ``factor`` times it and median + ``mad_z`` MADs."""
    days = [day - timedelta(weeks=i) for i in range(1, settings.weeks + 1)]
    samples = [series.get(d, Decimal(0)) for d in days if d >= first]
    # Three same-weekday samples are the fewest with a meaningful median and MAD.
    if len(samples) < 3:
        return None
    median = Decimal(statistics.median(samples))
    mad = Decimal(statistics.median([abs(s - median) for s in samples]))
    threshold = max(median * settings.factor, median + settings.mad_z * MAD_TO_SIGMA * mad)
    return median, threshold


THRESHOLDS: dict[
    str, Callable[[Mapping[date, Decimal], date, date, SpikeSettings], Baseline | None]
] = {
    "trailing": trailing_threshold,
    "weekday": weekday_threshold,
}


def check_day(
    series: Mapping[date, Decimal],
    first: date,
    day: date,
    settings: SpikeSettings,
    dimension: str = TOTAL_SCOPE,
    value: str = "",
) -> Spike | None:
    """Return the spike of ``day`` in one series, or None when the day is within its usual range."""
    usd = series.get(day, Decimal(0))
    if usd < settings.min_usd:
        return None
    baseline = THRESHOLDS[settings.method](series, first, day, settings)
    if baseline is None or usd <= baseline[1]:
        return None
    return Spike(day, dimension, value, usd, baseline[0], baseline[1], settings.method)


def detect_spikes(
    con: duckdb.DuckDBPyConnection,
    days: list[date],
    settings: SpikeSettings,
    selection: Selection,
) -> list[Spike]:
    """Check each of ``days`` in total and per value of each ``settings.by`` dimension.

    Spend of a day still in progress counts as it stands, so a day fires as soon
    as its partial spend passes the threshold.
    """
    first = first_day(con, selection)
    if first is None or not days:
        return []
    scoped = Selection(until=selection.until, filters=selection.filters)
    spikes: list[Spike] = []
    total = daily_spend(con, scoped)
    for day in days:
        found = check_day(total, first, day, settings)
        if found is not None:
            spikes.append(found)
    for dimension in settings.by:
        for value, series in sorted(daily_spend_by(con, dimension, scoped).items()):
            for day in days:
                found = check_day(series, first, day, settings, dimension, value)
                if found is not None:
                    spikes.append(found)
    return spikes
