"""Rows of the ``truecost selfhost`` tables."""

from __future__ import annotations

from decimal import Decimal

from truecost.analyses.selfhost_hybrid import HybridPlan
from truecost.analyses.selfhost_report import SelfHostReport
from truecost.analyses.selfhost_traffic import TrafficShape
from truecost.cli._buildvsbuy_render import number, percent, usd

Grid = tuple[list[str], list[list[str]]]
_MICRO = Decimal("0.000001")


def estimate_rows(report: SelfHostReport) -> Grid:
    """Return one metric per row and one column per end of the overhead range."""
    headers = ["metric"] + [f"overhead {percent(e.overhead_share)}" for e in report.estimates]
    shared = [
        ("API price source", report.api_price_source),
        (
            "tokens per request (in / out)",
            f"{number(report.shape.input_tokens, 0)} / {number(report.shape.output_tokens, 0)}",
        ),
        ("API cost per request", f"${report.api_usd_per_request.quantize(_MICRO)}"),
        ("capacity per replica (rpm at 100%)", number(report.requests_per_minute_per_replica, 1)),
        ("profile", report.profile.id if report.profile else "--capacity-rpm"),
    ]
    rows = [[label] + [value] * len(report.estimates) for label, value in shared]
    per_estimate = {
        "replicas / GPUs": [f"{e.replicas} / {e.gpus}" for e in report.estimates],
        "capacity (rpm at 100%)": [
            number(e.capacity_requests_per_minute, 1) for e in report.estimates
        ],
        "peak rpm / average rpm": [
            f"{number(e.peak_requests_per_minute, 1)} / {number(e.average_requests_per_minute, 1)}"
            for e in report.estimates
        ],
        "peak-to-average ratio": [number(e.peak_to_average, 2) for e in report.estimates],
        "utilization (peak / average)": [
            f"{percent(e.peak_utilization)} / {percent(e.average_utilization)}"
            for e in report.estimates
        ],
        "tokens per month": [number(e.tokens_per_month, 0) for e in report.estimates],
        "GPUs $/month": [usd(e.gpu_usd_per_month) for e in report.estimates],
        "overhead $/month": [usd(e.overhead_usd_per_month) for e in report.estimates],
        "engineering $/month": [usd(e.engineering_usd_per_month) for e in report.estimates],
        "self-host total $/month": [usd(e.total_usd_per_month) for e in report.estimates],
        "self-host $/Mtok (achieved)": [usd(e.usd_per_mtok) for e in report.estimates],
        "self-host $/Mtok (at 100%)": [
            usd(e.usd_per_mtok_at_full_utilization) for e in report.estimates
        ],
        "API $/month": [usd(e.api_usd_per_month) for e in report.estimates],
        "saving $/month (API - self-host)": [usd(e.saving_usd_per_month) for e in report.estimates],
        "crossover peak rpm": [
            number(c.peak_requests_per_minute, 2) if c else "never" for c in report.crossovers
        ],
        "crossover requests/day": [
            number(c.requests_per_day, 0) if c else "never" for c in report.crossovers
        ],
        "crossover tokens/month": [
            number(c.tokens_per_month, 0) if c else "never" for c in report.crossovers
        ],
    }
    rows += [[label, *values] for label, values in per_estimate.items()]
    return headers, rows


def feature_rows(shape: TrafficShape) -> Grid:
    """Return the ledger window's traffic per feature: volume, peak, ratio and tokens."""
    headers = [
        "feature",
        "requests",
        "peak/hour",
        "avg/hour",
        "peak:avg",
        "in tok/req",
        "out tok/req",
        "spend",
    ]
    rows = []
    for feature in (shape.total, *shape.features):
        average = Decimal(feature.requests) / shape.hours
        ratio = feature.peak_requests_per_hour / average if average else Decimal(0)
        rows.append(
            [
                feature.feature,
                number(feature.requests, 0),
                number(feature.peak_requests_per_hour, 0),
                number(average, 2),
                number(ratio, 2),
                number(feature.input_tokens_per_request, 0),
                number(feature.output_tokens_per_request, 0),
                usd(feature.cost_usd),
            ]
        )
    return headers, rows


def hybrid_rows(plan: HybridPlan) -> Grid:
    """Return each feature's placement in the cheapest plan and its monthly saving."""
    headers = [
        "feature",
        "requests/month",
        "API $/month",
        "runs on",
        "self-host share $/month",
        "saving $/month",
    ]
    rows = [
        [
            f.feature,
            number(f.requests_per_month, 0),
            usd(f.api_usd_per_month),
            f.placement,
            usd(f.selfhost_usd_per_month),
            usd(f.saving_usd_per_month),
        ]
        for f in plan.features
    ]
    rows.append(
        [
            "(total)",
            "",
            usd(plan.all_api_usd_per_month),
            "",
            usd(plan.best.selfhost_usd_per_month),
            usd(plan.best.saving_usd_per_month),
        ]
    )
    return headers, rows


def hybrid_step_rows(plan: HybridPlan) -> Grid:
    """Return the monthly bill of every split tried, from all-API to all self-hosted."""
    headers = [
        "self-hosted features",
        "peak rpm",
        "replicas",
        "self-host $/month",
        "API $/month",
        "total",
        "saving",
    ]
    rows = [
        [
            ", ".join(s.features) or "(none)",
            number(s.peak_requests_per_minute, 2),
            str(s.replicas),
            usd(s.selfhost_usd_per_month),
            usd(s.api_usd_per_month),
            usd(s.total_usd_per_month),
            usd(s.saving_usd_per_month),
        ]
        for s in plan.steps
    ]
    return headers, rows
