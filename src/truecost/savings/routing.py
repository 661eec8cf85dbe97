"""Model routing by tier: send each request to the model configured for its difficulty tier."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from truecost.config.savings import ModelTarget
from truecost.savings.base import NotEstimated, Outcome, ReplayContext, unchanged
from truecost.savings.columns import ints, prompt_tokens, set_ints
from truecost.savings.difficulty import Difficulty, classify
from truecost.savings.difficulty_model import load_labels, train
from truecost.savings.prefixes import full_prompt
from truecost.savings.registry import register


class Routing:
    """Route each request whose prompt is logged to its tier's model."""

    name = "routing"
    title = "Model routing by tier"
    needs_texts = True

    def apply(self, records: pa.Table, context: ReplayContext) -> Outcome:
        """Return the rows with provider and model replaced by their tier's target."""
        tiers = context.config.tiers
        if not tiers:
            return unchanged(records, "no tier map; set [savings.tiers] simple/standard/complex")
        unknown = [str(t) for t in tiers.values() if not _known(t, context)]
        if unknown:
            return unchanged(
                records,
                f"the tier map names a model the price data does not know: {', '.join(unknown)}",
            )
        assert context.texts is not None
        tier_of = _tier_function(context)
        providers = records.column("provider").to_pylist()
        models = records.column("model").to_pylist()
        counts = {"missing": 0, "uncertain": 0, "routed": 0, "unmapped": 0}
        for row, record_id in enumerate(records.column("id").to_pylist()):
            text = context.texts.get(record_id)
            if text is None or not (text.system or text.prompt):
                counts["missing"] += 1
                continue
            difficulty = tier_of(text.prompt or full_prompt(text.system, None))
            counts["uncertain"] += difficulty.uncertain
            target = tiers.get(difficulty.tier)  # type: ignore[call-overload]
            if target is None:
                counts["unmapped"] += 1
                continue
            if (providers[row], models[row]) != (target.provider, target.model):
                providers[row], models[row] = target.provider, target.model
                counts["routed"] += 1
        outcome = _outcome(records, providers, models, counts)
        outcome.assumptions.append(_classifier_assumption(context))
        return outcome


def _tier_function(context: ReplayContext) -> Callable[[str], Difficulty]:
    """Return the rule-based classifier, or one trained on ``routing_labels`` when set."""
    path = context.config.routing_labels
    if path is None:
        return classify
    trained = context.classifier or train(load_labels(path))
    threshold = context.config.routing_min_weak_probability
    return lambda text: trained.classify(text, threshold)


def _classifier_assumption(context: ReplayContext) -> str:
    path = context.config.routing_labels
    if path is None:
        return "Tiers come from the rule-based difficulty score (length, code, steps, task verbs)."
    threshold = context.config.routing_min_weak_probability
    return (
        f"Tiers come from a logistic regression trained on the labelled prompts in {path}: "
        f"a request is simple when the fitted probability that the weak model loses no right "
        f"answer on it is at least {threshold:g}; otherwise the rule score picks standard or "
        "complex."
    )


def _known(target: ModelTarget, context: ReplayContext) -> bool:
    return context.catalog.resolve(target.provider, target.model, datetime.now(UTC)) is not None


def _outcome(
    records: pa.Table, providers: list[str], models: list[str], counts: dict[str, int]
) -> Outcome:
    original = records.column("model").to_pylist()
    original_provider = records.column("provider").to_pylist()
    moved = (
        np.array(
            [
                (p, m) != (op, om)
                for p, m, op, om in zip(providers, models, original_provider, original, strict=True)
            ],
            dtype=bool,
        )
        if records.num_rows
        else np.zeros(0, dtype=bool)
    )
    zero = np.zeros(records.num_rows, dtype=np.int64)
    # A rerouted request meets a cold cache on its new model: all its input is plain input.
    columns = {
        "input_tokens": np.where(moved, prompt_tokens(records), ints(records, "input_tokens")),
        "cache_read_tokens": np.where(moved, zero, ints(records, "cache_read_tokens")),
        "cache_write_5m_tokens": np.where(moved, zero, ints(records, "cache_write_5m_tokens")),
        "cache_write_1h_tokens": np.where(moved, zero, ints(records, "cache_write_1h_tokens")),
    }
    out = set_ints(records, columns)
    out = out.set_column(
        out.schema.get_field_index("provider"), "provider", pa.array(providers, pa.string())
    )
    out = out.set_column(
        out.schema.get_field_index("model"), "model", pa.array(models, pa.string())
    )
    judged = records.num_rows - counts["missing"]
    not_estimated = []
    if counts["missing"]:
        not_estimated.append(
            NotEstimated(None, counts["missing"], "records without logged prompt texts")
        )
    if counts["unmapped"]:
        not_estimated.append(
            NotEstimated(None, counts["unmapped"], "tier has no model in [savings.tiers]")
        )
    uncertain = f"{counts['uncertain'] / judged:.1%}" if judged else "-"
    return Outcome(
        records=out,
        assumptions=[
            "Each request keeps its input and output token counts on the new model (tokenizers differ, so counts are approximate).",
            "A rerouted request pays plain input for what was cached on the old model.",
        ],
        risk=f"{uncertain} of the judged requests have a tier the classifier is unsure of; check quality on them before routing.",
        notes=[f"{counts['routed']:,} of {judged:,} judged requests change model."],
        not_estimated=not_estimated,
    )


register(Routing())
