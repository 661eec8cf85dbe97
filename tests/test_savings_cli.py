"""``truecost savings`` end to end: table, Markdown and JSON output, and exit 2 on bad input."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from truecost.cli.main import main
from truecost.ledger import Ledger
from truecost.pricing import PriceCatalog
from truecost.record import UsageRecord, records_to_arrow

START = datetime(2025, 6, 1, tzinfo=UTC)
EASY = "Translate 'cat' to French."
HARD = "Debug this:\n```python\ndef f(x):\n    return x / 0\n```\nFirst explain why, then fix it."
OPTIONS = ["--prefix-tokens", "chat=1100", "--not-realtime", "chat"]


@pytest.fixture(autouse=True)
def _no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRUECOST_CONFIG", raising=False)


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    """Return a ledger file of 20 gpt-4o requests a minute apart, outputs 100 to 2,000 tokens."""
    path = tmp_path / "ledger.duckdb"
    records = [
        UsageRecord(
            id=f"r{i}",
            timestamp=START + timedelta(minutes=i),
            provider="openai",
            model="gpt-4o-2024-08-06",
            feature="chat",
            input_tokens=2000,
            output_tokens=100 * (i + 1),
        )
        for i in range(20)
    ]
    ledger = Ledger(path)
    ledger.insert(records_to_arrow(records), PriceCatalog())
    ledger.close()
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(["savings", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _lines(path: Path, rows: Sequence[Mapping[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    return path


def test_table_output(ledger_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(["--ledger", str(ledger_path), *OPTIONS], capsys)
    assert status == 0
    assert err == ""
    lines = out.splitlines()
    assert lines[0] == "Savings on 20 records: baseline $704.84 a month ($0.31 over the period)"
    assert lines[3].split() == ["1", "Batching", "$352.42", "50.0%", "$0.16", "20"]
    assert lines[4].split() == ["2", "Prompt", "caching", "$55.30", "7.8%", "$0.02", "19"]
    assert lines[5].split() == ["3", "Shorter", "outputs", "$6.82", "1.0%", "$0.003000", "2"]
    assert "Model routing by tier      not estimated" in out
    assert "All combined, in sequence        $383.48    54.4%            $0.17" in out
    assert "  - chat: declared static prefix of 1,100 tokens" in out


def test_markdown_output(ledger_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(["--ledger", str(ledger_path), *OPTIONS, "--format", "markdown"], capsys)
    assert status == 0
    assert out.startswith(
        "### Savings on 20 records: baseline $704.84 a month ($0.31 over the period)\n"
    )
    assert "| 1 | Batching | $352.42 | 50.0% | $0.16 | 20 |" in out
    assert "| 2 | Prompt caching | $55.30 | 7.8% | $0.02 | 19 |" in out
    assert "|  | All combined, in sequence | $383.48 | 54.4% | $0.17 |  |" in out
    assert "| chat | $704.84 | $0.00 | $0.00 | $0.00 | $6.82 | $55.30 | $321.36 | 54.4% |" in out


def test_json_output(ledger_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--ledger", str(ledger_path), *OPTIONS, "--format", "json"]
    status, out, _ = run(args, capsys)
    assert status == 0
    payload = json.loads(out, parse_float=Decimal)
    assert payload["records"] == 20
    assert payload["baseline_usd"] == Decimal("0.31")
    alone = {item["name"]: item["saved_usd"] for item in payload["alone"]}
    # 20 requests at half price; 19 cache reads of 1,024 tokens; 300 output tokens capped.
    assert alone["batching"] == Decimal("0.155")
    assert alone["prompt_caching"] == Decimal("0.02432")
    assert alone["output_length"] == Decimal("0.003")
    assert payload["combined_saved_usd"] == Decimal("0.168660")
    kinds = [row["kind"] for row in payload["waterfall"]]
    assert kinds == ["baseline", *["step"] * 6, "optimized"]


def test_misspelled_config_key_exit_2(
    ledger_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "truecost.toml"
    config.write_text('[savings]\ncache_tll = "1h"\n', encoding="utf-8")
    status, out, err = run(["--ledger", str(ledger_path), "--config", str(config)], capsys)
    assert status == 2
    assert out == ""
    assert err == f"error: {config}: unknown key 'savings.cache_tll'. Did you mean 'cache_ttl'?\n"


def test_bad_texts_line_exit_2(
    ledger_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = tmp_path / "texts.jsonl"
    texts.write_text('{"id": "r0", "prompt": "Hi"}\n{"id": "r1", "prompt": 5}\n', encoding="utf-8")
    status, _, err = run(["--ledger", str(ledger_path), "--texts", str(texts)], capsys)
    assert status == 2
    assert err == f'error: {texts}:2: "prompt" must be a string, got int.\n'


def _labels(tmp_path: Path) -> Path:
    rows: list[dict[str, object]] = []
    for i in range(12):
        rows.append({"text": f"Translate 'word {i}' to French.", "weak_correct": True})
        rows.append({"text": HARD.replace("f(x)", f"f{i}(x)"), "weak_correct": False})
    return _lines(tmp_path / "labels.jsonl", rows)


def _texts(tmp_path: Path) -> Path:
    rows = [{"id": f"r{i}", "prompt": EASY if i % 2 else HARD} for i in range(20)]
    return _lines(tmp_path / "texts.jsonl", rows)


def test_train_routing_moves_easy_requests(
    ledger_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "--ledger",
        str(ledger_path),
        "--only",
        "routing",
        "--texts",
        str(_texts(tmp_path)),
        "--tier",
        "simple=openai:gpt-4o-mini",
        "--train-routing",
        str(_labels(tmp_path)),
        "--format",
        "json",
    ]
    status, out, err = run(args, capsys)
    assert status == 0, err
    [routing] = json.loads(out, parse_float=Decimal)["alone"]
    assert routing["notes"] == ["10 of 20 judged requests change model."]
    # The 10 odd requests (20,000 input, 11,000 output tokens) move from gpt-4o (0.16 USD)
    # to gpt-4o-mini (0.0096 USD).
    assert routing["saved_usd"] == Decimal("0.1504")
    assert routing["assumptions"][-1].startswith(
        f"Tiers come from a logistic regression trained on the labelled prompts in {tmp_path}"
    )


def test_bad_labels_line_exit_2(
    ledger_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labels = _lines(tmp_path / "labels.jsonl", [{"text": "a", "weak_correct": True}, {"text": "b"}])
    status, _, err = run(["--ledger", str(ledger_path), "--train-routing", str(labels)], capsys)
    assert status == 2
    assert err == f'error: {labels}:2: "weak_correct" must be true or false, got None.\n'


def test_semantic_cache_runs_on_ledger(
    ledger_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--ledger", str(ledger_path), "--only", "semantic_cache"]
    args += ["--texts", str(_texts(tmp_path)), "--format", "json"]
    status, out, err = run(args, capsys)
    assert status == 0, err
    [cache] = json.loads(out, parse_float=Decimal)["alone"]
    # Two distinct prompts in 20 requests: every request after the first of each prompt hits.
    assert cache["changed_records"] == 18
    assert "90.0% of 20 replayed calls hit (18 exact, 0 semantic)." in cache["assumptions"]
    assert cache["saved_usd"] > 0
