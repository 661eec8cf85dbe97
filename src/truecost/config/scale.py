"""The ``[scale]`` table of ``truecost.toml``: which way of serving fits a daily volume.

Each tier starts at ``min_requests_per_day`` (inclusive) and runs to the next
tier's start. The defaults are rules of thumb, not measured break-even points::

    [[scale.tiers]]
    min_requests_per_day = 0
    advice = "an API provider"
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ScaleTier(BaseModel):
    """Advice for volumes from ``min_requests_per_day`` up to the next tier."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_requests_per_day: Decimal = Field(ge=0)
    advice: str = Field(min_length=1)


DEFAULT_TIERS = (
    ScaleTier(min_requests_per_day=Decimal(0), advice="an API provider"),
    ScaleTier(
        min_requests_per_day=Decimal(1_000),
        advice="an API provider with optimization: prompt caching, batching, routing",
    ),
    ScaleTier(
        min_requests_per_day=Decimal(50_000),
        advice="hybrid: self-host the steady base load, send peaks and hard cases to an API",
    ),
    ScaleTier(
        min_requests_per_day=Decimal(500_000),
        advice="self-hosted first, with an API provider as fallback",
    ),
)


class ScaleConfig(BaseModel):
    """The whole ``[scale]`` table; ``tiers`` replaces the default rule entirely."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tiers: list[ScaleTier] = Field(default_factory=lambda: list(DEFAULT_TIERS))

    @model_validator(mode="after")
    def _check_tiers(self) -> Self:
        starts = [tier.min_requests_per_day for tier in self.tiers]
        if not starts or starts[0] != 0:
            raise ValueError("the first tier must start at min_requests_per_day = 0")
        if any(later <= earlier for earlier, later in pairwise(starts)):
            raise ValueError("tiers must be listed by increasing min_requests_per_day")
        return self
