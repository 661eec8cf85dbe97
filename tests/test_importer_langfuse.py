"""The Langfuse importer on a LiteLLM-written ingestion batch and on exported observations."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from truecost.importers import ImportContext, LineIssue, detect_file, get_importer
from truecost.record import UsageRecord

DATA = Path(__file__).parent / "data" / "litellm-langfuse"
LANGFUSE = get_importer("langfuse")


def read(path: Path) -> list[object]:
    return list(LANGFUSE.read(path, ImportContext()))


def test_ingestion_batch_from_litellm() -> None:
    path = DATA / "langfuse_ingestion_batch_from_litellm_bedrock.json"
    assert detect_file(path).name == "langfuse"
    (record,) = read(path)
    assert isinstance(record, UsageRecord)
    assert (
        record.id == "langfuse:time-14-13-16-469836_chatcmpl-3803a9e9-aa68-4493-94d9-247f354830d6"
    )
    assert (record.provider, record.model) == (
        "bedrock",
        "anthropic.claude-haiku-4-5-20251001-v1:0",
    )
    assert (record.input_tokens, record.output_tokens) == (10, 10)
    assert record.reported_cost_usd == Decimal("0.00018")
    assert record.timestamp == datetime(2025, 5, 26, 21, 13, 16, 469836, tzinfo=UTC)
    assert record.latency_ms == 325


def test_update_event_merged_with_user(tmp_path: Path) -> None:
    batch = {
        "batch": [
            {"type": "trace-create", "body": {"id": "t1", "userId": "alice"}},
            {
                "type": "observation-create",
                "body": {
                    "id": "g1",
                    "type": "GENERATION",
                    "traceId": "t1",
                    "model": "gpt-4o",
                    "startTime": "2025-01-02T03:04:05Z",
                },
            },
            {
                "type": "generation-update",
                "body": {
                    "id": "g1",
                    "endTime": "2025-01-02T03:04:06.5Z",
                    "usageDetails": {
                        "input": 70,
                        "input_cached_tokens": 30,
                        "output": 9,
                        "output_reasoning_tokens": 4,
                    },
                    "costDetails": {"total": 0.0001234},
                },
            },
        ]
    }
    path = tmp_path / "b.json"
    path.write_text(json.dumps(batch))
    assert detect_file(path).name == "langfuse"
    (record,) = read(path)
    assert isinstance(record, UsageRecord)
    assert (record.input_tokens, record.cache_read_tokens) == (70, 30)
    assert (record.output_tokens, record.reasoning_tokens) == (9, 4)
    assert record.user == "alice"
    assert record.latency_ms == 1500
    assert record.reported_cost_usd == Decimal("0.0001234")
    assert record.provider == "unknown"


def test_exported_observations_jsonl(tmp_path: Path) -> None:
    rows = [
        {
            "id": "o1",
            "type": "GENERATION",
            "traceId": "t",
            "model": "openai/gpt-4o-mini",
            "startTime": "2025-01-02T03:04:05.000Z",
            "usage": {"input": 5, "output": 6},
            "calculatedTotalCost": 0.00000123,
            "level": "ERROR",
        },
        {
            "id": "o2",
            "type": "GENERATION",
            "traceId": "t",
            "model": "gpt-4o",
            "startTime": "later",
            "usage": {"input": 5, "output": 6},
        },
    ]
    path = tmp_path / "o.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    first, second = read(path)
    assert isinstance(first, UsageRecord)
    assert (first.provider, first.model, first.status) == ("openai", "gpt-4o-mini", "error")
    assert first.reported_cost_usd == Decimal("0.00000123")
    assert isinstance(second, LineIssue)
    assert second.line == 2
    assert "startTime is not an ISO 8601 timestamp" in second.reason
