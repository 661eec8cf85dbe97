"""Self-hosting an open model against paying an API: monthly cost, utilization and the crossover.

GPUs are sized for the peak hour, not the average: a replica serves at most
``requests_per_minute_per_replica × max_utilization``, and the deployment keeps
enough replicas for the peak rate. The bill is the GPUs' monthly price plus an
overhead share (networking, storage, monitoring, idle spares: 30–50% by default)
plus the engineering hours the infrastructure takes each month. The API bill
grows with volume, while the self-hosting bill rises in a step per replica.
The crossover is the first volume at which self-hosting costs no more than
the API. Just above each later replica step it can briefly cost more again.

A month is ``days_per_month`` days (30 by default) of 24 hours, and traffic is
described by its peak rate in requests per minute and its peak-to-average ratio:
traffic at a flat rate for 12 hours a day has a ratio of 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from truecost.analyses.selfhost_inputs import (
    require_non_negative,
    require_positive,
    require_utilization,
)
from truecost.errors import InputError

DAYS_PER_MONTH = Decimal(30)
MINUTES_PER_DAY = Decimal(24 * 60)
HOURS_PER_DAY = Decimal(24)
TOKENS_PER_MTOK = Decimal(1_000_000)


@dataclass(frozen=True, slots=True)
class RequestShape:
    """Mean tokens per request: all prompt tokens (cached or not) and all output tokens."""

    input_tokens: Decimal
    output_tokens: Decimal

    def __post_init__(self) -> None:
        require_non_negative("input tokens per request", self.input_tokens)
        require_non_negative("output tokens per request", self.output_tokens)

    @property
    def total_tokens(self) -> Decimal:
        """Input plus output tokens of one request."""
        return self.input_tokens + self.output_tokens


def api_usd_per_request(
    shape: RequestShape, input_usd_per_mtok: Decimal, output_usd_per_mtok: Decimal
) -> Decimal:
    """Return the API price of one request of ``shape`` at per-million-token prices."""
    require_non_negative("API input price (USD per million tokens)", input_usd_per_mtok)
    require_non_negative("API output price (USD per million tokens)", output_usd_per_mtok)
    spend = shape.input_tokens * input_usd_per_mtok + shape.output_tokens * output_usd_per_mtok
    return spend / TOKENS_PER_MTOK


@dataclass(frozen=True, slots=True)
class Traffic:
    """A request rate for sizing (the peak) and for billing (the average)."""

    peak_requests_per_minute: Decimal
    peak_to_average: Decimal
    days_per_month: Decimal = DAYS_PER_MONTH

    def __post_init__(self) -> None:
        require_non_negative("peak requests per minute", self.peak_requests_per_minute)
        require_positive("days per month", self.days_per_month)
        if self.peak_to_average < 1:
            raise InputError(
                f"peak-to-average ratio must be 1 or more (got {self.peak_to_average}): "
                "the peak hour cannot be quieter than the average."
            )

    @property
    def average_requests_per_minute(self) -> Decimal:
        """The rate averaged over every hour of the month, idle hours included."""
        return self.peak_requests_per_minute / self.peak_to_average

    @property
    def requests_per_day(self) -> Decimal:
        """Requests in an average day."""
        return self.average_requests_per_minute * MINUTES_PER_DAY

    @property
    def requests_per_month(self) -> Decimal:
        """Requests in a month of ``days_per_month`` days."""
        return self.requests_per_day * self.days_per_month


@dataclass(frozen=True, slots=True)
class Deployment:
    """Replicas of one model on GPUs, their monthly price and the people who run them.

    ``requests_per_minute_per_replica`` is the measured capacity at 100%
    utilization; ``max_utilization`` is the share of it the peak hour may use.
    ``fixed_replicas`` pins the count instead of sizing it for the peak.
    """

    gpus_per_replica: int
    gpu_usd_per_month: Decimal
    requests_per_minute_per_replica: Decimal
    overhead_share: Decimal
    engineering_hours_per_month: Decimal
    engineering_usd_per_hour: Decimal
    max_utilization: Decimal = Decimal(1)
    fixed_replicas: int | None = None

    def __post_init__(self) -> None:
        require_positive("GPUs per replica", self.gpus_per_replica)
        require_positive("GPU price", self.gpu_usd_per_month)
        require_positive(
            "throughput (requests per minute per replica)", self.requests_per_minute_per_replica
        )
        require_non_negative("overhead", self.overhead_share)
        require_non_negative("engineering hours per month", self.engineering_hours_per_month)
        require_non_negative("engineering rate (USD per hour)", self.engineering_usd_per_hour)
        require_utilization("maximum utilization", self.max_utilization)
        if self.fixed_replicas is not None:
            require_positive("replicas", self.fixed_replicas)

    @property
    def replica_usd_per_month(self) -> Decimal:
        """One replica's GPUs with the overhead added."""
        return self.gpus_per_replica * self.gpu_usd_per_month * (1 + self.overhead_share)

    @property
    def engineering_usd_per_month(self) -> Decimal:
        """Engineering hours times their rate; the same for any replica count."""
        return self.engineering_hours_per_month * self.engineering_usd_per_hour

    @property
    def usable_requests_per_minute_per_replica(self) -> Decimal:
        """The rate one replica may serve in the peak hour."""
        return self.requests_per_minute_per_replica * self.max_utilization

    def replicas_for(self, peak_requests_per_minute: Decimal) -> int:
        """Return the replicas that serve the peak rate (at least one)."""
        if self.fixed_replicas is not None:
            return self.fixed_replicas
        needed = peak_requests_per_minute / self.usable_requests_per_minute_per_replica
        return max(1, int(needed.to_integral_value(rounding=ROUND_CEILING)))

    def monthly_usd(self, replicas: int) -> Decimal:
        """Return the monthly cost of ``replicas`` replicas, engineering included."""
        return replicas * self.replica_usd_per_month + self.engineering_usd_per_month


@dataclass(frozen=True, slots=True)
class SelfHostEstimate:
    """The monthly cost and utilization of self-hosting one traffic load."""

    overhead_share: Decimal
    replicas: int
    gpus: int
    capacity_requests_per_minute: Decimal
    peak_requests_per_minute: Decimal
    average_requests_per_minute: Decimal
    peak_to_average: Decimal
    peak_utilization: Decimal
    average_utilization: Decimal
    requests_per_month: Decimal
    tokens_per_month: Decimal
    gpu_usd_per_month: Decimal
    overhead_usd_per_month: Decimal
    engineering_usd_per_month: Decimal
    total_usd_per_month: Decimal
    usd_per_mtok: Decimal | None
    usd_per_mtok_at_full_utilization: Decimal | None
    api_usd_per_month: Decimal
    saving_usd_per_month: Decimal


def estimate(
    deployment: Deployment, traffic: Traffic, shape: RequestShape, api_usd_per_request: Decimal
) -> SelfHostEstimate:
    """Size ``deployment`` for the traffic's peak and compare its monthly cost with the API's.

    ``usd_per_mtok`` is the total monthly cost over the tokens actually served.
    ``usd_per_mtok_at_full_utilization`` spreads the same cost over the tokens
    the replicas would serve at 100% of their capacity every hour of the month.
    """
    require_non_negative("API price per request", api_usd_per_request)
    replicas = deployment.replicas_for(traffic.peak_requests_per_minute)
    capacity = replicas * deployment.requests_per_minute_per_replica
    raw_gpu = replicas * deployment.gpus_per_replica * deployment.gpu_usd_per_month
    total = deployment.monthly_usd(replicas)
    tokens = traffic.requests_per_month * shape.total_tokens
    full_tokens = capacity * MINUTES_PER_DAY * traffic.days_per_month * shape.total_tokens
    api = traffic.requests_per_month * api_usd_per_request
    return SelfHostEstimate(
        overhead_share=deployment.overhead_share,
        replicas=replicas,
        gpus=replicas * deployment.gpus_per_replica,
        capacity_requests_per_minute=capacity,
        peak_requests_per_minute=traffic.peak_requests_per_minute,
        average_requests_per_minute=traffic.average_requests_per_minute,
        peak_to_average=traffic.peak_to_average,
        peak_utilization=traffic.peak_requests_per_minute / capacity,
        average_utilization=traffic.average_requests_per_minute / capacity,
        requests_per_month=traffic.requests_per_month,
        tokens_per_month=tokens,
        gpu_usd_per_month=raw_gpu,
        overhead_usd_per_month=raw_gpu * deployment.overhead_share,
        engineering_usd_per_month=deployment.engineering_usd_per_month,
        total_usd_per_month=total,
        usd_per_mtok=total * TOKENS_PER_MTOK / tokens if tokens else None,
        usd_per_mtok_at_full_utilization=total * TOKENS_PER_MTOK / full_tokens
        if full_tokens
        else None,
        api_usd_per_month=api,
        saving_usd_per_month=api - total,
    )
