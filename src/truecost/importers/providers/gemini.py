"""Gemini API and Vertex AI ``generateContent`` bodies.

``usageMetadata.promptTokenCount`` includes ``cachedContentTokenCount``.
``candidatesTokenCount`` excludes ``thoughtsTokenCount``, and both are billed
as output. ``toolUsePromptTokenCount`` (tool results fed back to the model)
is outside ``promptTokenCount`` and billed as input.
"""

from __future__ import annotations

from typing import Any

from truecost.importers.providers.fields import LineInfo, add_unit, count, has, iso_time, text
from truecost.importers.providers.registry import BodyError, BodyParser, register_parser
from truecost.record import INPUT_AUDIO_TOKENS, OUTPUT_AUDIO_TOKENS, UsageRecord

# Vertex AI trafficType -> the service tier it bills as.
_TRAFFIC_TIERS = {
    "ON_DEMAND": "standard",
    "ON_DEMAND_FLEX": "flex",
    "ON_DEMAND_PRIORITY": "priority",
    "PROVISIONED_THROUGHPUT": "provisioned",
}


def is_generate_content(body: dict[str, Any]) -> bool:
    """Return True for a generateContent response (or stream chunk) with usage metadata."""
    usage = body.get("usageMetadata")
    return isinstance(usage, dict) and ("candidates" in body or "promptTokenCount" in usage)


class GeminiParser(BodyParser):
    """The Gemini API (generativelanguage.googleapis.com)."""

    provider = "gemini"
    priority = 40

    def matches(self, body: dict[str, Any]) -> bool:
        return is_generate_content(body) and not _is_vertex(body)

    def parse(self, body: dict[str, Any], line: LineInfo) -> list[UsageRecord]:
        if not isinstance(body.get("usageMetadata"), dict):
            raise BodyError("the body has no usageMetadata object; log the complete response")
        model = text(body, "modelVersion") or ""
        created = iso_time(body, "createTime")
        record = line.new_record(self.provider, text(body, "responseId"), model, created, body)
        usage_metadata(record, body["usageMetadata"])
        tier = text(body, "usageMetadata.serviceTier")
        traffic = text(body, "usageMetadata.trafficType")
        record.service_tier = tier.lower() if tier else _TRAFFIC_TIERS.get(traffic or "", traffic)
        return [record]

    def collapse_stream(self, events: list[dict[str, Any]]) -> dict[str, Any] | None:
        # usageMetadata in a stream is cumulative, so the last chunk carrying it is the total.
        for event in reversed(events):
            if is_generate_content(event):
                return dict(event)
        return None


class VertexParser(GeminiParser):
    """Vertex AI, whose bodies add ``createTime`` and ``usageMetadata.trafficType``."""

    provider = "vertex"
    priority = 30

    def matches(self, body: dict[str, Any]) -> bool:
        return is_generate_content(body) and _is_vertex(body)


def usage_metadata(record: UsageRecord, usage: dict[str, Any]) -> None:
    """Map ``usageMetadata`` onto ``record``, flagging counts that do not add up."""
    prompt = count(usage, "promptTokenCount")
    cached = count(usage, "cachedContentTokenCount")
    tool_prompt = count(usage, "toolUsePromptTokenCount")
    candidates = count(usage, "candidatesTokenCount")
    thoughts = count(usage, "thoughtsTokenCount")
    record.cache_read_tokens = cached
    record.input_tokens = prompt - cached + tool_prompt
    if cached > prompt:
        record.flags.append(
            f"cachedContentTokenCount ({cached}) exceeds promptTokenCount ({prompt}); "
            "input_tokens counts only the tool-use prompt"
        )
        record.input_tokens = tool_prompt
    record.output_tokens = candidates + thoughts
    record.reasoning_tokens = thoughts
    audio_in = _modality(usage, "promptTokensDetails", "AUDIO") + _modality(
        usage, "toolUsePromptTokensDetails", "AUDIO"
    )
    cached_audio = _modality(usage, "cacheTokensDetails", "AUDIO")
    add_unit(record, INPUT_AUDIO_TOKENS, max(audio_in - cached_audio, 0))
    add_unit(record, OUTPUT_AUDIO_TOKENS, _modality(usage, "candidatesTokensDetails", "AUDIO"))
    if has(usage, "totalTokenCount"):
        total = count(usage, "totalTokenCount")
        parts = prompt + tool_prompt + candidates + thoughts
        if total != parts:
            record.flags.append(
                f"totalTokenCount is {total} but promptTokenCount + toolUsePromptTokenCount + "
                f"candidatesTokenCount + thoughtsTokenCount is {parts}"
            )


def _modality(usage: dict[str, Any], field: str, modality: str) -> int:
    details = usage.get(field)
    if not isinstance(details, list):
        return 0
    total = 0
    for index, entry in enumerate(details):
        if isinstance(entry, dict) and entry.get("modality") == modality:
            total += count(entry, "tokenCount") if "tokenCount" in entry else 0
        elif not isinstance(entry, dict):
            raise BodyError(f"usageMetadata.{field}[{index}] is not an object; fix the line")
    return total


def _is_vertex(body: dict[str, Any]) -> bool:
    usage = body.get("usageMetadata")
    return "createTime" in body or (isinstance(usage, dict) and "trafficType" in usage)


register_parser(GeminiParser())
register_parser(VertexParser())
