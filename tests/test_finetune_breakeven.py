"""Fine-tuning break-even, pinned on the published example.

The published example: a fine-tuned model that costs 1.5× per token but needs
a much shorter prompt pays from about 5,000 queries a day, with 20–30% net
savings at higher volumes. The assumptions that give it:

- base model at $3 per million input and $15 per million output tokens,
  a 2,500-token prompt (instructions and few-shot examples) and 250 output tokens;
- the fine-tuned model drops the prompt to 500 tokens at 1.5× the price per token;
- training costs $2,400 spread over 12 months, upkeep (evaluation, retraining)
  $300 a month, so $500 a month of fixed cost; a month is 30 days.

The base query costs $0.01125 and the fine-tuned one $0.007875, a 30% saving
per query; $500 / ($0.003375 × 30) = 4,938.27 queries a day. At 20,000 a day
the net saving is 22.6%, at 50,000 it is 27.0%, and it tends to 30%.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from truecost.analyses.finetune import FineTuneCase, at_volume, break_even
from truecost.cli.main import main
from truecost.errors import InputError

CENT = Decimal("0.01")


def published(multiplier: str = "1.5") -> FineTuneCase:
    return FineTuneCase(
        input_usd_per_mtok=Decimal(3),
        output_usd_per_mtok=Decimal(15),
        prompt_tokens=Decimal(2500),
        finetuned_prompt_tokens=Decimal(500),
        output_tokens=Decimal(250),
        price_multiplier=Decimal(multiplier),
        training_usd=Decimal(2400),
        amortization_months=Decimal(12),
        upkeep_usd_per_month=Decimal(300),
    )


def test_published_break_even_near_5000_a_day() -> None:
    result = break_even(published())
    assert result.base_usd_per_query == Decimal("0.01125")
    assert result.finetuned_usd_per_query == Decimal("0.007875")
    assert result.gross_saving_share == Decimal("0.3")
    assert result.fixed_usd_per_month == Decimal(500)
    assert result.break_even_queries_per_day is not None
    assert result.break_even_queries_per_day.quantize(CENT) == Decimal("4938.27")
    assert result.first_paying_queries_per_day == 4939


@pytest.mark.parametrize(("per_day", "pays"), [(4938, False), (4939, True)])
def test_break_even_both_sides(per_day: int, pays: bool) -> None:
    result = at_volume(published(), Decimal(per_day))
    assert (result.net_saving_usd_per_month > 0) is pays


@pytest.mark.parametrize(
    ("per_day", "saving_usd", "share"),
    [(20000, Decimal("1525.00"), Decimal("0.226")), (50000, Decimal("4562.50"), Decimal("0.270"))],
)
def test_net_savings_20_to_30_percent(per_day: int, saving_usd: Decimal, share: Decimal) -> None:
    result = at_volume(published(), Decimal(per_day))
    assert result.net_saving_usd_per_month.quantize(CENT) == saving_usd
    assert result.net_saving_share is not None
    assert result.net_saving_share.quantize(Decimal("0.001")) == share
    assert Decimal("0.2") <= result.net_saving_share <= Decimal("0.3")


def test_double_price_needs_more_volume() -> None:
    result = break_even(published("2"))
    assert result.finetuned_usd_per_query == Decimal("0.0105")
    assert result.break_even_queries_per_day is not None
    assert result.break_even_queries_per_day.quantize(CENT) == Decimal("22222.22")


def test_no_break_even_when_finetuned_costs_more() -> None:
    case = FineTuneCase(
        Decimal(3),
        Decimal(15),
        Decimal(600),
        Decimal(500),
        Decimal(250),
        Decimal(2),
        Decimal(100),
        Decimal(12),
        Decimal(0),
    )
    result = break_even(case)
    assert result.saving_usd_per_query < 0
    assert result.break_even_queries_per_day is None
    assert result.first_paying_queries_per_day is None


def test_exact_integer_break_even_pays_one_query_later() -> None:
    # Saving $0.003375 a query, fixed $1.0125 a month: exactly 10 queries a day.
    case = FineTuneCase(
        Decimal(3),
        Decimal(15),
        Decimal(2500),
        Decimal(500),
        Decimal(250),
        Decimal("1.5"),
        Decimal(0),
        Decimal(12),
        Decimal("1.0125"),
    )
    result = break_even(case)
    assert result.break_even_queries_per_day == Decimal(10)
    assert result.first_paying_queries_per_day == 11
    assert at_volume(case, Decimal(10)).net_saving_usd_per_month == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price_multiplier", Decimal(0), r"price multiplier must be above 0 \(got 0\)"),
        ("amortization_months", Decimal(0), r"amortization months must be above 0 \(got 0\)"),
        ("training_usd", Decimal(-1), r"training cost must be 0 or more \(got -1\)"),
        ("prompt_tokens", Decimal(-10), r"prompt tokens must be 0 or more \(got -10\)"),
    ],
)
def test_case_rejects_nonsense(field: str, value: Decimal, message: str) -> None:
    values = {f: getattr(published(), f) for f in FineTuneCase.__dataclass_fields__}
    values[field] = value
    with pytest.raises(InputError, match=message):
        FineTuneCase(**values)


ARGS = [
    "finetune",
    "--input-usd-per-mtok",
    "3",
    "--output-usd-per-mtok",
    "15",
    "--prompt-tokens",
    "2500",
    "--finetuned-prompt-tokens",
    "500",
    "--output-tokens",
    "250",
    "--training-usd",
    "2400",
    "--upkeep-usd-per-month",
    "300",
]


def test_cli_table_shows_both_multipliers(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "--queries-per-day", "20000"]) == 0
    out = capsys.readouterr().out
    assert "1.5x per token" in out
    assert "2x per token" in out
    assert "4,938.27" in out
    assert "22,222.22" in out
    assert "22.6%" in out


def test_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "--price-multiplier", "1.5", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["break_even"]) == 1
    assert data["break_even"][0]["first_paying_queries_per_day"] == 4939


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--price-multiplier", "2-1.5"], "--price-multiplier: range low 2 is above high 1.5"),
        (["--price-multiplier", "0"], "price multiplier must be above 0 (got 0)"),
        (["--amortization-months", "0"], "amortization months must be above 0 (got 0)"),
        (["--training-usd", "-5"], "training cost must be 0 or more (got -5)"),
    ],
)
def test_cli_bad_input_exits_2(
    extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*ARGS, *extra]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
