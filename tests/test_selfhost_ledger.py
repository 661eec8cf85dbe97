"""Traffic shape from a real ledger, the hybrid split, and the selfhost CLI on it.

The ledger holds two days (48 clock hours, UTC) of traffic:
- "chat": 10 requests an hour from 08:00 to 19:59 on both days, except 30 at
  12:00 on the first day: 260 requests of 1,500 input and 500 output tokens;
- "search": 5 requests at 00:00 on the first day and 5 at 23:00 on the second,
  10 requests of 300 input and 20 output tokens.
Every call is priced at $3 per million tokens by a price override.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from truecost.analyses.selfhost import Deployment
from truecost.analyses.selfhost_hybrid import ApiTokenPrices, plan_hybrid
from truecost.analyses.selfhost_profiles import load_profiles
from truecost.analyses.selfhost_traffic import TrafficFilter, traffic_shape
from truecost.cli.main import main
from truecost.errors import InputError
from truecost.ledger import open_ledger
from truecost.pricing import PriceCatalog
from truecost.record import UsageRecord, records_to_arrow

DAY_ONE = datetime(2025, 3, 3, tzinfo=UTC)
PRICES = """
[[price]]
provider = "selfhosttest"
model = "flat-3"
input_usd_per_mtok = "3"
output_usd_per_mtok = "3"
"""
PROFILE = """
[[profile]]
id = "test/1xgpu"
model = "test model"
gpu = "test GPU"
gpus = 1
input_tokens = "1500"
output_tokens = "500"
concurrency = 64
output_tokens_per_second = "1000"
source = "measured in the test"
"""


def _record(
    index: int, when: datetime, feature: str, tokens_in: int, tokens_out: int
) -> UsageRecord:
    return UsageRecord(
        id=f"r{index}",
        timestamp=when,
        provider="selfhosttest",
        model="flat-3",
        input_tokens=tokens_in,
        output_tokens=tokens_out,
        feature=feature,
    )


def _records() -> list[UsageRecord]:
    records: list[UsageRecord] = []
    for day in range(2):
        for hour in range(8, 20):
            count = 30 if (day, hour) == (0, 12) else 10
            start = DAY_ONE + timedelta(days=day, hours=hour)
            for n in range(count):
                records.append(
                    _record(len(records), start + timedelta(minutes=n), "chat", 1500, 500)
                )
    for when in (DAY_ONE, DAY_ONE + timedelta(days=1, hours=23)):
        for n in range(5):
            records.append(_record(len(records), when + timedelta(minutes=n), "search", 300, 20))
    return records


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    prices = tmp_path / "prices.toml"
    prices.write_text(PRICES)
    profile = tmp_path / "profiles.toml"
    profile.write_text(PROFILE)
    ledger_path = tmp_path / "ledger.duckdb"
    with open_ledger(ledger_path) as ledger:
        ledger.insert(records_to_arrow(_records()), PriceCatalog([prices]))
    return {"ledger": ledger_path, "prices": prices, "profile": profile}


def test_traffic_shape_peak_and_average(files: dict[str, Path]) -> None:
    with open_ledger(files["ledger"], read_only=True) as ledger:
        shape = traffic_shape(ledger.con)
    assert shape.first_hour == DAY_ONE
    assert shape.hours == 48
    assert shape.total.requests == 270
    assert shape.peak_requests_per_hour == 30
    assert shape.peak_hour == DAY_ONE + timedelta(hours=12)
    assert shape.average_requests_per_hour == Decimal("5.625")
    assert shape.peak_to_average.quantize(Decimal("0.0001")) == Decimal("5.3333")
    assert shape.peak_requests_per_minute == Decimal("0.5")
    assert shape.requests_per_day == Decimal(135)
    assert shape.total.cost_usd == Decimal("1.5696")
    assert shape.total.unpriced_requests == 0


def test_traffic_shape_per_feature(files: dict[str, Path]) -> None:
    with open_ledger(files["ledger"], read_only=True) as ledger:
        shape = traffic_shape(ledger.con)
    chat, search = shape.features
    assert chat.feature == "chat"
    assert chat.requests == 260
    assert chat.peak_requests_per_hour == 30
    assert chat.input_tokens_per_request == Decimal(1500)
    assert chat.output_tokens_per_request == Decimal(500)
    assert search.feature == "search"
    assert search.requests == 10
    assert search.peak_requests_per_hour == 5
    assert search.output_tokens_per_request == Decimal(20)


def test_traffic_filter_by_feature_and_window(files: dict[str, Path]) -> None:
    with open_ledger(files["ledger"], read_only=True) as ledger:
        search = traffic_shape(ledger.con, TrafficFilter(features=("search",)))
        day_two = traffic_shape(ledger.con, TrafficFilter(since=DAY_ONE + timedelta(days=1)))
        with pytest.raises(InputError, match="no requests in the chosen window"):
            traffic_shape(ledger.con, TrafficFilter(features=("nothing",)))
    assert search.total.requests == 10
    assert search.hours == 48
    assert day_two.total.requests == 125
    assert day_two.peak_requests_per_hour == 10


def _deployment(gpu_usd: str, engineering_hours: str) -> Deployment:
    return Deployment(
        gpus_per_replica=1,
        gpu_usd_per_month=Decimal(gpu_usd),
        requests_per_minute_per_replica=Decimal(1),  # replaced per split from the profile
        overhead_share=Decimal("0.3"),
        engineering_hours_per_month=Decimal(engineering_hours),
        engineering_usd_per_hour=Decimal(100),
    )


def test_hybrid_all_api_when_gpus_cost_more(files: dict[str, Path]) -> None:
    (profile,) = load_profiles(files["profile"])
    with open_ledger(files["ledger"], read_only=True) as ledger:
        shape = traffic_shape(ledger.con)
    plan = plan_hybrid(shape, _deployment("2000", "20"), profile)
    # Ledger spend of $1.5696 over 2 days is $23.544 for a 30-day month.
    assert plan.all_api_usd_per_month == Decimal("23.5440")
    assert plan.best.features == ()
    assert [step.features for step in plan.steps] == [(), ("chat",), ("chat", "search")]
    assert all(f.placement == "API" for f in plan.features)


def test_hybrid_moves_high_volume_feature(files: dict[str, Path]) -> None:
    (profile,) = load_profiles(files["profile"])
    with open_ledger(files["ledger"], read_only=True) as ledger:
        shape = traffic_shape(ledger.con)
    prices = ApiTokenPrices(Decimal(3), Decimal(3))
    plan = plan_hybrid(shape, _deployment("10", "0"), profile, prices)
    # One replica costs $13 a month; chat alone is $23.40 a month on the API.
    chat_step = plan.steps[1]
    assert chat_step.selfhost_usd_per_month == Decimal(13)
    assert chat_step.api_usd_per_month == Decimal("0.144")
    assert chat_step.saving_usd_per_month == Decimal("10.400")
    assert plan.best.features == ("chat", "search")
    assert plan.best.total_usd_per_month == Decimal(13)
    shares = sum(f.selfhost_usd_per_month for f in plan.features)
    assert shares == Decimal(13)
    chat = plan.features[0]
    assert chat.placement == "self-hosted"
    assert chat.api_usd_per_month == Decimal("23.400")


def test_cli_estimate_from_ledger(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        [
            "selfhost",
            "estimate",
            "--ledger",
            str(files["ledger"]),
            "--prices",
            str(files["prices"]),
            "--profiles",
            str(files["profile"]),
            "--profile",
            "test/1xgpu",
            "--gpu-usd-per-hour",
            "2",
            "--engineering-hours-per-month",
            "0",
            "--overhead-percent",
            "30",
            "--format",
            "json",
        ]
    )
    assert status == 0
    data = json.loads(capsys.readouterr().out)
    (result,) = data["estimates"]
    assert result["peak_requests_per_minute"] == "0.5"
    assert Decimal(result["peak_to_average"]).quantize(Decimal("0.0001")) == Decimal("5.3333")
    assert result["gpu_usd_per_month"] == "1440"
    assert data["api_price_source"] == "ledger spend over 270 priced requests"
    assert data["ledger_traffic"]["hours"] == 48


def test_cli_hybrid_table(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    status = main(
        [
            "selfhost",
            "hybrid",
            "--ledger",
            str(files["ledger"]),
            "--profiles",
            str(files["profile"]),
            "--profile",
            "test/1xgpu",
            "--gpu-usd-per-month",
            "10",
            "--engineering-hours-per-month",
            "0",
            "--overhead-percent",
            "30",
            "--api-input-usd-per-mtok",
            "3",
            "--api-output-usd-per-mtok",
            "3",
        ]
    )
    assert status == 0
    out = capsys.readouterr().out
    assert "self-hosted" in out
    assert "chat, search" in out
