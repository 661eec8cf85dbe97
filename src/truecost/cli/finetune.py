"""``truecost finetune``: the daily volume above which a fine-tuned model pays for itself."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from truecost.analyses.finetune import FineTuneCase, at_volume, break_even
from truecost.analyses.selfhost_inputs import option_range
from truecost.analyses.selfhost_traffic import TrafficFilter, traffic_shape
from truecost.cli._buildvsbuy_render import (
    format_choice,
    number,
    percent,
    render_grid,
    render_json,
    usd,
)
from truecost.cli._selfhost_options import DECIMAL
from truecost.cli.common import ledger_option, resolve_ledger_path
from truecost.errors import InputError
from truecost.ledger import open_ledger


def _ledger_volume(path: Path | None, feature: str | None) -> tuple[Decimal, Decimal, Decimal]:
    """Return the prompt tokens, output tokens per query and queries per day of a ledger."""
    # Only token counts are read, so the ledger is opened read-only and not repriced.
    with open_ledger(resolve_ledger_path(path), read_only=True) as ledger:
        shape = traffic_shape(ledger.con, TrafficFilter(features=(feature,) if feature else ()))
    return (
        shape.total.input_tokens_per_request,
        shape.total.output_tokens_per_request,
        shape.requests_per_day,
    )


@click.command(name="finetune")
@click.option(
    "--input-usd-per-mtok",
    type=DECIMAL,
    required=True,
    help="Base model input price, USD per Mtok.",
)
@click.option(
    "--output-usd-per-mtok",
    type=DECIMAL,
    required=True,
    help="Base model output price, USD per Mtok.",
)
@click.option(
    "--prompt-tokens", type=DECIMAL, help="Prompt tokens per query with the base model [ledger]."
)
@click.option(
    "--finetuned-prompt-tokens",
    type=DECIMAL,
    required=True,
    help="Prompt tokens per query once fine-tuned (instructions and examples dropped).",
)
@click.option("--output-tokens", type=DECIMAL, help="Output tokens per query [ledger].")
@click.option(
    "--price-multiplier",
    default="1.5-2",
    show_default=True,
    help="Fine-tuned price per token over the base price, a number or range.",
)
@click.option(
    "--training-usd", type=DECIMAL, required=True, help="Cost of the training run(s), USD."
)
@click.option(
    "--amortization-months",
    type=DECIMAL,
    default=Decimal(12),
    show_default=True,
    help="Months the training cost is spread over.",
)
@click.option(
    "--upkeep-usd-per-month",
    type=DECIMAL,
    default=Decimal(0),
    show_default=True,
    help="Monthly upkeep: evaluation, retraining, data work, hosting fees.",
)
@click.option(
    "--queries-per-day", type=DECIMAL, help="Volume to report the net saving at [ledger]."
)
@click.option(
    "--days-per-month",
    type=DECIMAL,
    default=Decimal(30),
    show_default=True,
    help="Days in a month.",
)
@ledger_option
@click.option("--feature", help="With --ledger, measure only this feature.")
@format_choice
def command(output_format: str, **options: Any) -> None:
    """Break-even of a fine-tuned model: dearer per token, shorter prompt, fixed costs.

    Prints the cost per query of both models, the daily volume above which the
    fine-tuned one is cheaper after training and upkeep, and the net saving at
    --queries-per-day, for each end of the --price-multiplier range.
    """
    prompt, output, volume = (
        options["prompt_tokens"],
        options["output_tokens"],
        options["queries_per_day"],
    )
    if options["ledger_path"] is not None or None in (prompt, output):
        measured = _ledger_volume(options["ledger_path"], options["feature"])
        prompt = prompt if prompt is not None else measured[0]
        output = output if output is not None else measured[1]
        volume = volume if volume is not None else measured[2]
    if prompt is None or output is None:
        raise InputError(
            "give --prompt-tokens and --output-tokens per query, or --ledger to measure them."
        )
    multipliers = option_range("--price-multiplier", options["price_multiplier"])
    cases = [
        FineTuneCase(
            options["input_usd_per_mtok"],
            options["output_usd_per_mtok"],
            prompt,
            options["finetuned_prompt_tokens"],
            output,
            multiplier,
            options["training_usd"],
            options["amortization_months"],
            options["upkeep_usd_per_month"],
            options["days_per_month"],
        )
        for multiplier in (
            [multipliers.low] if multipliers.is_exact else [multipliers.low, multipliers.high]
        )
    ]
    results = [break_even(case) for case in cases]
    volumes = [at_volume(case, volume) for case in cases] if volume is not None else []
    if output_format == "json":
        click.echo(render_json({"cases": cases, "break_even": results, "at_volume": volumes}))
        return
    headers = ["metric"] + [f"{case.price_multiplier}x per token" for case in cases]
    rows = [
        ["base $/query", *(f"${r.base_usd_per_query}" for r in results)],
        ["fine-tuned $/query", *(f"${r.finetuned_usd_per_query}" for r in results)],
        ["saving per query", *(percent(r.gross_saving_share) for r in results)],
        [
            "fixed $/month (training/months + upkeep)",
            *(usd(r.fixed_usd_per_month) for r in results),
        ],
        [
            "break-even queries/day",
            *(
                number(r.break_even_queries_per_day, 2)
                if r.break_even_queries_per_day is not None
                else "never"
                for r in results
            ),
        ],
    ]
    if volumes:
        rows.append(
            [
                f"net saving $/month at {number(volume, 0)}/day",
                *(usd(v.net_saving_usd_per_month) for v in volumes),
            ]
        )
        rows.append(
            [
                f"net saving share at {number(volume, 0)}/day",
                *(percent(v.net_saving_share) for v in volumes),
            ]
        )
    click.echo(render_grid(headers, rows, output_format))
