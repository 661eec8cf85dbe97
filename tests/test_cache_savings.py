"""The semantic cache plug-in of the savings replay, with the offline MiniLM model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pyarrow as pa

from truecost.pricing import PriceCatalog
from truecost.savings import ReplayContext, get_optimization
from truecost.savings.texts import RecordText, TextStore

START = datetime(2026, 3, 1, tzinfo=UTC)
PROMPTS = ["When will my card arrive?", "when will my card arrive", "How do I reset my PIN?", None]


def records() -> pa.Table:
    count = len(PROMPTS)
    return pa.table(
        {
            "id": [f"r{i}" for i in range(count)],
            "ts": pa.array(
                [START + timedelta(minutes=i) for i in range(count)], pa.timestamp("us", tz="UTC")
            ),
            "feature": ["support"] * count,
            "model": ["gpt-4o-mini"] * count,
            "cost_usd": pa.array([Decimal("0.001")] * count, pa.decimal128(18, 9)),
        }
    )


def texts() -> TextStore:
    return TextStore({f"r{i}": RecordText(prompt=p) for i, p in enumerate(PROMPTS) if p})


def test_plugin_is_registered() -> None:
    optimization = get_optimization("semantic_cache")
    assert optimization.needs_texts is True


def test_plugin_skips_repeated_prompt() -> None:
    context = ReplayContext(catalog=PriceCatalog(), texts=texts())
    outcome = get_optimization("semantic_cache").apply(records(), context)
    assert outcome.skipped is not None
    assert outcome.skipped.to_pylist() == [False, True, False, False]
    assert outcome.not_estimated[0].records == 1
    assert "1 exact, 0 semantic" in outcome.assumptions[1]


def test_plugin_without_texts_changes_nothing() -> None:
    outcome = get_optimization("semantic_cache").apply(records(), ReplayContext(PriceCatalog()))
    assert outcome.skipped is None
    assert outcome.not_estimated[0].reason.startswith("no texts file loaded")


def test_short_replay_risk_not_called_monthly() -> None:
    # Four calls within minutes are not scaled to a month, so the text must not say "a month".
    context = ReplayContext(catalog=PriceCatalog(), texts=texts())
    outcome = get_optimization("semantic_cache").apply(records(), context)
    assert outcome.risk is not None
    assert "wrong answers in the replayed calls" in outcome.risk
