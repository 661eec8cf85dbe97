"""Hybrid serving: the high-volume features on self-hosted GPUs, the rest on the API.

Features are moved to self-hosting in order of request volume. For each count
of moved features the GPUs are sized for the busiest hour of those features
together (their peaks need not coincide), and the plan with the lowest monthly
total wins. The self-hosting bill of the winning plan is shared among its
features by output tokens, because decoding output is what occupies the GPUs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from truecost.analyses.selfhost import DAYS_PER_MONTH, TOKENS_PER_MTOK, Deployment
from truecost.analyses.selfhost_profiles import ThroughputProfile
from truecost.analyses.selfhost_traffic import (
    MINUTES_PER_HOUR,
    FeatureTraffic,
    TrafficShape,
    combined_peak_requests_per_hour,
)

SELF_HOSTED = "self-hosted"
API = "API"


@dataclass(frozen=True, slots=True)
class ApiTokenPrices:
    """API prices in USD per million input and output tokens."""

    input_usd_per_mtok: Decimal
    output_usd_per_mtok: Decimal


@dataclass(frozen=True, slots=True)
class HybridStep:
    """The monthly bill with the ``features`` moved to self-hosting and the rest on the API."""

    features: tuple[str, ...]
    peak_requests_per_minute: Decimal
    replicas: int
    selfhost_usd_per_month: Decimal
    api_usd_per_month: Decimal
    total_usd_per_month: Decimal
    saving_usd_per_month: Decimal


@dataclass(frozen=True, slots=True)
class HybridFeature:
    """One feature's placement in the best plan and its monthly saving."""

    feature: str
    requests_per_month: Decimal
    api_usd_per_month: Decimal
    placement: str
    selfhost_usd_per_month: Decimal
    saving_usd_per_month: Decimal


@dataclass(frozen=True, slots=True)
class HybridPlan:
    """Every step from all-API to all-self-hosted, the cheapest one and its per-feature savings."""

    all_api_usd_per_month: Decimal
    steps: tuple[HybridStep, ...]
    best: HybridStep
    features: tuple[HybridFeature, ...]


def feature_api_usd_per_month(
    feature: FeatureTraffic, month_factor: Decimal, prices: ApiTokenPrices | None
) -> Decimal:
    """Return a feature's monthly API bill: its ledger spend, or its tokens at ``prices``."""
    if prices is None:
        return feature.cost_usd * month_factor
    spend = (
        feature.input_tokens * prices.input_usd_per_mtok
        + feature.output_tokens * prices.output_usd_per_mtok
    )
    return spend / TOKENS_PER_MTOK * month_factor


def _step(
    moved: list[FeatureTraffic],
    kept_api_usd: Decimal,
    all_api_usd: Decimal,
    deployment: Deployment,
    profile: ThroughputProfile,
) -> HybridStep:
    if not moved:
        return HybridStep((), Decimal(0), 0, Decimal(0), all_api_usd, all_api_usd, Decimal(0))
    requests = sum(f.requests for f in moved)
    output_per_request = Decimal(sum(f.output_tokens for f in moved)) / requests
    sized = replace(
        deployment, requests_per_minute_per_replica=profile.requests_per_minute(output_per_request)
    )
    peak = Decimal(combined_peak_requests_per_hour(moved)) / MINUTES_PER_HOUR
    replicas = sized.replicas_for(peak)
    selfhost = sized.monthly_usd(replicas)
    total = selfhost + kept_api_usd
    return HybridStep(
        features=tuple(f.feature for f in moved),
        peak_requests_per_minute=peak,
        replicas=replicas,
        selfhost_usd_per_month=selfhost,
        api_usd_per_month=kept_api_usd,
        total_usd_per_month=total,
        saving_usd_per_month=all_api_usd - total,
    )


def plan_hybrid(
    shape: TrafficShape,
    deployment: Deployment,
    profile: ThroughputProfile,
    prices: ApiTokenPrices | None = None,
    days_per_month: Decimal = DAYS_PER_MONTH,
) -> HybridPlan:
    """Find the split of features between self-hosting and the API with the lowest monthly bill.

    Without ``prices`` the API bill of each feature is its ledger spend scaled
    from the window to a month; unpriced requests add nothing to it.
    """
    month_factor = days_per_month / shape.days
    ordered = list(shape.features)  # most requests first
    api_usd = {f.feature: feature_api_usd_per_month(f, month_factor, prices) for f in ordered}
    all_api = sum(api_usd.values(), Decimal(0))
    steps = []
    for count in range(len(ordered) + 1):
        moved = ordered[:count]
        kept = sum((api_usd[f.feature] for f in ordered[count:]), Decimal(0))
        steps.append(_step(moved, kept, all_api, deployment, profile))
    best = min(steps, key=lambda s: (s.total_usd_per_month, len(s.features)))
    features = _feature_rows(ordered, best, api_usd, month_factor)
    return HybridPlan(all_api, tuple(steps), best, features)


def _feature_rows(
    ordered: list[FeatureTraffic],
    best: HybridStep,
    api_usd: dict[str, Decimal],
    month_factor: Decimal,
) -> tuple[HybridFeature, ...]:
    moved = [f for f in ordered if f.feature in best.features]
    moved_output = sum(f.output_tokens for f in moved)
    moved_requests = sum(f.requests for f in moved)
    rows = []
    for feature in ordered:
        if feature.feature in best.features:
            # Share by output tokens; by requests when no moved feature has output.
            weight = (
                Decimal(feature.output_tokens) / moved_output
                if moved_output
                else Decimal(feature.requests) / moved_requests
            )
            share = best.selfhost_usd_per_month * weight
            placement = SELF_HOSTED
        else:
            share = Decimal(0)
            placement = API
        saving = api_usd[feature.feature] - share if placement == SELF_HOSTED else Decimal(0)
        rows.append(
            HybridFeature(
                feature=feature.feature,
                requests_per_month=feature.requests * month_factor,
                api_usd_per_month=api_usd[feature.feature],
                placement=placement,
                selfhost_usd_per_month=share,
                saving_usd_per_month=saving,
            )
        )
    return tuple(rows)
