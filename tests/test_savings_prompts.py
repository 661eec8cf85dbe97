"""System prompt analysis on real published prompts, and routing with logged texts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from truecost.config.savings import SavingsConfig
from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog
from truecost.record import UsageRecord, records_to_arrow
from truecost.savings import ReplayContext
from truecost.savings.difficulty import classify
from truecost.savings.prompt_sections import analyse_prompt
from truecost.savings.report import run_savings
from truecost.savings.texts import RecordText, TextStore
from truecost.savings.tokens import count_tokens

PROMPTS = Path(__file__).parent / "data" / "system-prompts"


def test_cursor_prompt_tokens_and_empty_heading() -> None:
    analysis = analyse_prompt((PROMPTS / "Cursor__cursor.txt").read_text(encoding="utf-8"))
    assert analysis.tokens == 3865
    assert analysis.estimate is False
    assert [s.text.strip() for s in analysis.empty] == [
        "### Never Include Line Numbers in Code Content"
    ]
    assert analysis.repeated == []


def test_codex_prompt_separator_is_removable() -> None:
    text = (PROMPTS / "OpenAI__Codex__old__gpt-5-codex.txt").read_text(encoding="utf-8")
    analysis = analyse_prompt(text)
    assert analysis.tokens == 1538
    assert analysis.removable_tokens == 2


def test_claude_count_is_an_estimate() -> None:
    count = count_tokens("hello world", "anthropic", "claude-sonnet-4-20250514")
    assert count.tokens == 2
    assert count.estimate is True


def test_repeated_paragraph_found() -> None:
    paragraph = "Always answer in English and keep the answer short please."
    analysis = analyse_prompt(f"{paragraph}\n\nOther rule here.\n\n{paragraph}")
    assert len(analysis.repeated) == 1


def test_classifier_tiers() -> None:
    assert classify("Translate 'cat' to French.").tier == "simple"
    hard = "Debug this:\n```python\ndef f(x):\n    return x/0\n```\nFirst explain why, then fix it."
    assert classify(hard).tier == "complex"


def _ledger_with_texts(ledger: Ledger, catalog: PriceCatalog) -> TextStore:
    when = datetime(2025, 6, 1, tzinfo=UTC)
    records = [
        UsageRecord(
            id="easy",
            timestamp=when,
            provider="openai",
            model="gpt-4o-2024-08-06",
            feature="chat",
            input_tokens=1000,
            output_tokens=100,
        ),
    ]
    ledger.insert(records_to_arrow(records), catalog)
    return TextStore({"easy": RecordText(prompt="Translate 'cat' to French.")})


def test_routing_moves_simple_request(ledger: Ledger, catalog: PriceCatalog) -> None:
    texts = _ledger_with_texts(ledger, catalog)
    config = SavingsConfig.model_validate({"tiers": {"simple": "openai:gpt-4o-mini"}})
    report = run_savings(ledger.con, ReplayContext(catalog, config, texts), names=["routing"])
    # gpt-4o 1,000 in + 100 out = 0.0035; gpt-4o-mini = 0.00015 + 0.00006.
    assert report.alone[0].saved_usd == Decimal("0.00329")


def test_routing_unknown_tier_model(ledger: Ledger, catalog: PriceCatalog) -> None:
    texts = _ledger_with_texts(ledger, catalog)
    config = SavingsConfig.model_validate({"tiers": {"simple": "openai:no-such-model"}})
    report = run_savings(ledger.con, ReplayContext(catalog, config, texts), names=["routing"])
    reason = report.alone[0].not_estimated[0].reason
    assert reason == "the tier map names a model the price data does not know: openai:no-such-model"
