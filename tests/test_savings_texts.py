"""Logged texts: the JSON Lines loader and the shared prefixes found in them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from truecost.config.savings import SavingsConfig
from truecost.errors import InputError
from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog
from truecost.record import UsageRecord, records_to_arrow
from truecost.savings import ReplayContext
from truecost.savings.prefixes import common_prefix_length, shared_prefix_tokens
from truecost.savings.report import run_savings
from truecost.savings.texts import RecordText, TextStore, load_texts
from truecost.savings.tokens import count_tokens

START = datetime(2025, 6, 1, tzinfo=UTC)
SYSTEM = "You are the support assistant of a bicycle shop. Answer in two sentences. " * 80


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_texts_file_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "texts.jsonl",
        [
            '{"id": "a", "system": "Be brief.", "prompt": "Hi", "response": "Hello"}',
            "   ",
            '{"id": "b", "prompt": "Only a prompt", "extra": 1}',
        ],
    )
    texts = load_texts(path)
    assert len(texts) == 2
    assert texts.get("a") == RecordText("Be brief.", "Hi", "Hello")
    assert texts.get("b") == RecordText(None, "Only a prompt", None)
    assert texts.get("c") is None
    assert texts.table.column("prompt").to_pylist() == ["Hi", "Only a prompt"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "b", "prompt": ', "invalid JSON. Write one JSON object per line."),
        ('"just a string"', 'each line needs a string "id" matching a ledger record.'),
        ('{"id": 7, "prompt": "x"}', 'each line needs a string "id" matching a ledger record.'),
        ('{"id": "b", "prompt": ["x"]}', '"prompt" must be a string, got list.'),
        ('{"id": "b", "system": 3}', '"system" must be a string, got int.'),
    ],
)
def test_texts_bad_line_named(tmp_path: Path, line: str, message: str) -> None:
    path = _write(tmp_path / "texts.jsonl", ['{"id": "a", "prompt": "Hi"}', "", line])
    with pytest.raises(InputError) as caught:
        load_texts(path)
    assert str(caught.value) == f"{path}:3: {message}"


def test_texts_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_texts(tmp_path)
    assert str(caught.value) == f"{tmp_path}: cannot read the texts file (Is a directory)."


def test_common_prefix_length() -> None:
    assert common_prefix_length("abcdef", "abcxyz") == 3
    assert common_prefix_length("abc", "abcdef") == 3
    assert common_prefix_length("", "abc") == 0
    assert common_prefix_length("x", "y") == 0


def _records(feature: str, count: int, provider: str, model: str) -> list[UsageRecord]:
    return [
        UsageRecord(
            id=f"{feature}-{i}",
            timestamp=START + timedelta(minutes=i),
            provider=provider,
            model=model,
            feature=feature,
            input_tokens=3000,
        )
        for i in range(count)
    ]


def _texts() -> TextStore:
    questions = ["Where is my order?", "Do you fix brakes?", "When do you open?"]
    texts = {f"chat-{i}": RecordText(SYSTEM, q) for i, q in enumerate(questions)}
    texts["claude-0"] = RecordText(SYSTEM, "Where is my order?")
    texts["claude-1"] = RecordText(SYSTEM, "Where do you ship?")
    # A feature with a single logged text has no pair to compare.
    texts["lonely-0"] = RecordText(SYSTEM, "Hello")
    return TextStore(texts)


def test_shared_prefix_from_texts() -> None:
    records = records_to_arrow(
        _records("chat", 3, "openai", "gpt-4o-2024-08-06")
        + _records("claude", 2, "anthropic", "claude-sonnet-4-20250514")
        + _records("lonely", 1, "openai", "gpt-4o-2024-08-06")
    )
    prefixes = shared_prefix_tokens(records, _texts())
    assert count_tokens(SYSTEM).tokens == 1201
    # "Where is ..." and "Where do ..." share "Where " after the system prompt; Claude's
    # count is an o200k estimate.
    assert prefixes == {"chat": (1201, False), "claude": (1202, True)}


def test_caching_uses_prefix_from_texts(ledger: Ledger, catalog: PriceCatalog) -> None:
    ledger.insert(records_to_arrow(_records("chat", 3, "openai", "gpt-4o-2024-08-06")), catalog)
    context = ReplayContext(catalog, SavingsConfig(), _texts())
    report = run_savings(ledger.con, context, names=["prompt_caching"])
    saving = report.alone[0]
    # 1,201 tokens round down to 1,152 (128-token steps); the 2nd and 3rd requests read them
    # at 1.25 instead of 2.50 USD per million tokens.
    assert saving.saved_usd == Decimal("0.00288")
    assert "chat: shared prefix of 1,201 tokens found in the logged texts" in saving.notes
