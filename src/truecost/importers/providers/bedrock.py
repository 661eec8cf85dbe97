"""Amazon Bedrock Converse bodies.

``usage.inputTokens`` excludes ``cacheReadInputTokens`` and
``cacheWriteInputTokens``; ``usage.cacheDetails`` splits the writes by cache
time-to-live. A Converse body names no model and carries no id or time, so the
model comes from the field named by the ``model`` column mapping (for example a
logged ``modelId`` beside the body) and the record id is a hash of the line.
"""

from __future__ import annotations

from typing import Any

from truecost.importers.base import lookup_path
from truecost.importers.providers.fields import LineInfo, count, has, text
from truecost.importers.providers.registry import BodyError, BodyParser, register_parser
from truecost.record import UsageRecord


def configured_model(body: dict[str, Any], line: LineInfo) -> str:
    """Return the model at the body's ``modelId`` or the path mapped to ``model``, else ''."""
    path = line.context.column_map.get("model", "modelId")
    value = lookup_path(body, path)
    return value if isinstance(value, str) else ""


def flag_missing_model(record: UsageRecord) -> None:
    """Flag a record whose body did not name its model."""
    if not record.model:
        record.flags.append(
            "the body names no model; map the field that holds it with the 'model' column "
            "mapping so the call can be priced"
        )


class BedrockConverseParser(BodyParser):
    """Bedrock's Converse API, recognised by camelCase ``inputTokens``/``outputTokens`` usage."""

    name = "bedrock-converse"
    provider = "bedrock"
    priority = 40

    def matches(self, body: dict[str, Any]) -> bool:
        usage = body.get("usage")
        converse = "output" in body or "stopReason" in body or "metrics" in body
        return converse and isinstance(usage, dict) and "inputTokens" in usage

    def parse(self, body: dict[str, Any], line: LineInfo) -> list[UsageRecord]:
        if not isinstance(body.get("usage"), dict):
            raise BodyError("the body has no usage object; log the complete Converse response")
        record = line.new_record(self.provider, None, configured_model(body, line), None, body)
        record.input_tokens = count(body, "usage.inputTokens")
        record.output_tokens = count(body, "usage.outputTokens")
        record.cache_read_tokens = count(body, "usage.cacheReadInputTokens")
        _cache_writes(record, body)
        if has(body, "usage.totalTokens"):
            total = count(body, "usage.totalTokens")
            if total != record.prompt_tokens + record.output_tokens:
                record.flags.append(
                    f"usage.totalTokens is {total} but inputTokens + outputTokens + cache reads "
                    f"and writes is {record.prompt_tokens + record.output_tokens}"
                )
        if has(body, "metrics.latencyMs"):
            record.latency_ms = count(body, "metrics.latencyMs")
        record.service_tier = text(body, "serviceTier.type")
        flag_missing_model(record)
        return [record]


def _cache_writes(record: UsageRecord, body: dict[str, Any]) -> None:
    written = count(body, "usage.cacheWriteInputTokens")
    details = lookup_path(body, "usage.cacheDetails")
    if not isinstance(details, list):
        record.cache_write_5m_tokens = written
        return
    for index, entry in enumerate(details):
        tokens = count(entry, "inputTokens")
        ttl = text(entry, "ttl")
        if ttl == "1h":
            record.cache_write_1h_tokens += tokens
        elif ttl == "5m":
            record.cache_write_5m_tokens += tokens
        else:
            raise BodyError(f"usage.cacheDetails[{index}].ttl is {ttl!r}, expected '5m' or '1h'")
    split = record.cache_write_5m_tokens + record.cache_write_1h_tokens
    if split != written:
        record.flags.append(
            f"cacheWriteInputTokens ({written}) differ from the sum of cacheDetails ({split}); "
            "the split is used"
        )


register_parser(BedrockConverseParser())
