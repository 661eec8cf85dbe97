"""The difficulty classifier trained on labelled prompts: loading, fitting and held-out evaluation."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from truecost.errors import InputError
from truecost.pricing import PriceCatalog
from truecost.savings.difficulty_model import MIN_LABELS, LabelledPrompt, load_labels, train
from truecost.savings.routing_eval import evaluate_trained, load_routellm

DATA = Path(__file__).parent / "data" / "routellm"
WEAK = ("mistral", "mixtral-8x7b")
STRONG = ("openai", "gpt-4-1106-preview")
WHEN = datetime(2024, 6, 1, tzinfo=UTC)
EASY = [f"Translate 'word {i}' to French." for i in range(12)]
HARD = [
    f"Debug this:\n```python\ndef f{i}(x):\n    return x / {i}\n```\nFirst explain why, then fix it."
    for i in range(12)
]


def _examples() -> list[LabelledPrompt]:
    return [LabelledPrompt(text, True) for text in EASY] + [
        LabelledPrompt(text, False, True) for text in HARD
    ]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_labels_file_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "labels.jsonl",
        [
            '{"text": "Translate cat.", "weak_correct": true}',
            "",
            '{"text": "Prove it.", "weak_correct": false, "strong_correct": false}',
        ],
    )
    examples = load_labels(path)
    assert examples == [
        LabelledPrompt("Translate cat.", True, None),
        LabelledPrompt("Prove it.", False, False),
    ]
    assert examples[0].safe_for_weak is True
    # The strong model was wrong too, so routing to the weak one loses nothing.
    assert examples[1].safe_for_weak is True


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "invalid JSON. Write one JSON object per line."),
        ("[1, 2]", 'expected an object with "text" and "weak_correct".'),
        ('{"weak_correct": true}', '"text" must be a non-empty string.'),
        ('{"text": " ", "weak_correct": true}', '"text" must be a non-empty string.'),
        (
            '{"text": "a", "weak_correct": "yes"}',
            "\"weak_correct\" must be true or false, got 'yes'.",
        ),
        (
            '{"text": "a", "weak_correct": true, "strong_correct": 1}',
            '"strong_correct" must be true, false or absent, got 1.',
        ),
    ],
)
def test_labels_bad_line_named(tmp_path: Path, line: str, message: str) -> None:
    good = '{"text": "Translate cat.", "weak_correct": true}'
    path = _write(tmp_path / "labels.jsonl", [good, line])
    with pytest.raises(InputError) as caught:
        load_labels(path)
    assert str(caught.value) == f"{path}:2: {message}"


def test_labels_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.jsonl"
    with pytest.raises(InputError) as caught:
        load_labels(path)
    assert str(caught.value) == (
        f"{path}: cannot read the routing labels file (No such file or directory)."
    )


def test_train_needs_enough_labels() -> None:
    examples = _examples()[: MIN_LABELS - 1]
    with pytest.raises(InputError) as caught:
        train(examples)
    assert str(caught.value) == "routing labels: 19 labelled prompts; at least 20 are needed."
    assert train(_examples()[:MIN_LABELS]).examples == MIN_LABELS


def test_train_needs_both_outcomes() -> None:
    with pytest.raises(InputError, match="every prompt is labelled alike"):
        train([LabelledPrompt(text, True) for text in EASY + HARD])


def test_trained_classifier_separates_tiers() -> None:
    classifier = train(_examples())
    easy = classifier.classify("Translate 'dog' to French.", 0.8)
    hard = classifier.classify(HARD[0].replace("f0", "g"), 0.8)
    assert easy.tier == "simple"
    assert easy.score > 0.8
    assert hard.tier == "complex"
    assert hard.score < 0.2
    assert hard.uncertain is False


def test_held_out_evaluation_pinned(catalog: PriceCatalog) -> None:
    items = load_routellm(DATA)
    results = {r.name: r for r in evaluate_trained(items, catalog, WEAK, STRONG, WHEN)}
    assert list(results) == [
        "all strong",
        "all weak",
        "rule classifier",
        "random at the cost of: rule classifier",
        "trained on weak_correct, rule's share",
        "random at the cost of: trained on weak_correct, rule's share",
        "trained on both labels, rule's share",
        "random at the cost of: trained on both labels, rule's share",
        "trained on both labels, p >= 0.8",
        "random at the cost of: trained on both labels, p >= 0.8",
    ]
    count = Decimal(len(items))
    rule = results["rule classifier"]
    assert rule.cost_usd == Decimal("0.5144705")
    assert rule.accuracy == Decimal(256) / count
    weak_only = results["trained on weak_correct, rule's share"]
    assert weak_only.cost_usd == Decimal("0.4721216")
    assert weak_only.accuracy == Decimal(252) / count
    assert weak_only.weak_share == Decimal(270) / count
    both = results["trained on both labels, rule's share"]
    assert both.cost_usd == Decimal("0.4666801")
    assert both.accuracy == Decimal(253) / count
    fixed = results["trained on both labels, p >= 0.8"]
    assert fixed.cost_usd == Decimal("0.2670990")
    assert fixed.accuracy == Decimal(247) / count
    # On this small slice training does not pay: the rule keeps more answers than the
    # trained routers, and the fixed threshold falls below a random router at its cost.
    assert rule.accuracy > both.accuracy
    assert (
        fixed.accuracy < results["random at the cost of: trained on both labels, p >= 0.8"].accuracy
    )
