"""The volume above which self-hosting costs less than the API, and the cost-against-volume lines.

The symbols: ``k`` is the API's monthly cost per request per minute of peak
rate, ``C`` the usable rate of one replica, ``G`` one replica's monthly cost and
``E`` the monthly engineering cost. Then ``n`` replicas cost ``E + n·G`` and
serve peaks up to ``n·C``. The API line reaches the self-hosting step of ``n`` replicas within
that step's range when ``k·n·C ≥ E + n·G``, so the first such ``n`` is
``ceil(E / (k·C − G))``. When ``k·C ≤ G`` a replica costs more than the API
traffic it replaces and the lines never cross.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from truecost.analyses.selfhost import (
    DAYS_PER_MONTH,
    MINUTES_PER_DAY,
    Deployment,
    RequestShape,
    Traffic,
)
from truecost.analyses.selfhost_inputs import require_non_negative, require_positive


@dataclass(frozen=True, slots=True)
class Crossover:
    """The traffic at which self-hosting and the API cost the same per month."""

    peak_requests_per_minute: Decimal
    average_requests_per_minute: Decimal
    requests_per_day: Decimal
    requests_per_month: Decimal
    tokens_per_month: Decimal
    replicas: int
    monthly_usd: Decimal


@dataclass(frozen=True, slots=True)
class CostCurvePoint:
    """One volume of the "monthly cost against volume" chart, with both lines."""

    peak_requests_per_minute: Decimal
    requests_per_day: Decimal
    tokens_per_month: Decimal
    api_usd_per_month: Decimal
    selfhost_usd_per_month: Decimal
    replicas: int


def api_usd_per_peak_rpm(
    api_usd_per_request: Decimal, peak_to_average: Decimal, days_per_month: Decimal
) -> Decimal:
    """Return the API's monthly cost per request per minute of peak rate."""
    return api_usd_per_request * MINUTES_PER_DAY * days_per_month / peak_to_average


def find_crossover(
    deployment: Deployment,
    shape: RequestShape,
    api_usd_per_request: Decimal,
    peak_to_average: Decimal,
    days_per_month: Decimal = DAYS_PER_MONTH,
) -> Crossover | None:
    """Return the lowest traffic at which self-hosting costs no more than the API, or None."""
    require_non_negative("API price per request", api_usd_per_request)
    slope = api_usd_per_peak_rpm(api_usd_per_request, peak_to_average, days_per_month)
    if slope == 0:
        return None
    per_replica = deployment.usable_requests_per_minute_per_replica
    replica_usd = deployment.replica_usd_per_month
    engineering = deployment.engineering_usd_per_month
    if deployment.fixed_replicas is not None:
        replicas = deployment.fixed_replicas
        peak = deployment.monthly_usd(replicas) / slope
        if peak > replicas * per_replica:
            return None
        return _crossover_at(peak, replicas, deployment, shape, peak_to_average, days_per_month)
    margin = slope * per_replica - replica_usd
    if margin <= 0:
        return None
    replicas = max(1, int((engineering / margin).to_integral_value(rounding=ROUND_CEILING)))
    peak = max(deployment.monthly_usd(replicas) / slope, (replicas - 1) * per_replica)
    return _crossover_at(peak, replicas, deployment, shape, peak_to_average, days_per_month)


def _crossover_at(
    peak: Decimal,
    replicas: int,
    deployment: Deployment,
    shape: RequestShape,
    peak_to_average: Decimal,
    days_per_month: Decimal,
) -> Crossover:
    traffic = Traffic(peak, peak_to_average, days_per_month)
    return Crossover(
        peak_requests_per_minute=peak,
        average_requests_per_minute=traffic.average_requests_per_minute,
        requests_per_day=traffic.requests_per_day,
        requests_per_month=traffic.requests_per_month,
        tokens_per_month=traffic.requests_per_month * shape.total_tokens,
        replicas=replicas,
        monthly_usd=deployment.monthly_usd(replicas),
    )


def crossover_requests_per_day(
    deployment: Deployment,
    shape: RequestShape,
    api_usd_per_request: Decimal,
    peak_to_average: Decimal,
    days_per_month: Decimal = DAYS_PER_MONTH,
) -> Decimal | None:
    """Return the requests per day above which self-hosting costs less, or None if never.

    The scale advice of the planner calls this to place its hybrid and
    self-hosted thresholds on the team's own prices and traffic shape.
    """
    found = find_crossover(deployment, shape, api_usd_per_request, peak_to_average, days_per_month)
    return found.requests_per_day if found else None


def cost_curve(
    deployment: Deployment,
    shape: RequestShape,
    api_usd_per_request: Decimal,
    peak_to_average: Decimal,
    max_peak_requests_per_minute: Decimal,
    *,
    steps: int = 40,
    days_per_month: Decimal = DAYS_PER_MONTH,
) -> list[CostCurvePoint]:
    """Return the monthly cost of both options from zero to ``max_peak_requests_per_minute``.

    The points are ``steps`` even steps plus the last rate of each replica count,
    so a chart draws the self-hosting steps where they are, and the crossover.
    """
    require_positive("maximum peak requests per minute", max_peak_requests_per_minute)
    require_positive("steps", steps)
    rates = {max_peak_requests_per_minute * i / steps for i in range(steps + 1)}
    per_replica = deployment.usable_requests_per_minute_per_replica
    replicas = 1
    while (
        replicas * per_replica < max_peak_requests_per_minute and deployment.fixed_replicas is None
    ):
        rates.add(replicas * per_replica)
        replicas += 1
    found = find_crossover(deployment, shape, api_usd_per_request, peak_to_average, days_per_month)
    if found and found.peak_requests_per_minute <= max_peak_requests_per_minute:
        rates.add(found.peak_requests_per_minute)
    return [
        _curve_point(rate, deployment, shape, api_usd_per_request, peak_to_average, days_per_month)
        for rate in sorted(rates)
    ]


def _curve_point(
    peak: Decimal,
    deployment: Deployment,
    shape: RequestShape,
    api_usd_per_request: Decimal,
    peak_to_average: Decimal,
    days_per_month: Decimal,
) -> CostCurvePoint:
    traffic = Traffic(peak, peak_to_average, days_per_month)
    replicas = deployment.replicas_for(peak)
    return CostCurvePoint(
        peak_requests_per_minute=peak,
        requests_per_day=traffic.requests_per_day,
        tokens_per_month=traffic.requests_per_month * shape.total_tokens,
        api_usd_per_month=traffic.requests_per_month * api_usd_per_request,
        selfhost_usd_per_month=deployment.monthly_usd(replicas),
        replicas=replicas,
    )
