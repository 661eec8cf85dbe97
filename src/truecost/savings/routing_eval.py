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

import numpy as np

from truecost.errors import InputError
from truecost.pricing import PriceCatalog, cost_usd
from truecost.savings.difficulty import classify
from truecost.savings.difficulty_model import LabelledPrompt, train
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


@dataclass(frozen=True)
class _Costs:
    """Each item's cost on the weak and on the strong model."""

    items: list[EvalItem]
    weak: list[Decimal]
    strong: list[Decimal]

    @property
    def all_strong(self) -> RouterResult:
        """Return the router that sends every item to the strong model."""
        return self.router("all strong", [False] * len(self.items))

    @property
    def all_weak(self) -> RouterResult:
        """Return the router that sends every item to the weak model."""
        return self.router("all weak", [True] * len(self.items))

    def router(self, name: str, to_weak: list[bool]) -> RouterResult:
        """Return the cost and accuracy of sending the items marked True to the weak model."""
        cost = sum(
            (w if send else s for w, s, send in zip(self.weak, self.strong, to_weak, strict=True)),
            Decimal(0),
        )
        share = Decimal(sum(to_weak)) / Decimal(len(to_weak)) if to_weak else Decimal(0)
        return RouterResult(name, cost, _accuracy(self.items, to_weak), share)

    def random_at(self, cost: Decimal, name: str) -> RouterResult:
        """Return a random router's expected accuracy when it spends ``cost``."""
        # It reaches the same cost by sending a share p of requests to the weak model.
        strong, weak = self.all_strong, self.all_weak
        span = strong.cost_usd - weak.cost_usd
        p = (strong.cost_usd - cost) / span if span else Decimal(0)
        accuracy = p * weak.accuracy + (1 - p) * strong.accuracy
        return RouterResult(name, cost, accuracy, p)


def _costs(
    items: list[EvalItem],
    catalog: PriceCatalog,
    weak: tuple[str, str],
    strong: tuple[str, str],
    when: datetime,
) -> _Costs:
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
    return _Costs(items, weak_costs, strong_costs)


def evaluate(
    items: list[EvalItem],
    catalog: PriceCatalog,
    weak: tuple[str, str],
    strong: tuple[str, str],
    when: datetime,
) -> list[RouterResult]:
    """Return all-strong, all-weak, the classifier router and a random router at its cost."""
    costs = _costs(items, catalog, weak, strong, when)
    router = costs.router("classifier", [classify(item.prompt).tier == "simple" for item in items])
    return [
        costs.all_strong,
        costs.all_weak,
        router,
        costs.random_at(router.cost_usd, "random, same cost"),
    ]


def evaluate_trained(
    items: list[EvalItem],
    catalog: PriceCatalog,
    weak: tuple[str, str],
    strong: tuple[str, str],
    when: datetime,
    min_weak_probability: float = 0.8,
    folds: int = 5,
) -> list[RouterResult]:
    """Compare the rule-based and the trained classifier on held-out items.

    Items are split into ``folds`` interleaved folds. Each fold is routed by a classifier
    trained on the other folds, so no item is routed by a model that saw its label. The
    classifier is trained on ``weak_correct`` alone and on both labels. Each gets the
    threshold that sends as many training requests to the weak model as the rule does,
    which keeps the budgets close. The one trained on both labels also runs with the fixed
    ``min_weak_probability``. Each router gets a random router at its cost.
    """
    costs = _costs(items, catalog, weak, strong, when)
    rule = [classify(item.prompt).tier == "simple" for item in items]
    weak_only = [LabelledPrompt(item.prompt, item.weak_correct) for item in items]
    both = [LabelledPrompt(item.prompt, item.weak_correct, item.strong_correct) for item in items]
    weak_only_matched, _ = _held_out_routes(weak_only, rule, min_weak_probability, folds)
    matched, fixed = _held_out_routes(both, rule, min_weak_probability, folds)
    results = [costs.all_strong, costs.all_weak]
    for name, to_weak in (
        ("rule classifier", rule),
        ("trained on weak_correct, rule's share", weak_only_matched),
        ("trained on both labels, rule's share", matched),
        (f"trained on both labels, p >= {min_weak_probability:g}", fixed),
    ):
        router = costs.router(name, to_weak)
        results += [router, costs.random_at(router.cost_usd, f"random at the cost of: {name}")]
    return results


def _held_out_routes(
    examples: list[LabelledPrompt], rule: list[bool], min_weak_probability: float, folds: int
) -> tuple[list[bool], list[bool]]:
    """Return, per example, the weak-model decision at the rule's share and at the fixed threshold."""
    fold_of = np.arange(len(examples)) % folds
    rule_array = np.array(rule, dtype=np.bool_)
    matched = np.zeros(len(examples), dtype=np.bool_)
    fixed = np.zeros(len(examples), dtype=np.bool_)
    texts = [example.text for example in examples]
    for fold in range(folds):
        train_rows = np.flatnonzero(fold_of != fold)
        test_rows = np.flatnonzero(fold_of == fold)
        classifier = train([examples[i] for i in train_rows])
        train_p = classifier.probabilities([texts[i] for i in train_rows])
        test_p = classifier.probabilities([texts[i] for i in test_rows])
        share = float(rule_array[train_rows].mean())
        # The threshold that sends the rule's share of training requests to the weak model.
        threshold = float(np.quantile(train_p, 1.0 - share)) if share > 0 else np.inf
        matched[test_rows] = test_p >= threshold
        fixed[test_rows] = test_p >= min_weak_probability
    return matched.tolist(), fixed.tolist()


def _accuracy(items: list[EvalItem], to_weak: list[bool]) -> Decimal:
    right = sum(
        (item.weak_correct if send_weak else item.strong_correct)
        for item, send_weak in zip(items, to_weak, strict=True)
    )
    return Decimal(right) / Decimal(len(items)) if items else Decimal(0)
