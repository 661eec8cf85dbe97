"""The LiteLLM importer on LiteLLM's own fixture payloads and on cache edge cases."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from truecost.importers import ImportContext, LineIssue, detect_file, get_importer
from truecost.importers.formats.litellm import PROMPT_FLAG
from truecost.record import UsageRecord

DATA = Path(__file__).parent / "data" / "litellm-langfuse"
LITELLM = get_importer("litellm")


def read(path: Path, context: ImportContext | None = None) -> list[object]:
    return list(LITELLM.read(path, context or ImportContext()))


def test_spend_log_row() -> None:
    path = DATA / "litellm_spend_logs_payload.json"
    assert detect_file(path).name == "litellm"
    (record,) = read(path)
    assert isinstance(record, UsageRecord)
    assert record.id == "litellm:chatcmpl-2283081b-dc89-41f6-93e6-d4f914774027"
    assert (record.provider, record.model) == ("openai", "gpt-4o")
    assert (record.input_tokens, record.output_tokens, record.cache_read_tokens) == (10, 20, 0)
    # The exact digits of the log, not the nearest float.
    assert record.reported_cost_usd == Decimal("0.00022500000000000002")
    assert record.timestamp == datetime(2025, 1, 24, 9, 20, 46, 847371, tzinfo=UTC)
    assert record.latency_ms == 4
    assert record.status == "ok"


def test_standard_logging_payload() -> None:
    path = DATA / "litellm_standard_logging_payload.json"
    assert detect_file(path).name == "litellm"
    (record,) = read(path)
    assert isinstance(record, UsageRecord)
    assert record.id == "litellm:chatcmpl-2299b6a2-82a3-465a-b47c-04e685a2227f"
    assert (record.input_tokens, record.output_tokens) == (10, 20)
    assert record.reported_cost_usd == Decimal("0.00022500000000000002")


def payload(usage: dict[str, object], **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "id": "r1",
        "model": "claude-sonnet-4-5",
        "custom_llm_provider": "anthropic",
        "startTime": 1735787045.5,
        "endTime": 1735787046.75,
        "response_cost": 0.0123,
        "status": "success",
        "response": {"usage": usage},
        "end_user": "u-7",
    }
    row.update(extra)
    return row


def test_cache_fields_subtracted(tmp_path: Path) -> None:
    usage = {
        "prompt_tokens": 1000,
        "completion_tokens": 50,
        "cache_read_input_tokens": 600,
        "cache_creation_input_tokens": 300,
        "completion_tokens_details": {"reasoning_tokens": 20},
    }
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(payload(usage)) + "\n")
    (record,) = read(path)
    assert isinstance(record, UsageRecord)
    assert (record.input_tokens, record.cache_read_tokens, record.cache_write_5m_tokens) == (
        100,
        600,
        300,
    )
    assert (record.output_tokens, record.reasoning_tokens) == (50, 20)
    assert record.latency_ms == 1250
    assert record.user == "u-7"
    assert record.flags == []


def test_prompt_without_cache_flagged(tmp_path: Path) -> None:
    usage = {"prompt_tokens": 100, "completion_tokens": 5, "cache_read_input_tokens": 600}
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(payload(usage)) + "\n")
    (record,) = read(path)
    assert isinstance(record, UsageRecord)
    assert (record.input_tokens, record.cache_read_tokens) == (100, 600)
    assert record.flags == [PROMPT_FLAG]


def test_openai_cached_tokens_boundary(tmp_path: Path) -> None:
    usage = {
        "prompt_tokens": 600,
        "completion_tokens": 5,
        "prompt_tokens_details": {"cached_tokens": 600},
    }
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps(payload(usage, custom_llm_provider="openai", model="gpt-4o")) + "\n")
    (record,) = read(path)
    assert isinstance(record, UsageRecord)
    assert (record.input_tokens, record.cache_read_tokens) == (0, 600)
    assert record.flags == []


def test_bad_entries_reported(tmp_path: Path) -> None:
    rows = [
        json.dumps(payload({"prompt_tokens": 1, "completion_tokens": 1})),
        "{broken",
        json.dumps(payload({"prompt_tokens": -1}, id="r2")),
        json.dumps(payload({}, id="r3", startTime="not a time")),
        json.dumps(payload({}, id="r4", status="failure")),
    ]
    path = tmp_path / "p.jsonl"
    path.write_text("\n".join(rows) + "\n")
    items = read(path)
    issues = [(i.line, i.reason) for i in items if isinstance(i, LineIssue)]
    records = [i for i in items if isinstance(i, UsageRecord)]
    assert [r.id for r in records] == ["litellm:r1", "litellm:r4"]
    assert records[1].status == "error"
    assert [line for line, _ in issues] == [2, 3, 4]
    assert "invalid JSON" in issues[0][1]
    assert "response.usage.prompt_tokens must be a non-negative integer, got -1" in issues[1][1]
    assert "startTime is not an ISO 8601 timestamp or epoch seconds: 'not a time'" in issues[2][1]
