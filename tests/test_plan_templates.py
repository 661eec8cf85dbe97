"""Token math of the built-in templates, pinned exactly, flat estimate beside the full math."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from truecost.analyses.plan import PlanResult, plan
from truecost.analyses.plan_templates import load_template, template_names
from truecost.cli.main import main
from truecost.pricing import PriceCatalog

PRICE_DATE = date(2025, 9, 1)


def _plan(name: str, catalog: PriceCatalog) -> PlanResult:
    scenario = load_template(name).model_copy(update={"price_date": PRICE_DATE})
    return plan(scenario, catalog)


def test_templates_listed() -> None:
    assert template_names() == ["content-pipeline", "phone-agent", "support-agent"]


def test_flat_estimate_is_1800_a_month(catalog: PriceCatalog) -> None:
    # 2,000 tokens x 10,000 queries x 30 days at $3 per million tokens.
    result = _plan("support-agent", catalog)
    assert result.flat is not None
    assert result.flat.tokens_per_day == Decimal(20_000_000)
    assert result.flat.flat_usd_per_month == Decimal(1800)


def test_system_prompt_is_45_a_day(catalog: PriceCatalog) -> None:
    # A 1,500-token system prompt sent with each of 10,000 queries a day, at $3 per million.
    result = _plan("support-agent", catalog)
    assert result.tokens["system_prompt"] * result.requests_per_day == Decimal(15_000_000)
    assert result.usd["system_prompt"] * result.requests_per_day == Decimal(45)


def test_full_math_exceeds_flat_by_3240(catalog: PriceCatalog) -> None:
    # Per query: 1,500 system + 1,000 history (2 earlier turns of 100 + 400 on average in a
    # 5-turn conversation) + 1,000 retrieval + 100 user = 3,600 input tokens at $3, and
    # 400 output tokens at $15: $0.0108 + $0.0060 = $0.0168, $168 a day, $5,040 a month.
    result = _plan("support-agent", catalog)
    assert result.tokens == {
        "system_prompt": Decimal(1500),
        "history": Decimal(1000),
        "retrieval": Decimal(1000),
        "user_message": Decimal(100),
        "output": Decimal(400),
    }
    assert result.estimates["token_usd_per_request"].point == Decimal("0.0168")
    assert result.estimates["token_usd_per_day"].point == Decimal(168)
    assert result.flat is not None
    assert result.flat.full_usd_per_month == Decimal(5040)
    assert result.flat.difference_usd == Decimal(3240)
    assert result.flat.ratio == Decimal("2.8")


def test_component_shares(catalog: PriceCatalog) -> None:
    result = _plan("support-agent", catalog)
    assert result.usd["output"] * result.requests_per_day == Decimal(60)
    assert result.share("output") == Decimal("0.006") / Decimal("0.0168")
    assert result.share("history") == Decimal("0.003") / Decimal("0.0168")


def test_monte_carlo_is_seeded(catalog: PriceCatalog) -> None:
    first = _plan("support-agent", catalog).estimates["token_usd_per_month"]
    second = _plan("support-agent", catalog).estimates["token_usd_per_month"]
    assert first == second
    assert first.p10 == Decimal("4449.953371542")
    assert first.p50 == Decimal("5023.856782457")
    assert first.p90 == Decimal("5667.658429336")


def test_stack_point_figures(catalog: PriceCatalog) -> None:
    result = _plan("support-agent", catalog)
    # Engineering 15 h x $100, infrastructure 350, monitoring 200, vector db 135,
    # embeddings 300,000 x $0.00001 = 3, evaluation 200 + 2% of 60,000 conversations
    # x 3 minutes at $40 an hour = 2,600.
    assert result.estimates["stack_usd_per_month"].point == Decimal(4788)
    assert result.estimates["total_usd_per_month"].point == Decimal(9828)
    assert result.estimates["total_usd_per_outcome"].point == Decimal("0.1638")


def test_content_pipeline_figures(catalog: PriceCatalog) -> None:
    result = _plan("content-pipeline", catalog)
    assert result.requests_per_day == Decimal(3000)
    assert result.outcomes_per_day == Decimal(1000)
    # Half the calls at the batch price (half the standard rates).
    assert result.estimates["token_usd_per_month"].point == Decimal("2085.75")
    assert result.flat is not None
    assert result.flat.flat_usd_per_month == Decimal(270)
    # 10% of 30,000 documents x 15 minutes at $45 an hour.
    review = [line for line in result.stack_lines if line.category == "evaluation"]
    assert review[0].amount.mid_usd == Decimal(3375) * 10


def test_phone_agent_figures(catalog: PriceCatalog) -> None:
    result = _plan("phone-agent", catalog)
    assert result.requests_per_day == Decimal(6000)
    assert result.estimates["token_usd_per_month"].point == Decimal("1865.25")
    extras = {line.label: line.amount for line in result.stack_lines if line.category == "extra"}
    # 15,000 calls x 4.5 minutes x $0.075 a minute at midpoints.
    assert extras["voice platform"].mid_usd == Decimal("5062.5")
    assert extras["voice platform"].low_usd == Decimal("2250")
    assert extras["voice platform"].high_usd == Decimal("9000")
    assert set(extras) == {"voice platform", "telephony", "recording and transcription"}


def test_plan_cli_template_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--template", "support-agent", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert '"flat_usd_per_month": 1800.0' in out
    assert '"difference_usd_per_month": 3240.0' in out


def test_plan_cli_list_templates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--list-templates"]) == 0
    out = capsys.readouterr().out
    assert "phone-agent" in out
    assert "content-pipeline" in out
