"""Assemble a self-hosting report from options, config and, when given, the ledger's traffic."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from truecost.analyses.selfhost import (
    Deployment,
    RequestShape,
    SelfHostEstimate,
    Traffic,
    api_usd_per_request,
    estimate,
)
from truecost.analyses.selfhost_crossover import (
    CostCurvePoint,
    Crossover,
    cost_curve,
    find_crossover,
)
from truecost.analyses.selfhost_inputs import require_positive
from truecost.analyses.selfhost_profiles import ThroughputProfile, all_profiles, find_profile
from truecost.analyses.selfhost_traffic import TrafficFilter, TrafficShape, traffic_shape
from truecost.config.values import Range
from truecost.errors import InputError

HOURS_PER_DAY = Decimal(24)
# A cost curve without a chosen end runs to this multiple of the crossover (or
# of the current peak when the lines never cross), so the crossover sits in its first third.
CURVE_REACH = Decimal(3)
CURVE_STEPS = 40


@dataclass(frozen=True, slots=True)
class SelfHostRequest:
    """The inputs of ``truecost selfhost``; None means "take it from the ledger or profile"."""

    gpu_usd_per_month: Decimal
    overhead: Range
    engineering_hours_per_month: Decimal
    engineering_usd_per_hour: Decimal
    max_utilization: Decimal
    days_per_month: Decimal
    profile_id: str | None = None
    profile_paths: tuple[Path, ...] = ()
    requests_per_minute_per_replica: Decimal | None = None
    gpus_per_replica: int | None = None
    replicas: int | None = None
    peak_requests_per_minute: Decimal | None = None
    peak_to_average: Decimal | None = None
    input_tokens: Decimal | None = None
    output_tokens: Decimal | None = None
    api_input_usd_per_mtok: Decimal | None = None
    api_output_usd_per_mtok: Decimal | None = None
    traffic_filter: TrafficFilter = field(default_factory=TrafficFilter)


@dataclass(frozen=True, slots=True)
class SelfHostReport:
    """Estimates and crossovers at each end of the overhead range, with what they rest on."""

    profile: ThroughputProfile | None
    shape: RequestShape
    traffic: Traffic
    requests_per_minute_per_replica: Decimal
    api_usd_per_request: Decimal
    api_price_source: str
    deployments: tuple[Deployment, ...]
    estimates: tuple[SelfHostEstimate, ...]
    crossovers: tuple[Crossover | None, ...]
    ledger_traffic: TrafficShape | None
    warnings: tuple[str, ...]


def gpu_usd_per_month(
    usd_per_hour: Decimal | None, usd_per_month: Decimal | None, days: Decimal
) -> Decimal:
    """Return one GPU's monthly price from exactly one of an hourly or a monthly price."""
    if (usd_per_hour is None) == (usd_per_month is None):
        raise InputError(
            "give the GPU price once: --gpu-usd-per-hour or --gpu-usd-per-month "
            "(or gpu_usd_per_hour or gpu_usd_per_month in the [selfhost] table)."
        )
    if usd_per_hour is not None:
        require_positive("--gpu-usd-per-hour", usd_per_hour)
        return usd_per_hour * HOURS_PER_DAY * days
    assert usd_per_month is not None
    require_positive("--gpu-usd-per-month", usd_per_month)
    return usd_per_month


def _request_shape(request: SelfHostRequest, ledger: TrafficShape | None) -> RequestShape:
    input_tokens = request.input_tokens
    output_tokens = request.output_tokens
    if ledger is not None:
        input_tokens = (
            input_tokens if input_tokens is not None else ledger.total.input_tokens_per_request
        )
        output_tokens = (
            output_tokens if output_tokens is not None else ledger.total.output_tokens_per_request
        )
    if input_tokens is None or output_tokens is None:
        raise InputError(
            "give --input-tokens and --output-tokens per request, or --ledger to measure them."
        )
    return RequestShape(input_tokens, output_tokens)


def _traffic(request: SelfHostRequest, ledger: TrafficShape | None) -> Traffic:
    peak = request.peak_requests_per_minute
    ratio = request.peak_to_average
    if ledger is not None:
        peak = peak if peak is not None else ledger.peak_requests_per_minute
        ratio = ratio if ratio is not None else ledger.peak_to_average
    if peak is None:
        raise InputError("give --peak-rpm (requests per minute in the busiest hour), or --ledger.")
    return Traffic(peak, ratio if ratio is not None else Decimal(1), request.days_per_month)


def _api_price(
    request: SelfHostRequest, shape: RequestShape, ledger: TrafficShape | None, warnings: list[str]
) -> tuple[Decimal, str]:
    given = (request.api_input_usd_per_mtok, request.api_output_usd_per_mtok)
    if given[0] is not None and given[1] is not None:
        source = f"${given[0]} input / ${given[1]} output per million tokens"
        return api_usd_per_request(shape, given[0], given[1]), source
    if given != (None, None):
        raise InputError("give both --api-input-usd-per-mtok and --api-output-usd-per-mtok.")
    if ledger is None:
        raise InputError(
            "give the API price (--api-input-usd-per-mtok, --api-output-usd-per-mtok) or --ledger."
        )
    priced = ledger.total.requests - ledger.total.unpriced_requests
    if priced == 0:
        raise InputError(
            "no request in the ledger window is priced; pass the API price per million tokens."
        )
    if ledger.total.unpriced_requests:
        warnings.append(
            f"{ledger.total.unpriced_requests} unpriced requests are left out of the API price per request."
        )
    return ledger.total.cost_usd / priced, f"ledger spend over {priced} priced requests"


def _capacity(
    request: SelfHostRequest, shape: RequestShape, warnings: list[str]
) -> tuple[ThroughputProfile | None, Decimal, int]:
    if request.requests_per_minute_per_replica is not None:
        require_positive("--capacity-rpm", request.requests_per_minute_per_replica)
        return None, request.requests_per_minute_per_replica, request.gpus_per_replica or 1
    if request.profile_id is None:
        raise InputError(
            "give --profile ID (see 'truecost selfhost profiles') or --capacity-rpm "
            "(or profile or capacity_rpm in the [selfhost] table)."
        )
    profile = find_profile(request.profile_id, all_profiles(list(request.profile_paths)))
    warning = profile.shape_warning(shape.input_tokens, shape.output_tokens)
    if warning:
        warnings.append(warning)
    return (
        profile,
        profile.requests_per_minute(shape.output_tokens),
        request.gpus_per_replica or profile.gpus,
    )


def build_report(
    request: SelfHostRequest, con: duckdb.DuckDBPyConnection | None = None
) -> SelfHostReport:
    """Size GPUs for the peak, price both options and find the crossover at each overhead end."""
    ledger = traffic_shape(con, request.traffic_filter) if con is not None else None
    warnings: list[str] = []
    shape = _request_shape(request, ledger)
    traffic = _traffic(request, ledger)
    per_request, source = _api_price(request, shape, ledger, warnings)
    profile, capacity, gpus = _capacity(request, shape, warnings)

    ends = (
        (request.overhead.low,)
        if request.overhead.is_exact
        else (request.overhead.low, request.overhead.high)
    )
    deployments = tuple(
        Deployment(
            gpus_per_replica=gpus,
            gpu_usd_per_month=request.gpu_usd_per_month,
            requests_per_minute_per_replica=capacity,
            overhead_share=overhead,
            engineering_hours_per_month=request.engineering_hours_per_month,
            engineering_usd_per_hour=request.engineering_usd_per_hour,
            max_utilization=request.max_utilization,
            fixed_replicas=request.replicas,
        )
        for overhead in ends
    )

    estimates = tuple(estimate(d, traffic, shape, per_request) for d in deployments)
    if estimates[0].peak_utilization > request.max_utilization:
        warnings.append(
            f"{request.replicas} replicas run the peak hour at {estimates[0].peak_utilization:.0%} "
            f"of capacity, above the {request.max_utilization:.0%} planned; add replicas."
        )
    crossovers = tuple(
        find_crossover(d, shape, per_request, traffic.peak_to_average, request.days_per_month)
        for d in deployments
    )
    return SelfHostReport(
        profile=profile,
        shape=shape,
        traffic=traffic,
        requests_per_minute_per_replica=capacity,
        api_usd_per_request=per_request,
        api_price_source=source,
        deployments=deployments,
        estimates=estimates,
        crossovers=crossovers,
        ledger_traffic=ledger,
        warnings=tuple(warnings),
    )


def report_cost_curve(
    report: SelfHostReport, max_rpm: Decimal | None = None, steps: int = CURVE_STEPS
) -> list[CostCurvePoint]:
    """Return both lines of the monthly cost against volume at the low end of the overhead range.

    ``max_rpm`` (the highest peak requests per minute) defaults to ``CURVE_REACH``
    times the crossover, or times the traffic's peak when the lines never cross.
    """
    if max_rpm is None:
        crossover = report.crossovers[0]
        reference = (
            crossover.peak_requests_per_minute
            if crossover
            else report.traffic.peak_requests_per_minute
        )
        max_rpm = max(reference * CURVE_REACH, Decimal(1))
    return cost_curve(
        report.deployments[0],
        report.shape,
        report.api_usd_per_request,
        report.traffic.peak_to_average,
        max_rpm,
        steps=steps,
        days_per_month=report.traffic.days_per_month,
    )
