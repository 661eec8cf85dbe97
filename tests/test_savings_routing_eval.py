"""The difficulty router against all-strong, all-weak and a random router on RouteLLM data."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from truecost.errors import InputError
from truecost.pricing import PriceCatalog
from truecost.savings.routing_eval import evaluate, load_routellm

DATA = Path(__file__).parent / "data" / "routellm"
WEAK = ("mistral", "mixtral-8x7b")
STRONG = ("openai", "gpt-4-1106-preview")
WHEN = datetime(2024, 6, 1, tzinfo=UTC)


def test_router_beats_random_at_same_cost(catalog: PriceCatalog) -> None:
    items = load_routellm(DATA)
    assert len(items) == 334
    strong, weak, router, random = evaluate(items, catalog, WEAK, STRONG, WHEN)
    assert strong.cost_usd == Decimal("2.19464")
    assert weak.cost_usd == Decimal("0.0601048")
    assert router.cost_usd == Decimal("0.5144705")
    assert random.cost_usd == router.cost_usd
    assert strong.accuracy == Decimal(263) / Decimal(334)
    assert weak.accuracy == Decimal(248) / Decimal(334)
    assert router.accuracy == Decimal(256) / Decimal(334)
    assert router.accuracy > random.accuracy


def test_unpriced_model_rejected(catalog: PriceCatalog) -> None:
    items = load_routellm(DATA)[:2]
    with pytest.raises(InputError, match="no price for"):
        evaluate(items, catalog, ("openai", "no-such-model"), STRONG, WHEN)


def test_missing_column_named(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("prompt,other\nx,True\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column"):
        load_routellm(tmp_path)
