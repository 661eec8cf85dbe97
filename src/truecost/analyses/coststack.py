"""The non-token cost of a feature for a volume of months, requests and outcomes.

One formula serves ``truecost tco`` (exact low, midpoint and high values) and
``truecost plan`` (Monte Carlo samples), through the ``Resolver`` of
``truecost.analyses.uncertainty``. Every amount is non-negative and every
formula is a sum of products, so the all-low and all-high evaluations are the
exact bounds of the cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Generic

from truecost.analyses.uncertainty import HIGH, LOW, MID, N, Resolver
from truecost.config.coststack import CostItem, CostStackConfig, FeatureStack, HumanReview
from truecost.config.values import Range

MINUTES_PER_HOUR = 60


@dataclass(frozen=True)
class Volume(Generic[N]):
    """What a cost scales with: calendar months (fractional), requests and outcome units."""

    months: N
    requests: N
    outcomes: N


@dataclass(frozen=True)
class Amount:
    """A dollar amount known between ``low_usd`` and ``high_usd``; ``mid_usd`` is the point estimate."""

    low_usd: Decimal
    mid_usd: Decimal
    high_usd: Decimal

    def __add__(self, other: Amount) -> Amount:
        return Amount(
            self.low_usd + other.low_usd,
            self.mid_usd + other.mid_usd,
            self.high_usd + other.high_usd,
        )

    def scaled(self, factor: Decimal) -> Amount:
        """Return the amount times a non-negative ``factor``."""
        return Amount(self.low_usd * factor, self.mid_usd * factor, self.high_usd * factor)

    @classmethod
    def exact(cls, usd: Decimal) -> Amount:
        """Return an amount known exactly."""
        return cls(usd, usd, usd)


ZERO_AMOUNT = Amount.exact(Decimal(0))


def item_cost(
    item: CostItem, volume: Volume[N], resolve: Resolver[N], default_usd_per_hour: Range
) -> N:
    """Add up every amount of ``item`` for ``volume``."""
    total = resolve.const(0)
    if item.monthly_usd is not None:
        total = total + resolve.pick(item.monthly_usd) * volume.months
    if item.usd_per_request is not None:
        total = total + resolve.pick(item.usd_per_request) * volume.requests
    if item.usd_per_unit is not None:
        total = total + resolve.pick(item.usd_per_unit) * _units(item, volume, resolve)
    if item.hours_per_month is not None:
        rate = resolve.pick(item.usd_per_hour or default_usd_per_hour)
        total = total + resolve.pick(item.hours_per_month) * rate * volume.months
    if item.human_review is not None:
        total = total + review_cost(item.human_review, volume.outcomes, resolve)
    return total


def _units(item: CostItem, volume: Volume[N], resolve: Resolver[N]) -> N:
    if item.units_per_request is not None:
        return resolve.pick(item.units_per_request) * volume.requests
    if item.units_per_outcome is not None:
        return resolve.pick(item.units_per_outcome) * volume.outcomes
    assert item.units_per_month is not None  # CostItem's validator requires one of the three
    return resolve.pick(item.units_per_month) * volume.months


def review_cost(review: HumanReview, items: N, resolve: Resolver[N]) -> N:
    """Return items x sampled share x minutes per item / 60 x hourly rate."""
    minutes = resolve.pick(review.sampled_share) * items * resolve.pick(review.minutes_per_item)
    return minutes / MINUTES_PER_HOUR * resolve.pick(review.usd_per_hour)


def item_amount(item: CostItem, volume: Volume[Decimal], default_usd_per_hour: Range) -> Amount:
    """Return the exact low, midpoint and high cost of ``item`` for a known volume."""
    low, mid, high = (
        item_cost(item, volume, resolver, default_usd_per_hour) for resolver in (LOW, MID, HIGH)
    )
    return Amount(low, mid, high)


@dataclass(frozen=True)
class StackLine:
    """One configured cost of a feature and its amount."""

    category: str
    label: str
    amount: Amount


def feature_stack_lines(
    config: CostStackConfig, feature: FeatureStack, volume: Volume[Decimal]
) -> list[StackLine]:
    """Return every configured cost of ``feature`` for ``volume``, engineering defaults included."""
    rate = config.engineering_defaults.usd_per_hour
    lines: list[StackLine] = []
    engineering = config.engineering_item(feature)
    if engineering is not None:
        lines.append(
            StackLine(
                "engineering",
                engineering.name or "engineering",
                item_amount(engineering, volume, rate),
            )
        )
    for category, label, item in feature.items():
        if category != "engineering":
            lines.append(StackLine(category, label, item_amount(item, volume, rate)))
    return lines


def stack_total(
    config: CostStackConfig, feature: FeatureStack, volume: Volume[N], resolve: Resolver[N]
) -> N:
    """Return the feature's whole non-token cost for ``volume`` under one resolver."""
    rate = config.engineering_defaults.usd_per_hour
    total = resolve.const(0)
    engineering = config.engineering_item(feature)
    if engineering is not None:
        total = total + item_cost(engineering, volume, resolve, rate)
    for category, _label, item in feature.items():
        if category != "engineering":
            total = total + item_cost(item, volume, resolve, rate)
    return total
