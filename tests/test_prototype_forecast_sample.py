"""``truecost forecast --sample``: bootstrap interval, buffer, engineering, small-sample warnings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from truecost.analyses.prototype_forecast import ForecastInputs, prototype_forecast
from truecost.cli.main import main
from truecost.config import TruecostConfig
from truecost.errors import InputError
from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog
from truecost.record import UsageRecord, records_to_arrow


def _fill(ledger: Ledger, catalog: PriceCatalog, cheap: int, dear: int) -> None:
    start = datetime(2026, 3, 1, tzinfo=UTC)
    records = []
    for i in range(cheap + dear):
        # $0.0045 (1,000 in, 100 out) or $0.0093 (1,100 in, 400 out) on Claude Sonnet 4.
        output = 100 if i < cheap else 400
        records.append(
            UsageRecord(
                id=f"r{i}",
                timestamp=start + timedelta(minutes=i),
                provider="anthropic",
                model="claude-sonnet-4-20250514",
                input_tokens=1000 if i < cheap else 1100,
                output_tokens=output,
                feature="support-bot",
            )
        )
    ledger.insert(records_to_arrow(records), catalog)


def test_mean_interval_and_month(ledger: Ledger, catalog: PriceCatalog) -> None:
    _fill(ledger, catalog, 500, 500)
    inputs = ForecastInputs(daily_requests=Decimal(10_000))
    forecast = prototype_forecast(ledger.con, inputs, TruecostConfig())
    assert forecast.sample_requests == 1000
    assert forecast.mean_usd_per_request == Decimal("0.0069")
    assert forecast.interval_usd_per_request == (Decimal("0.006751200"), Decimal("0.007048800"))
    # $0.0069 x 10,000 a day x 30 days x 1.3 buffer.
    assert forecast.token_usd_per_month.mid_usd == Decimal(2691)
    # Simple default: 10-20 hours at $100.
    assert forecast.engineering_usd_per_month.low_usd == Decimal(1000)
    assert forecast.engineering_usd_per_month.high_usd == Decimal(2000)
    assert forecast.total_usd_per_month.mid_usd == Decimal(4191)
    assert forecast.warnings == []


def test_feature_config_and_buffer(ledger: Ledger, catalog: PriceCatalog) -> None:
    _fill(ledger, catalog, 100, 0)
    config = TruecostConfig.model_validate(
        {
            "coststack": {
                "forecast_buffer_share": "0.5",
                "features": {
                    "support-bot": {"engineering": {"hours_per_month": 40, "usd_per_hour": 150}}
                },
            }
        }
    )
    inputs = ForecastInputs(daily_requests=Decimal(1000), feature="support-bot")
    forecast = prototype_forecast(ledger.con, inputs, config)
    assert forecast.buffer_share == Decimal("0.5")
    assert forecast.token_usd_per_month.mid_usd == Decimal("0.0045") * 30_000 * Decimal("1.5")
    assert forecast.engineering_usd_per_month.mid_usd == Decimal(6000)
    complex_inputs = ForecastInputs(daily_requests=Decimal(1000), complexity="complex")
    complex_forecast = prototype_forecast(ledger.con, complex_inputs, config)
    assert complex_forecast.engineering_usd_per_month.low_usd == Decimal(4000)


@pytest.mark.parametrize(("requests", "warned"), [(99, True), (100, False)])
def test_small_sample_warning(
    ledger: Ledger, catalog: PriceCatalog, requests: int, warned: bool
) -> None:
    _fill(ledger, catalog, requests, 0)
    forecast = prototype_forecast(
        ledger.con, ForecastInputs(daily_requests=Decimal(10)), TruecostConfig()
    )
    assert any("fewer than 100" in w for w in forecast.warnings) is warned


def test_wide_interval_warning(ledger: Ledger, catalog: PriceCatalog) -> None:
    _fill(ledger, catalog, 100, 5)
    forecast = prototype_forecast(
        ledger.con, ForecastInputs(daily_requests=Decimal(10)), TruecostConfig()
    )
    assert forecast.warnings == []
    ledger.con.execute("DELETE FROM records WHERE id NOT IN ('r0', 'r1', 'r2', 'r100', 'r101')")
    forecast = prototype_forecast(
        ledger.con, ForecastInputs(daily_requests=Decimal(10)), TruecostConfig()
    )
    assert any("would narrow it to ±10%" in w for w in forecast.warnings)


def test_too_few_requests(ledger: Ledger, catalog: PriceCatalog) -> None:
    _fill(ledger, catalog, 1, 0)
    with pytest.raises(InputError, match="needs at least 2"):
        prototype_forecast(ledger.con, ForecastInputs(daily_requests=Decimal(10)), TruecostConfig())


def test_forecast_cli(
    ledger: Ledger, catalog: PriceCatalog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(ledger, catalog, 500, 500)
    ledger.close()
    sample = str(tmp_path / "ledger.duckdb")
    assert (
        main(["forecast", "--sample", sample, "--daily-requests", "10000", "--format", "json"]) == 0
    )
    assert '"mid_usd": 2691.0' in capsys.readouterr().out
    assert main(["forecast", "--sample", sample]) == 2
    assert "--daily-requests" in capsys.readouterr().err
