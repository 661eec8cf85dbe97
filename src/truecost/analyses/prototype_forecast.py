"""Forecast a feature's monthly cost from a measured sample of prototype requests.

Monthly token cost = mean cost per request x daily requests x days per month
x (1 + buffer). The interval on the mean is a percentile bootstrap with a fixed
seed, computed in float64 and rounded half to even to 1e-9 USD. The buffer
(default 30%) covers context growth, retries and edge cases a prototype misses.
Engineering hours come from the feature's ``[coststack]`` table or the default
hours of its complexity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb
import numpy as np

from truecost.analyses.coststack import Amount, Volume, item_amount
from truecost.analyses.scale import ScaleAdvice, scale_advice
from truecost.analyses.uncertainty import DEFAULT_SEED, FloatArray, usd_from_float
from truecost.config import TruecostConfig
from truecost.config.coststack import Complexity, CostStackConfig, FeatureStack
from truecost.errors import InputError

DEFAULT_RESAMPLES = 10_000
# Below this many requests a percentile bootstrap understates the spread of the mean.
MIN_TRUSTED_SAMPLE = 100
# The interval half-width, as a share of the mean, above which the sample is called too small.
TARGET_HALF_WIDTH = Decimal("0.10")
# Bound on the resample matrix (requests x resamples per chunk), about 32 MB of int64 indices.
_MAX_CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class ForecastInputs:
    """Settings of a forecast: expected daily volume, buffer, interval confidence and feature."""

    daily_requests: Decimal
    days_per_month: Decimal = Decimal(30)
    buffer_share: Decimal | None = None
    confidence: Decimal = Decimal("0.95")
    resamples: int = DEFAULT_RESAMPLES
    seed: int = DEFAULT_SEED
    feature: str | None = None
    complexity: Complexity | None = None


@dataclass
class SampleForecast:
    """The monthly cost a prototype sample implies at the expected volume."""

    sample_requests: int
    unpriced_requests: int
    mean_usd_per_request: Decimal
    interval_usd_per_request: tuple[Decimal, Decimal]
    inputs: ForecastInputs
    buffer_share: Decimal
    token_usd_per_month: Amount
    engineering_usd_per_month: Amount
    engineering_label: str
    scale: ScaleAdvice
    warnings: list[str] = field(default_factory=list)

    @property
    def total_usd_per_month(self) -> Amount:
        """Return the token cost with buffer plus engineering."""
        return self.token_usd_per_month + self.engineering_usd_per_month


def sample_costs(con: duckdb.DuckDBPyConnection, feature: str | None) -> tuple[list[Decimal], int]:
    """Return the cost of every priced request of the sample and the count of unpriced ones."""
    where, params = ("feature = ?", [feature]) if feature else ("TRUE", [])
    # A fixed order, so the seeded bootstrap draws the same resamples every run.
    rows = con.execute(
        f"SELECT cost_usd FROM records WHERE {where} ORDER BY ts, id", params
    ).fetchall()
    costs = [Decimal(row[0]) for row in rows if row[0] is not None]
    return costs, len(rows) - len(costs)


def bootstrap_mean_interval(
    costs: FloatArray, confidence: Decimal, resamples: int, seed: int
) -> tuple[float, float]:
    """Return the percentile-bootstrap interval of the mean of ``costs``."""
    rng = np.random.default_rng(seed)
    n = len(costs)
    chunk = max(1, min(resamples, _MAX_CHUNK_CELLS // n))
    means: list[FloatArray] = []
    done = 0
    while done < resamples:
        size = min(chunk, resamples - done)
        picks = rng.integers(0, n, size=(size, n))
        means.append(costs[picks].mean(axis=1))
        done += size
    tail = float((1 - confidence) / 2 * 100)
    low, high = np.percentile(np.concatenate(means), [tail, 100 - tail])
    return float(low), float(high)


def prototype_forecast(
    con: duckdb.DuckDBPyConnection, inputs: ForecastInputs, config: TruecostConfig
) -> SampleForecast:
    """Forecast the monthly cost of the sample's feature at ``inputs.daily_requests``."""
    if inputs.daily_requests <= 0:
        raise InputError(f"--daily-requests must be above 0, got {inputs.daily_requests}.")
    costs, unpriced = sample_costs(con, inputs.feature)
    if len(costs) < 2:
        scope = f" of feature '{inputs.feature}'" if inputs.feature else ""
        raise InputError(
            f"the sample has {len(costs)} priced requests{scope}; a forecast needs at least 2 "
            "(1,000 representative requests is a good sample)."
        )

    stack = config.coststack or CostStackConfig()
    buffer = inputs.buffer_share if inputs.buffer_share is not None else stack.forecast_buffer_share
    mean = sum(costs, Decimal(0)) / len(costs)
    as_floats = np.array([float(c) for c in costs], dtype=np.float64)
    low_f, high_f = bootstrap_mean_interval(
        as_floats, inputs.confidence, inputs.resamples, inputs.seed
    )
    low, high = usd_from_float(low_f), usd_from_float(high_f)

    monthly = inputs.daily_requests * inputs.days_per_month * (1 + buffer)
    engineering, label = _engineering(stack, inputs)
    result = SampleForecast(
        sample_requests=len(costs),
        unpriced_requests=unpriced,
        mean_usd_per_request=mean,
        interval_usd_per_request=(low, high),
        inputs=inputs,
        buffer_share=buffer,
        token_usd_per_month=Amount(low * monthly, mean * monthly, high * monthly),
        engineering_usd_per_month=engineering,
        engineering_label=label,
        scale=scale_advice(inputs.daily_requests, config.scale),
    )
    result.warnings = sample_warnings(len(costs), mean, low, high, inputs.confidence)
    if unpriced:
        result.warnings.append(
            f"{unpriced:,} requests of the sample have no known price and are left out; "
            "add their model to a --prices file."
        )
    return result


def sample_warnings(
    n: int, mean: Decimal, low: Decimal, high: Decimal, confidence: Decimal
) -> list[str]:
    """Warn when the sample is too small for the interval printed."""
    warnings: list[str] = []
    if n < MIN_TRUSTED_SAMPLE:
        warnings.append(
            f"the sample has only {n} requests: a bootstrap interval from fewer than "
            f"{MIN_TRUSTED_SAMPLE} is narrower than the truth; measure more requests."
        )
    if mean > 0:
        half_width = (high - low) / 2 / mean
        if half_width > TARGET_HALF_WIDTH:
            needed = math.ceil(n * (half_width / TARGET_HALF_WIDTH) ** 2)
            warnings.append(
                f"the {confidence * 100:.0f}% interval is ±{half_width * 100:.1f}% of the mean; "
                f"about {needed:,} requests would narrow it to ±{TARGET_HALF_WIDTH * 100:.0f}%."
            )
    return warnings


def _engineering(stack: CostStackConfig, inputs: ForecastInputs) -> tuple[Amount, str]:
    """Return the monthly engineering cost: the feature's own, else the complexity default."""
    configured = stack.features.get(inputs.feature or "")
    item = None
    if inputs.complexity is None and configured is not None:
        item = stack.engineering_item(configured)
    if item is None:
        item = stack.engineering_item(FeatureStack(complexity=inputs.complexity or "simple"))
    assert item is not None  # a feature with a complexity always has default hours
    requests = inputs.daily_requests * inputs.days_per_month
    outcomes = requests * (configured.outcome_ratio() if configured else Decimal(1))
    volume = Volume(months=Decimal(1), requests=requests, outcomes=outcomes)
    rate = stack.engineering_defaults.usd_per_hour
    return item_amount(item, volume, rate), item.name or "engineering"
