"""Scenario files: token math options, bad input rejected with file, key and fix, scale advice."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from truecost.analyses.plan import plan
from truecost.analyses.plan_scenario import load_scenario
from truecost.analyses.scale import scale_advice
from truecost.cli.main import main
from truecost.config.scale import ScaleConfig, ScaleTier
from truecost.errors import ConfigError
from truecost.pricing import PriceCatalog

BASE = """
provider = "anthropic"
model = "claude-sonnet-4-20250514"
price_date = 2025-09-01
requests_per_day = 1000
system_prompt_tokens = 1000
user_message_tokens = 100
output_tokens = 100
"""


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "scenario.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_five_turns_resend_first_message(tmp_path: Path, catalog: PriceCatalog) -> None:
    scenario = load_scenario(_write(tmp_path, BASE + "turns_per_conversation = 5\n"))
    result = plan(scenario, catalog)
    # Over a 5-turn conversation the history sums 0+1+2+3+4 = 10 earlier turns of 200 tokens,
    # 2,000 tokens in 5 requests: 400 a request.
    assert result.tokens["history"] == Decimal(400)
    assert result.outcomes_per_day == Decimal(200)


def test_prompt_cache_prices_hits_and_writes(tmp_path: Path, catalog: PriceCatalog) -> None:
    body = BASE + "prompt_cache_hit_share = 0.9\n"
    result = plan(load_scenario(_write(tmp_path, body)), catalog)
    # 1,000 system tokens: 90% at $0.30 and 10% at the $3.75 write rate per million.
    assert result.usd["system_prompt"] == Decimal("0.000645")
    assert result.usd["user_message"] == Decimal("0.0003")


def test_batch_and_semantic_cache(tmp_path: Path, catalog: PriceCatalog) -> None:
    body = BASE + "batch_share = 0.5\nsemantic_cache_hit_share = 0.2\n"
    result = plan(load_scenario(_write(tmp_path, body)), catalog)
    # Standard $0.0048 a request (1,100 in at $3, 100 out at $15), batch half of that,
    # and 20% of requests answered from the semantic cache: (0.0048 + 0.0024) / 2 x 0.8.
    assert result.estimates["token_usd_per_request"].point == Decimal("0.00288")
    assert result.notes == [
        "anthropic/claude-sonnet-4-0: batch price = 0.5 x standard tokens (price_overrides.toml#3)"
    ]


def test_routing_mix(tmp_path: Path, catalog: PriceCatalog) -> None:
    body = BASE.replace('provider = "anthropic"\nmodel = "claude-sonnet-4-20250514"\n', "")
    body += """
[[routing]]
provider = "anthropic"
model = "claude-sonnet-4-20250514"
share = 0.25
[[routing]]
provider = "openai"
model = "gpt-4o-mini"
share = 0.75
"""
    result = plan(load_scenario(_write(tmp_path, body)), catalog)
    # Sonnet: 1,100 in x $3 + 100 out x $15 = $0.0048; mini: 1,100 x $0.15 + 100 x $0.60 = $0.000225.
    assert result.estimates["token_usd_per_request"].point == Decimal("0.00136875")


def test_exact_inputs_skip_simulation(tmp_path: Path, catalog: PriceCatalog) -> None:
    result = plan(load_scenario(_write(tmp_path, BASE)), catalog)
    assert not result.simulated
    estimate = result.estimates["token_usd_per_month"]
    assert estimate.p10 == estimate.p50 == estimate.p90 == estimate.point == Decimal(144)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            BASE.replace("requests_per_day = 1000", "requests_per_day = -5"),
            "'requests_per_day': must be zero or more",
        ),
        (
            BASE.replace("output_tokens = 100", 'output_tokens = "500-300"'),
            "'output_tokens': range low 500 is above high 300",
        ),
        (BASE.replace("output_tokens = 100\n", ""), "missing key 'output_tokens'"),
        (BASE.replace("output_tokens", "output_tokenz"), "Did you mean 'output_tokens'?"),
        (
            BASE.replace("claude-sonnet-4-20250514", "claude-sonet-4-20250514"),
            "unknown model 'claude-sonet-4-20250514'",
        ),
        (BASE + "batch_share = 1.5\n", "a share is between 0 and 1"),
        (
            BASE.replace("requests_per_day = 1000", "requests_per_day = 0"),
            "the daily volume must be above 0",
        ),
    ],
)
def test_bad_scenario_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, expected: str
) -> None:
    path = _write(tmp_path, body)
    assert main(["plan", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert str(path) in err
    assert expected in err


def test_unknown_model_suggests(tmp_path: Path, catalog: PriceCatalog) -> None:
    body = BASE.replace("claude-sonnet-4-20250514", "claude-sonet-4-20250514")
    with pytest.raises(ConfigError, match="'claude-sonnet-4-0'"):
        plan(load_scenario(_write(tmp_path, body)), catalog, source="s.toml")


@pytest.mark.parametrize(
    ("requests", "advice"),
    [
        (0, "an API provider"),
        (999, "an API provider"),
        (1_000, "an API provider with optimization"),
        (49_999, "an API provider with optimization"),
        (50_000, "hybrid"),
        (499_999, "hybrid"),
        (500_000, "self-hosted first"),
    ],
)
def test_scale_advice_tiers(requests: int, advice: str) -> None:
    assert scale_advice(Decimal(requests)).advice.startswith(advice)


def test_scale_advice_from_config() -> None:
    config = ScaleConfig(
        tiers=[
            ScaleTier(min_requests_per_day=Decimal(0), advice="api"),
            ScaleTier(min_requests_per_day=Decimal(20_000), advice="own gpus"),
        ]
    )
    assert scale_advice(Decimal(19_999), config).advice == "api"
    assert scale_advice(Decimal(20_000), config).advice == "own gpus"
    assert scale_advice(Decimal(20_000), config).next_tier_min_requests_per_day is None
