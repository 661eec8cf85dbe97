"""Turning ranges into numbers: exact low, midpoint and high values, or Monte Carlo samples.

Cost formulas are written once, generic over ``N``: ``Decimal`` for the exact
point estimates and ``numpy`` float arrays for the simulation. A ``Resolver``
gives every range its value; the simulation draws each range uniformly between
its bounds from a generator with a fixed seed, so a run repeats exactly. Float
results are converted back to ``Decimal`` only at the output, rounded half to
even (see ``usd_from_float``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from truecost.config.values import Range

FloatArray = npt.NDArray[np.float64]
N = TypeVar("N", Decimal, FloatArray)
N_co = TypeVar("N_co", Decimal, FloatArray, covariant=True)

DEFAULT_SEED = 20_240_601
DEFAULT_SAMPLES = 10_000
PERCENTILES = (10, 50, 90)
NANO = Decimal("0.000000001")


class Resolver(Protocol[N_co]):
    """Gives each range and constant its value in one evaluation of a formula."""

    def pick(self, value: Range) -> N_co: ...

    def const(self, value: Decimal | int) -> N_co: ...


@dataclass(frozen=True)
class PointResolver:
    """Evaluates every range at its low bound, midpoint or high bound, exactly in ``Decimal``."""

    which: Literal["low", "mid", "high"] = "mid"

    def pick(self, value: Range) -> Decimal:
        if self.which == "low":
            return value.low
        return value.high if self.which == "high" else value.mid

    def const(self, value: Decimal | int) -> Decimal:
        return Decimal(value)


LOW = PointResolver("low")
MID = PointResolver("mid")
HIGH = PointResolver("high")


@dataclass
class SampleResolver:
    """Draws each range uniformly between its bounds, once per range object, ``samples`` times."""

    samples: int = DEFAULT_SAMPLES
    seed: int = DEFAULT_SEED
    _rng: np.random.Generator = field(init=False)
    # Keyed by id(); the Range itself is kept in the value so the id stays unique.
    _drawn: dict[int, tuple[Range, FloatArray]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.seed)

    def pick(self, value: Range) -> FloatArray:
        if value.is_exact:
            return self.const(value.low)
        key = id(value)
        if key not in self._drawn:
            drawn = self._rng.uniform(float(value.low), float(value.high), self.samples)
            self._drawn[key] = (value, drawn)
        return self._drawn[key][1]

    @property
    def drew_ranges(self) -> bool:
        """Return True once any range that is not a single value has been drawn."""
        return bool(self._drawn)

    def const(self, value: Decimal | int) -> FloatArray:
        return np.full(self.samples, float(value), dtype=np.float64)


def usd_from_float(value: float | np.floating[Any], places: Decimal = NANO) -> Decimal:
    """Convert a simulated float to ``Decimal`` via its shortest repr, rounded half to even."""
    return Decimal(repr(float(value))).quantize(places, rounding=ROUND_HALF_EVEN)


def percentiles(samples: FloatArray, places: Decimal = NANO) -> dict[int, Decimal]:
    """Return P10, P50 and P90 of ``samples`` (linear interpolation) as rounded ``Decimal``."""
    values = np.percentile(samples, PERCENTILES)
    return {p: usd_from_float(v, places) for p, v in zip(PERCENTILES, values, strict=True)}
