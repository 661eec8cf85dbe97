"""Fine-tuning break-even: a dearer model per token that needs a shorter prompt.

A fine-tuned model costs ``price_multiplier`` times the base model per token
(1.5–2× is common) but learns what the base model's long prompt spelled out:
instructions and few-shot examples. Each query saves
``base cost − fine-tuned cost``; the training run (spread over
``amortization_months``) and the monthly upkeep (evaluation, retraining, data
work) are fixed. The break-even is the daily volume at which the savings pay
the fixed costs:

    break-even queries per day = fixed USD per month / (saving per query × days per month)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from truecost.analyses.selfhost import DAYS_PER_MONTH, TOKENS_PER_MTOK
from truecost.analyses.selfhost_inputs import require_non_negative, require_positive


@dataclass(frozen=True, slots=True)
class FineTuneCase:
    """The base model's and the fine-tuned model's price and tokens per query, and the fixed costs."""

    input_usd_per_mtok: Decimal
    output_usd_per_mtok: Decimal
    prompt_tokens: Decimal
    finetuned_prompt_tokens: Decimal
    output_tokens: Decimal
    price_multiplier: Decimal
    training_usd: Decimal
    amortization_months: Decimal
    upkeep_usd_per_month: Decimal
    days_per_month: Decimal = DAYS_PER_MONTH

    def __post_init__(self) -> None:
        require_non_negative("base input price (USD per million tokens)", self.input_usd_per_mtok)
        require_non_negative("base output price (USD per million tokens)", self.output_usd_per_mtok)
        require_non_negative("prompt tokens", self.prompt_tokens)
        require_non_negative("fine-tuned prompt tokens", self.finetuned_prompt_tokens)
        require_non_negative("output tokens", self.output_tokens)
        require_positive("price multiplier", self.price_multiplier)
        require_non_negative("training cost", self.training_usd)
        require_positive("amortization months", self.amortization_months)
        require_non_negative("upkeep per month", self.upkeep_usd_per_month)
        require_positive("days per month", self.days_per_month)


@dataclass(frozen=True, slots=True)
class FineTuneResult:
    """What a fine-tuned model costs and saves against the prompted base model.

    ``break_even_queries_per_day`` is None when the fine-tuned model costs as
    much or more per query, because then no volume pays for it.
    ``first_paying_queries_per_day`` is the smallest whole daily volume with a
    net saving above zero.
    """

    base_usd_per_query: Decimal
    finetuned_usd_per_query: Decimal
    saving_usd_per_query: Decimal
    fixed_usd_per_month: Decimal
    break_even_queries_per_day: Decimal | None
    first_paying_queries_per_day: int | None
    gross_saving_share: Decimal


@dataclass(frozen=True, slots=True)
class FineTuneAtVolume:
    """The monthly bills of both options at one daily volume."""

    queries_per_day: Decimal
    base_usd_per_month: Decimal
    finetuned_usd_per_month: Decimal
    net_saving_usd_per_month: Decimal
    net_saving_share: Decimal | None


def _usd_per_query(
    prompt_tokens: Decimal, output_tokens: Decimal, input_rate: Decimal, output_rate: Decimal
) -> Decimal:
    return (prompt_tokens * input_rate + output_tokens * output_rate) / TOKENS_PER_MTOK


def break_even(case: FineTuneCase) -> FineTuneResult:
    """Return the per-query saving and the daily volume above which fine-tuning pays."""
    base = _usd_per_query(
        case.prompt_tokens, case.output_tokens, case.input_usd_per_mtok, case.output_usd_per_mtok
    )
    tuned = _usd_per_query(
        case.finetuned_prompt_tokens,
        case.output_tokens,
        case.input_usd_per_mtok * case.price_multiplier,
        case.output_usd_per_mtok * case.price_multiplier,
    )
    saving = base - tuned
    fixed = case.training_usd / case.amortization_months + case.upkeep_usd_per_month
    volume: Decimal | None = None
    first: int | None = None
    if saving > 0:
        volume = fixed / (saving * case.days_per_month)
        # The first whole volume strictly above the break-even.
        first = int(volume.to_integral_value(rounding=ROUND_FLOOR)) + 1
    return FineTuneResult(
        base_usd_per_query=base,
        finetuned_usd_per_query=tuned,
        saving_usd_per_query=saving,
        fixed_usd_per_month=fixed,
        break_even_queries_per_day=volume,
        first_paying_queries_per_day=first,
        gross_saving_share=saving / base if base else Decimal(0),
    )


def at_volume(case: FineTuneCase, queries_per_day: Decimal) -> FineTuneAtVolume:
    """Return both monthly bills and the net saving at ``queries_per_day``."""
    require_non_negative("queries per day", queries_per_day)
    result = break_even(case)
    queries = queries_per_day * case.days_per_month
    base = queries * result.base_usd_per_query
    tuned = queries * result.finetuned_usd_per_query + result.fixed_usd_per_month
    return FineTuneAtVolume(
        queries_per_day=queries_per_day,
        base_usd_per_month=base,
        finetuned_usd_per_month=tuned,
        net_saving_usd_per_month=base - tuned,
        net_saving_share=(base - tuned) / base if base else None,
    )
