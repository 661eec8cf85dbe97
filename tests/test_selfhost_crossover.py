"""The self-hosting cost model and crossover, pinned on the published rule of thumb.

The rule of thumb: one A100 at about $2,000 a month serves 100–200 requests a
minute. Against an API at $3 per million tokens and 2,000 tokens a request,
200 requests a minute cost about $25,000 a month when the traffic runs 12 hours
a day, and about $52,000 around the clock. Counting engineering time, the
crossover falls near 30–50 requests a minute. The assumptions that give it:

- a month is 30 days;
- traffic runs at a flat rate 12 hours a day, so the peak-to-average ratio is 2
  and the crossover is quoted as the peak rate;
- 2,000 tokens a request (1,500 in, 500 out), both at $3 per million tokens;
- one replica is one A100 at $2,000 a month plus a 30–50% overhead;
- engineering takes 20 hours a month at $100 an hour ($2,000 a month);
- the GPU may run at 100% of its measured 100–200 requests a minute.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from truecost.analyses.selfhost import (
    Deployment,
    RequestShape,
    Traffic,
    api_usd_per_request,
    estimate,
)
from truecost.analyses.selfhost_crossover import (
    cost_curve,
    crossover_requests_per_day,
    find_crossover,
)
from truecost.errors import InputError

CENT = Decimal("0.01")
SHAPE = RequestShape(Decimal(1500), Decimal(500))
PER_REQUEST = api_usd_per_request(SHAPE, Decimal(3), Decimal(3))
TWELVE_HOURS_A_DAY = Decimal(2)


def a100(overhead: str, capacity_rpm: int = 200, hours: int = 20, **extra: object) -> Deployment:
    return Deployment(
        gpus_per_replica=1,
        gpu_usd_per_month=Decimal(2000),
        requests_per_minute_per_replica=Decimal(capacity_rpm),
        overhead_share=Decimal(overhead),
        engineering_hours_per_month=Decimal(hours),
        engineering_usd_per_hour=Decimal(100),
        **extra,  # type: ignore[arg-type]
    )


def test_api_cost_of_rule_of_thumb() -> None:
    assert Decimal("0.006") == PER_REQUEST
    half_day = estimate(a100("0.3"), Traffic(Decimal(200), TWELVE_HOURS_A_DAY), SHAPE, PER_REQUEST)
    around_the_clock = estimate(a100("0.3"), Traffic(Decimal(200), Decimal(1)), SHAPE, PER_REQUEST)
    assert half_day.api_usd_per_month == Decimal(25920)
    assert around_the_clock.api_usd_per_month == Decimal(51840)


@pytest.mark.parametrize("capacity_rpm", [100, 200])
@pytest.mark.parametrize(
    ("overhead", "expected_rpm", "expected_per_day"),
    [("0.3", Decimal("35.49"), Decimal(25556)), ("0.5", Decimal("38.58"), Decimal(27778))],
)
def test_rule_of_thumb_crossover_with_engineering(
    capacity_rpm: int, overhead: str, expected_rpm: Decimal, expected_per_day: Decimal
) -> None:
    found = find_crossover(a100(overhead, capacity_rpm), SHAPE, PER_REQUEST, TWELVE_HOURS_A_DAY)
    assert found is not None
    assert found.peak_requests_per_minute.quantize(CENT) == expected_rpm
    assert Decimal(30) <= found.peak_requests_per_minute <= Decimal(50)
    assert found.requests_per_day.quantize(Decimal(1)) == expected_per_day
    assert found.replicas == 1


@pytest.mark.parametrize(
    ("overhead", "expected_rpm"), [("0.3", Decimal("20.06")), ("0.5", Decimal("23.15"))]
)
def test_crossover_without_engineering_is_below_30(overhead: str, expected_rpm: Decimal) -> None:
    found = find_crossover(a100(overhead, hours=0), SHAPE, PER_REQUEST, TWELVE_HOURS_A_DAY)
    assert found is not None
    assert found.peak_requests_per_minute.quantize(CENT) == expected_rpm


def test_crossover_costs_equal_on_both_sides() -> None:
    deployment = a100("0.3")
    found = find_crossover(deployment, SHAPE, PER_REQUEST, TWELVE_HOURS_A_DAY)
    assert found is not None
    assert found.monthly_usd == Decimal(4600)
    assert found.tokens_per_month.quantize(Decimal(1)) == Decimal(1533333333)
    below = estimate(deployment, Traffic(Decimal(35), TWELVE_HOURS_A_DAY), SHAPE, PER_REQUEST)
    above = estimate(deployment, Traffic(Decimal(36), TWELVE_HOURS_A_DAY), SHAPE, PER_REQUEST)
    assert below.saving_usd_per_month < 0
    assert above.saving_usd_per_month > 0


def test_crossover_requests_per_day_for_planner() -> None:
    per_day = crossover_requests_per_day(a100("0.5"), SHAPE, PER_REQUEST, TWELVE_HOURS_A_DAY)
    assert per_day is not None
    assert per_day.quantize(Decimal(1)) == Decimal(27778)


def test_no_crossover_for_costly_replica() -> None:
    # 10 requests a minute per replica earn the API $1,296 a month, less than $2,600.
    deployment = a100("0.3", capacity_rpm=10)
    assert find_crossover(deployment, SHAPE, PER_REQUEST, TWELVE_HOURS_A_DAY) is None
    assert crossover_requests_per_day(deployment, SHAPE, PER_REQUEST, TWELVE_HOURS_A_DAY) is None


def test_crossover_needs_several_replicas() -> None:
    # Per replica 30 rpm: margin 30 * 129.6 - 2,600 = 1,288 a month, so 2 replicas
    # pay the 2,000 of engineering: (2,000 + 5,200) / 129.6 = 55.56 rpm.
    found = find_crossover(a100("0.3", capacity_rpm=30), SHAPE, PER_REQUEST, TWELVE_HOURS_A_DAY)
    assert found is not None
    assert found.replicas == 2
    assert found.peak_requests_per_minute.quantize(CENT) == Decimal("55.56")


def test_fixed_replicas_crossover_within_capacity() -> None:
    found = find_crossover(a100("0.3", fixed_replicas=2), SHAPE, PER_REQUEST, TWELVE_HOURS_A_DAY)
    assert found is not None
    assert found.peak_requests_per_minute.quantize(CENT) == Decimal("55.56")
    too_small = a100("0.3", capacity_rpm=20, fixed_replicas=1)
    assert find_crossover(too_small, SHAPE, PER_REQUEST, TWELVE_HOURS_A_DAY) is None


def test_estimate_sizes_for_peak_not_average() -> None:
    deployment = a100("0.4", capacity_rpm=150, max_utilization=Decimal("0.8"))
    result = estimate(deployment, Traffic(Decimal(200), TWELVE_HOURS_A_DAY), SHAPE, PER_REQUEST)
    # 200 rpm at 120 usable rpm per replica needs 2 replicas, although the average is 100.
    assert result.replicas == 2
    assert result.capacity_requests_per_minute == Decimal(300)
    assert result.average_requests_per_minute == Decimal(100)
    assert result.peak_utilization.quantize(Decimal("0.0001")) == Decimal("0.6667")
    assert result.average_utilization.quantize(Decimal("0.0001")) == Decimal("0.3333")
    assert result.gpu_usd_per_month == Decimal(4000)
    assert result.overhead_usd_per_month == Decimal(1600)
    assert result.total_usd_per_month == Decimal(7600)
    assert result.tokens_per_month == Decimal(8640000000)
    assert result.usd_per_mtok is not None
    assert result.usd_per_mtok.quantize(Decimal("0.0001")) == Decimal("0.8796")
    assert result.usd_per_mtok_at_full_utilization is not None
    assert result.usd_per_mtok_at_full_utilization.quantize(Decimal("0.0001")) == Decimal("0.2932")


@pytest.mark.parametrize(("peak", "replicas"), [(Decimal(120), 1), (Decimal("120.01"), 2)])
def test_replicas_on_both_sides_of_capacity(peak: Decimal, replicas: int) -> None:
    deployment = a100("0.3", capacity_rpm=150, max_utilization=Decimal("0.8"))
    assert deployment.replicas_for(peak) == replicas


def test_cost_curve_has_both_lines_and_steps() -> None:
    points = cost_curve(a100("0.3"), SHAPE, PER_REQUEST, TWELVE_HOURS_A_DAY, Decimal(400), steps=4)
    rates = [p.peak_requests_per_minute for p in points]
    assert rates == sorted(rates)
    assert Decimal(200) in rates  # the last rate one replica serves
    assert any(p.peak_requests_per_minute.quantize(CENT) == Decimal("35.49") for p in points)
    last = points[-1]
    assert last.peak_requests_per_minute == Decimal(400)
    assert last.replicas == 2
    assert last.api_usd_per_month == Decimal(51840)
    assert last.selfhost_usd_per_month == Decimal(7200)
    assert points[0].api_usd_per_month == 0
    assert points[0].selfhost_usd_per_month == Decimal(4600)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("gpu_usd_per_month", Decimal(0), "GPU price must be above 0 (got 0)"),
        ("gpu_usd_per_month", Decimal(-5), "GPU price must be above 0 (got -5)"),
        (
            "requests_per_minute_per_replica",
            Decimal(0),
            "throughput (requests per minute per replica)",
        ),
        ("max_utilization", Decimal("1.2"), "got 120.0%"),
        ("max_utilization", Decimal(0), "must be above 0%"),
        ("overhead_share", Decimal("-0.1"), "overhead must be 0 or more (got -0.1)"),
        ("gpus_per_replica", 0, "GPUs per replica must be above 0 (got 0)"),
    ],
)
def test_deployment_rejects_nonsense(field: str, value: object, message: str) -> None:
    values: dict[str, object] = {
        "gpus_per_replica": 1,
        "gpu_usd_per_month": Decimal(2000),
        "requests_per_minute_per_replica": Decimal(150),
        "overhead_share": Decimal("0.3"),
        "engineering_hours_per_month": Decimal(20),
        "engineering_usd_per_hour": Decimal(100),
        field: value,
    }
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Deployment(**values)  # type: ignore[arg-type]


def test_utilization_of_exactly_100_percent_is_allowed() -> None:
    assert a100(
        "0.3", max_utilization=Decimal(1)
    ).usable_requests_per_minute_per_replica == Decimal(200)


def test_traffic_rejects_peak_below_average() -> None:
    with pytest.raises(InputError, match=r"peak-to-average ratio must be 1 or more \(got 0.5\)"):
        Traffic(Decimal(10), Decimal("0.5"))
