"""Pinned token counts of real logged response bodies, one or more lines per provider."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from truecost.importers import ImportContext, get_importer
from truecost.record import UsageRecord

DATA = Path(__file__).parent / "data" / "api-responses"
OPTION_TIME = datetime(2025, 1, 2, tzinfo=UTC)
NO_MODEL = (
    "the body names no model; map the field that holds it with the 'model' column mapping "
    "so the call can be priced"
)

# (file, line, id, provider, model, input, cache read, cache write 5m, cache write 1h,
#  output, reasoning, other units, service tier, latency ms, status, reported cost, flags)
CASES = [
    ("anthropic/bodies.jsonl", 1, "anthropic:msg_018FL8HcL7Drnk15RmEe3dsK", "anthropic",
     "claude-sonnet-4-5-20250929", 51, 0, 0, 0, 162, 112, {}, "standard", None, "ok", None, []),
    ("anthropic/bodies.jsonl", 8, "anthropic:msg_011CdD8kCHePDwkWhKt6aCDv", "anthropic",
     "claude-sonnet-5", 2390, 0, 0, 0, 121, 28, {}, "standard", None, "ok", None, []),
    ("anthropic/bodies.jsonl", 8, "anthropic:msg_011CdD8kCHePDwkWhKt6aCDv:iteration-1",
     "anthropic", "claude-opus-4-8", 2518, 0, 0, 0, 22, 0, {}, "standard", None, "ok", None, []),
    ("anthropic/bodies.jsonl", 18, "anthropic:msg_01F14qCbQK62eHkEDj6yvZsi:iteration-0",
     "anthropic", "claude-sonnet-4-6", 55196, 0, 0, 0, 125, 0, {}, "standard", None, "ok", None,
     []),
    ("anthropic/streams.jsonl", 1, "anthropic:msg_011CdD8kd2BCHcbXAHcYxvaf", "anthropic",
     "claude-sonnet-5", 2411, 0, 0, 0, 145, 47, {}, "standard", None, "ok", None, []),
    ("anthropic/streams.jsonl", 2, "anthropic:msg_011CduoCRono7pFKoTWpPAia:iteration-0",
     "anthropic", "claude-sonnet-4-6", 100, 55096, 0, 0, 83, 0, {}, "standard", None, "ok", None,
     []),
    ("openai/bodies.jsonl", 1, "openai:chatcmpl-Dyln92ILj4hwfpf8pkB29u5SE8WQb", "openai",
     "gpt-4o-2024-08-06", 48, 0, 0, 0, 14, 0, {}, "default", None, "ok", None, []),
    ("openai/bodies.jsonl", 86, "openai:resp_0fe74db124a77f9a0169cdf58037d48194b164c5044ded5c5f",
     "openai", "", 156, 0, 0, 0, 190, 0, {}, None, None, "ok", None,
     ["the body names no model, so the call cannot be priced by model"]),
    ("openai/streams.jsonl", 1, "openai:resp_0ecff685e411ca7b0069e063569c7c819bbc74c80d853802e6",
     "openai", "gpt-4o-mini-2024-07-18", 25, 0, 0, 0, 10, 0, {}, "default", 2000, "ok", None, []),
    ("azure-openai/bodies.jsonl", 1,
     "azure-openai:resp_036b62cf8c9abbe6006a6771240b088193b20bf84ec3e66e67", "azure-openai",
     "gpt-5.4", 18, 0, 0, 0, 5, 0, {}, "default", 0, "ok", None, []),
    ("gemini/bodies.jsonl", 29, "gemini:JiyGasHJHe-wjMcP4aqWmQg", "gemini", "gemini-2.5-flash",
     334, 17379, 0, 0, 889, 821, {"input_audio_tokens": 36}, "standard", None, "ok", None, []),
    ("gemini/bodies.jsonl", 67, "gemini:3SE-aKjdCcCEz7IPxpqjCA", "gemini",
     "gemini-2.5-pro-preview-05-06", 35, 0, 0, 0, 74, 62, {}, None, None, "ok", None,
     ["usage.total_tokens is 109 but prompt_tokens + completion_tokens is 47",
      "62 tokens of total_tokens are in neither prompt_tokens nor completion_tokens; "
      "counted as thinking tokens billed as output"]),
    ("gemini/streams.jsonl", 3, "gemini:11peaI_ZJLq3nvgP0vasuQk", "gemini", "gemini-2.0-flash",
     79, 0, 0, 0, 12, 0, {}, None, None, "ok", None, []),
    ("vertex/streams.jsonl", 1, "vertex:a9--aa6MOKL4vdIPz7X2iQ4", "vertex",
     "gemini-3-flash-preview", 5, 0, 0, 0, 101, 100, {}, "flex", None, "ok", None, []),
    ("bedrock/bodies.jsonl", 2, "bedrock:msg_bdrk_01PwGjqAJE4R8ZBE8KCtMEjG", "bedrock",
     "claude-haiku-4-5-20251001", 3, 9511, 1956, 0, 44, 0, {}, None, None, "ok", None, []),
    ("bedrock/bodies.jsonl", 13, "bedrock:sha256:46885e01c0231360652e92266c89c311", "bedrock",
     "", 3, 1712, 236, 0, 121, 0, {}, None, 2818, "ok", None, [NO_MODEL]),
    ("bedrock/bodies.jsonl", 40, "bedrock:sha256:95a041d876ac09f6215777402a5133d1", "bedrock",
     "", 13, 0, 0, 0, 5, 0, {}, "flex", 159, "ok", None, [NO_MODEL]),
    ("openrouter/bodies.jsonl", 9, "openrouter:gen-1764791730-nym6GYDkejhRdrWtv8l3", "openrouter",
     "google/gemini-2.5-flash", 480, 0, 0, 0, 33, 0, {}, None, None, "ok",
     Decimal("0.000226500000"), []),
    ("openrouter/bodies.jsonl", 19, "openrouter:gen-1786680756-Fmq0SbiQ50hlHCCn30d5",
     "openrouter", "deepseek/deepseek-chat", 2315, 0, 0, 0, 40, 0, {"web_searches": 1}, None,
     None, "ok", Decimal("0.007637029000"), []),
    ("openrouter/bodies.jsonl", 24, "openrouter:gen-1773012773-jWAciV9Nta3B9i18b2ED",
     "openrouter", "anthropic/claude-4.6-sonnet-20260217", 1, 2569, 79, 0, 100, 0, {}, None,
     None, "ok", Decimal("0.002569950000"), []),
    ("openrouter/streams.jsonl", 2, "openrouter:gen-1762179802-UN8pkJI4AGZvryk0kFnb",
     "openrouter", "minimax/minimax-m2:free", 43, 0, 0, 0, 10, 11, {}, None, None, "error",
     Decimal("0"), ["reasoning tokens (11) exceed output tokens (10); output_tokens kept as reported"]),
    ("deepseek/bodies.jsonl", 1, "deepseek:0841b0a3-0321-47fa-a8a5-f08e5a4b3cb3", "deepseek",
     "deepseek-v4-flash", 51, 512, 0, 0, 116, 60, {}, None, None, "ok", None, []),
    ("deepseek/bodies.jsonl", 4, "deepseek:92471b7c-94ad-452f-a3f5-c29aa74a95e1", "deepseek",
     "deepseek-v4-flash", 110, 256, 0, 0, 63, 18, {}, "default", 1000, "ok", None, []),
    ("groq/bodies.jsonl", 5, "groq:chatcmpl-92437948-262c-49fe-87d1-774e54201105", "groq",
     "openai/gpt-oss-120b", 178, 0, 0, 0, 94, 0, {}, "on_demand", 195, "ok", None, []),
    ("groq/streams.jsonl", 3, "groq:chatcmpl-e35442a8-12c0-4fb4-8be4-0e51727ce7b7", "groq",
     "openai/gpt-oss-120b", 304, 0, 0, 0, 49, 23, {}, None, 127, "ok", None, []),
    ("cerebras/bodies.jsonl", 3, "cerebras:chatcmpl-82d1c33a-3015-4a2e-a4e4-210e901e89f9",
     "cerebras", "gpt-oss-120b", 79, 0, 0, 0, 37, 25, {}, None, 32, "ok", None, []),
    ("cohere/bodies.jsonl", 1, "cohere:cf7be73f-dcee-4589-9eea-2dca902b27ec", "cohere", "", 13,
     0, 0, 0, 61, 0, {}, None, None, "ok", None, [NO_MODEL]),
    ("mistral/bodies.jsonl", 4, "mistral:23271c0215f547dcb5d5e2950f354f9d", "mistral",
     "mistral-large-latest", 44, 224, 0, 0, 5, 0, {}, None, None, "ok", None, []),
    ("huggingface/bodies.jsonl", 1, "openai-compatible:oV1mrRW-28Eivz-9c4b14db295620a5",
     "openai-compatible", "deepseek-ai/DeepSeek-R1", 16, 0, 0, 0, 216, 0, {}, None, None, "ok",
     None, []),
]


def read_records(relative: str, **options: object) -> list[UsageRecord]:
    context = ImportContext(fallback_timestamp=OPTION_TIME, **options)  # type: ignore[arg-type]
    items = get_importer("api-bodies").read(DATA / relative, context)
    return [item for item in items if isinstance(item, UsageRecord)]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}:{c[1]}:{c[2][-14:]}" for c in CASES])
def test_body_counts_pinned(case: tuple[object, ...]) -> None:
    (relative, line, record_id, provider, model, uncached, read, write_5m, write_1h, output,
     reasoning, other, tier, latency, status, cost, flags) = case
    records = {r.id: r for r in read_records(str(relative)) if r.source_line == line}
    record = records[str(record_id)]
    assert record.provider == provider
    assert record.model == model
    assert record.input_tokens == uncached
    assert record.cache_read_tokens == read
    assert record.cache_write_5m_tokens == write_5m
    assert record.cache_write_1h_tokens == write_1h
    assert record.output_tokens == output
    assert record.reasoning_tokens == reasoning
    assert record.other_units == other
    assert record.service_tier == tier
    assert record.latency_ms == latency
    assert record.status == status
    assert record.reported_cost_usd == cost
    assert record.flags == flags


def test_record_counts_per_sample_file() -> None:
    expected = {
        "anthropic/bodies.jsonl": 101, "anthropic/streams.jsonl": 12,
        "azure-openai/bodies.jsonl": 3, "bedrock/bodies.jsonl": 71, "cerebras/bodies.jsonl": 8,
        "cohere/bodies.jsonl": 3, "deepseek/bodies.jsonl": 12, "deepseek/streams.jsonl": 3,
        "gemini/bodies.jsonl": 71, "gemini/streams.jsonl": 9, "groq/bodies.jsonl": 20,
        "groq/streams.jsonl": 4, "huggingface/bodies.jsonl": 8, "mistral/bodies.jsonl": 6,
        "mistral/streams.jsonl": 1, "openai/bodies.jsonl": 153, "openai/streams.jsonl": 24,
        "openrouter/bodies.jsonl": 42, "openrouter/streams.jsonl": 6,
        "vertex/bodies.jsonl": 18, "vertex/streams.jsonl": 1,
    }
    for relative, total in expected.items():
        records = read_records(relative)
        assert len(records) == total, relative
        assert {r.provider for r in records} == {relative.split("/")[0].replace(
            "huggingface", "openai-compatible")}, relative


def test_timestamp_from_body_or_option() -> None:
    (openai,) = [r for r in read_records("openai/bodies.jsonl") if r.source_line == 1]
    assert openai.timestamp == datetime(2026, 7, 6, 22, 9, 23, tzinfo=UTC)
    assert openai.timestamp_source == "record"
    anthropic = read_records("anthropic/bodies.jsonl")[0]
    assert anthropic.timestamp == OPTION_TIME
    assert anthropic.timestamp_source == "option"


def test_forced_provider_names_hugging_face() -> None:
    records = read_records("huggingface/bodies.jsonl", provider="huggingface")
    assert [r.id for r in records][:1] == ["huggingface:oV1mrRW-28Eivz-9c4b14db295620a5"]
    assert {r.provider for r in records} == {"huggingface"}


def test_groq_compound_splits_per_model() -> None:
    records = [r for r in read_records("groq/bodies.jsonl") if r.source_line == 4]
    assert [(r.model, r.input_tokens, r.output_tokens) for r in records] == [
        ("llama-3.3-70b-versatile", 138, 4),
        ("meta-llama/llama-4-scout-17b-16e-instruct", 495, 106),
        ("meta-llama/llama-4-scout-17b-16e-instruct", 2378, 55),
        ("llama-3.3-70b-versatile", 2285, 222),
    ]
