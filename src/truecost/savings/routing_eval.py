"""Evaluate the difficulty router on labelled data: cost saved against quality kept.

Each item is a prompt with whether a weak and a strong model answered it right
(RouteLLM's GSM8K and MMLU files). The router sends "simple" prompts to the weak
model and the rest to the strong one. It is compared with sending everything to the
strong model, everything to the weak one, and a random router at the same cost. The
random router's accuracy is its expected value, so no seed is involved.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from truecost.errors import InputError
from truecost.pricing import PriceCatalog, cost_usd
from truecost.savings.difficulty import classify
from truecost.savings.tokens import count_tokens

WEAK_COLUMN = "mistralai/Mixtral-8x7B-Instruct-v0.1"
STRONG_COLUMN = "gpt-4-1106-preview"
# Output length used when the file carries no response text.
DEFAULT_OUTPUT_TOKENS = 200


@dataclass(frozen=True)
class EvalItem:
    """One labelled prompt."""

    prompt: str
    weak_correct: bool
    strong_correct: bool
    weak_output_tokens: int
    strong_output_tokens: int


@dataclass(frozen=True)
class RouterResult:
    """Cost and accuracy of one routing policy over the items."""

    name: str
    cost_usd: Decimal
    accuracy: Decimal
    weak_share: Decimal


def load_routellm(directory: Path) -> list[EvalItem]:
    """Read every ``*.csv`` under ``directory`` with prompt and per-model correctness columns."""
    items: list[EvalItem] = []
    csv.field_size_limit(2**31 - 1)
    for path in sorted(directory.rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for line, row in enumerate(csv.DictReader(handle), start=2):
                items.append(_item(path, line, row))
    return items


def _item(path: Path, line: int, row: dict[str, str]) -> EvalItem:
    try:
        weak, strong = row[WEAK_COLUMN], row[STRONG_COLUMN]
    except KeyError as exc:
        raise InputError(
            f"{path}: missing column {exc}; expected prompt, {WEAK_COLUMN}, {STRONG_COLUMN}."
        ) from None
    if weak not in ("True", "False") or strong not in ("True", "False"):
        raise InputError(f"{path}:{line}: correctness must be True or False.")
    return EvalItem(
        prompt=row["prompt"],
        weak_correct=weak == "True",
        strong_correct=strong == "True",
        weak_output_tokens=_output_tokens(row.get(f"{WEAK_COLUMN}_response")),
        strong_output_tokens=_output_tokens(row.get(f"{STRONG_COLUMN}_response")),
    )


def _output_tokens(response: str | None) -> int:
    return count_tokens(response).tokens if response else DEFAULT_OUTPUT_TOKENS


def evaluate(
    items: list[EvalItem],
    catalog: PriceCatalog,
    weak: tuple[str, str],
    strong: tuple[str, str],
    when: datetime,
) -> list[RouterResult]:
    """Return all-strong, all-weak, the classifier router and a random router at its cost."""
    weak_price = catalog.resolve(*weak, when)
    strong_price = catalog.resolve(*strong, when)
    if weak_price is None or strong_price is None:
        raise InputError(
            f"no price for {weak if weak_price is None else strong}; pick priced models."
        )
    weak_costs, strong_costs = [], []
    for item in items:
        prompt = count_tokens(item.prompt).tokens
        weak_costs.append(
            cost_usd(weak_price, {"input_tokens": prompt, "output_tokens": item.weak_output_tokens})
        )
        strong_costs.append(
            cost_usd(
                strong_price, {"input_tokens": prompt, "output_tokens": item.strong_output_tokens}
            )
        )
    to_weak = [classify(item.prompt).tier == "simple" for item in items]
    count = Decimal(len(items))
    all_strong = RouterResult(
        "all strong",
        sum(strong_costs, Decimal(0)),
        _accuracy(items, [False] * len(items)),
        Decimal(0),
    )
    all_weak = RouterResult(
        "all weak", sum(weak_costs, Decimal(0)), _accuracy(items, [True] * len(items)), Decimal(1)
    )
    routed_cost = sum(
        (
            w if send_weak else s
            for w, s, send_weak in zip(weak_costs, strong_costs, to_weak, strict=True)
        ),
        Decimal(0),
    )
    router = RouterResult(
        "classifier", routed_cost, _accuracy(items, to_weak), Decimal(sum(to_weak)) / count
    )
    # A random router reaches the same cost by sending a share p of requests to the weak model.
    span = all_strong.cost_usd - all_weak.cost_usd
    p = (all_strong.cost_usd - routed_cost) / span if span else Decimal(0)
    accuracy = p * all_weak.accuracy + (1 - p) * all_strong.accuracy
    return [
        all_strong,
        all_weak,
        router,
        RouterResult("random, same cost", routed_cost, accuracy, p),
    ]


def _accuracy(items: list[EvalItem], to_weak: list[bool]) -> Decimal:
    right = sum(
        (item.weak_correct if send_weak else item.strong_correct)
        for item, send_weak in zip(items, to_weak, strict=True)
    )
    return Decimal(right) / Decimal(len(items)) if items else Decimal(0)
