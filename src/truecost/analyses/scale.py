"""Scale advice: how to serve a feature, from its daily request volume.

The default rule, from the ``[scale]`` defaults: below 1,000 requests a day an
API provider; from 1,000 an API with optimization; from 50,000 hybrid; from
500,000 self-hosted first with an API fallback. Each tier starts at its
``min_requests_per_day``, inclusive. These are rules of thumb; replace them in
``truecost.toml`` with break-even points from your own numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from truecost.config.scale import ScaleConfig, ScaleTier


@dataclass(frozen=True)
class ScaleAdvice:
    """The tier a daily volume falls in, and where that tier ends (None for the last)."""

    requests_per_day: Decimal
    advice: str
    tier_min_requests_per_day: Decimal
    next_tier_min_requests_per_day: Decimal | None


def scale_advice(requests_per_day: Decimal, config: ScaleConfig | None = None) -> ScaleAdvice:
    """Return the advice of the last tier whose start is at or below ``requests_per_day``."""
    tiers: list[ScaleTier] = list((config or ScaleConfig()).tiers)
    chosen = 0
    for index, tier in enumerate(tiers):
        if requests_per_day >= tier.min_requests_per_day:
            chosen = index
    following = tiers[chosen + 1].min_requests_per_day if chosen + 1 < len(tiers) else None
    return ScaleAdvice(
        requests_per_day=requests_per_day,
        advice=tiers[chosen].advice,
        tier_min_requests_per_day=tiers[chosen].min_requests_per_day,
        next_tier_min_requests_per_day=following,
    )
