"""The ``[coststack]`` table of ``truecost.toml``: what a feature costs beyond its tokens.

Each feature lists its costs by category. Every amount may be a range
(``"10-20"``); dollars are USD, hours and minutes are clock time, months are
calendar months (prorated by day for other periods)::

    [coststack.features.support-bot]
    outcome_unit = "resolved ticket"
    requests_per_outcome = 4
    engineering = { hours_per_month = "10-20", usd_per_hour = 120 }
    infrastructure = { monthly_usd = 300 }
    evaluation = { human_review = { sampled_share = 0.05, minutes_per_item = 3, usd_per_hour = 40 } }
    embeddings = { usd_per_request = "0.00002" }

    [[coststack.shared]]
    name = "observability platform"
    category = "monitoring"
    monthly_usd = 500
    allocate_by = "requests"

The full key list with units is in ``docs/cost-stack.md``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from truecost.config.values import Range, RangeValue, ShareValue

# Categories of non-token cost, in the order reports list them.
CATEGORIES = (
    "engineering",
    "infrastructure",
    "monitoring",
    "evaluation",
    "embeddings",
    "vector_db",
)
EXTRA = "extra"
Category = Literal[
    "engineering", "infrastructure", "monitoring", "evaluation", "embeddings", "vector_db", "extra"
]
Complexity = Literal["simple", "complex"]
AllocationBasis = Literal["requests", "spend", "weights"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HumanReview(_Strict):
    """People checking a sample of the outcomes: items x share x minutes x hourly rate."""

    sampled_share: ShareValue
    minutes_per_item: RangeValue
    usd_per_hour: RangeValue


class CostItem(_Strict):
    """One cost: any mix of the amounts below, added up. Each amount may be a range."""

    name: str | None = None
    monthly_usd: RangeValue | None = None
    usd_per_request: RangeValue | None = None
    usd_per_unit: RangeValue | None = None
    unit: str | None = None
    units_per_request: RangeValue | None = None
    units_per_outcome: RangeValue | None = None
    units_per_month: RangeValue | None = None
    hours_per_month: RangeValue | None = None
    usd_per_hour: RangeValue | None = None
    human_review: HumanReview | None = None

    @model_validator(mode="after")
    def _check_amounts(self) -> Self:
        unit_counts = [
            v
            for v in (self.units_per_request, self.units_per_outcome, self.units_per_month)
            if v is not None
        ]
        if self.usd_per_unit is not None:
            if not self.unit:
                raise ValueError("usd_per_unit needs 'unit', e.g. unit = \"call minute\"")
            if len(unit_counts) != 1:
                raise ValueError(
                    "usd_per_unit needs exactly one of units_per_request, units_per_outcome "
                    "or units_per_month"
                )
        elif unit_counts:
            raise ValueError("units_per_* needs usd_per_unit, the price of one unit")
        if self.usd_per_hour is not None and self.hours_per_month is None:
            raise ValueError("usd_per_hour needs hours_per_month")
        amounts = (
            self.monthly_usd,
            self.usd_per_request,
            self.usd_per_unit,
            self.hours_per_month,
            self.human_review,
        )
        if all(a is None for a in amounts):
            raise ValueError(
                "give at least one amount: monthly_usd, usd_per_request, usd_per_unit, "
                "hours_per_month or human_review"
            )
        return self


class HumanBaseline(_Strict):
    """The cost of people doing the same work: one person's monthly cost and daily output."""

    usd_per_month: RangeValue
    outcomes_per_day: RangeValue
    workdays_per_month: Decimal = Field(default=Decimal(22), gt=0, le=31)

    @model_validator(mode="after")
    def _check_output(self) -> Self:
        if self.outcomes_per_day.low <= 0:
            raise ValueError("outcomes_per_day must be above 0")
        return self


class FeatureStack(_Strict):
    """The non-token costs of one feature, by category."""

    outcome_unit: str | None = None
    outcomes_per_request: Decimal | None = Field(default=None, gt=0)
    requests_per_outcome: Decimal | None = Field(default=None, gt=0)
    complexity: Complexity | None = None
    engineering: CostItem | None = None
    infrastructure: CostItem | None = None
    monitoring: CostItem | None = None
    evaluation: CostItem | None = None
    embeddings: CostItem | None = None
    vector_db: CostItem | None = None
    extras: list[CostItem] = Field(default_factory=list)
    human_baseline: HumanBaseline | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.outcomes_per_request is not None and self.requests_per_outcome is not None:
            raise ValueError("give outcomes_per_request or requests_per_outcome, not both")
        for extra in self.extras:
            if not extra.name:
                raise ValueError('every entry of extras needs a name, e.g. name = "telephony"')
        return self

    def outcome_ratio(self) -> Decimal:
        """Return outcomes per request (1 when neither ratio is configured)."""
        if self.outcomes_per_request is not None:
            return self.outcomes_per_request
        if self.requests_per_outcome is not None:
            return 1 / self.requests_per_outcome
        return Decimal(1)

    def items(self) -> list[tuple[str, str, CostItem]]:
        """Return ``(category, label, item)`` for every configured cost, categories first."""
        found: list[tuple[str, str, CostItem]] = []
        for category in CATEGORIES:
            item = getattr(self, category)
            if item is not None:
                found.append((category, item.name or category, item))
        found.extend((EXTRA, extra.name or EXTRA, extra) for extra in self.extras)
        return found


class SharedCost(CostItem):
    """A cost several features share, split by request share, spend share or fixed weights."""

    name: str
    category: Category = "infrastructure"
    allocate_by: AllocationBasis = "requests"
    weights: dict[str, Decimal] | None = None
    features: list[str] | None = None

    @model_validator(mode="after")
    def _check_allocation(self) -> Self:
        if self.allocate_by == "weights":
            if not self.weights:
                raise ValueError(
                    'allocate_by = "weights" needs a weights table, e.g. { a = 2, b = 1 }'
                )
            if any(w < 0 for w in self.weights.values()) or sum(self.weights.values()) <= 0:
                raise ValueError("weights must be zero or more and add up to more than 0")
        elif self.weights is not None:
            raise ValueError(
                f'weights only apply with allocate_by = "weights", not {self.allocate_by!r}'
            )
        if self.human_review is not None or self.units_per_outcome is not None:
            raise ValueError("a shared cost cannot depend on outcomes; give it to one feature")
        return self

    def feature_names(self, configured: list[str]) -> list[str]:
        """Return the features this cost is split across."""
        if self.weights:
            return sorted(self.weights)
        return sorted(self.features) if self.features else sorted(configured)


class EngineeringDefaults(_Strict):
    """Engineering hours a feature takes when its own ``engineering`` table sets none.

    Estimates, not measurements: a simple feature needs prompt and integration
    upkeep; a complex agent needs tool, evaluation and incident work on top.
    """

    simple_hours_per_month: RangeValue = Range(Decimal(10), Decimal(20))
    complex_hours_per_month: RangeValue = Range(Decimal(40), Decimal(80))
    usd_per_hour: RangeValue = Range.exact(100)

    def hours_for(self, complexity: Complexity) -> Range:
        """Return the monthly hours of a feature of ``complexity``."""
        return (
            self.simple_hours_per_month if complexity == "simple" else self.complex_hours_per_month
        )


class CostStackConfig(_Strict):
    """The whole ``[coststack]`` table."""

    engineering_defaults: EngineeringDefaults = Field(default_factory=EngineeringDefaults)
    # Added to a forecast from a prototype sample for context growth, retries and edge cases.
    forecast_buffer_share: Decimal = Field(default=Decimal("0.30"), ge=0, le=10)
    features: dict[str, FeatureStack] = Field(default_factory=dict)
    shared: list[SharedCost] = Field(default_factory=list)

    def engineering_item(self, feature: FeatureStack) -> CostItem | None:
        """Return the feature's engineering cost, falling back to the default hours of its complexity."""
        if feature.engineering is not None:
            return feature.engineering
        if feature.complexity is None:
            return None
        defaults = self.engineering_defaults
        return CostItem(
            name=f"engineering ({feature.complexity} default)",
            hours_per_month=defaults.hours_for(feature.complexity),
            usd_per_hour=defaults.usd_per_hour,
        )
