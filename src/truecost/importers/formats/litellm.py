"""LiteLLM logs: ``LiteLLM_SpendLogs`` rows and ``StandardLoggingPayload`` objects.

Both carry LiteLLM's normalized, OpenAI-shaped usage: ``prompt_tokens`` is the
whole prompt, with the cached part in ``prompt_tokens_details.cached_tokens``
(or ``cache_read_input_tokens``) and, for Anthropic and Bedrock models, cache
writes in ``cache_creation_input_tokens``. A spend-log row keeps that usage in
``metadata.usage_object`` (``metadata`` is a JSON string); a payload keeps it
in ``response.usage``. ``spend`` and ``response_cost`` become the reported cost.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from truecost.importers.base import ImportContext, Importer, ImportItem, LineIssue
from truecost.importers.formats._documents import json_objects, read_start
from truecost.importers.formats._values import (
    BadValue,
    cost_usd,
    latency_ms,
    nested,
    optional_text,
    parse_timestamp,
    token_count,
)
from truecost.importers.registry import register
from truecost.record import UsageRecord

FORMAT_NAME = "litellm"
PROMPT_FLAG = "prompt_tokens smaller than its cached part; read as excluding it"
_FAILED_STATUSES = {"failure", "error", "failed"}


@dataclass(frozen=True, slots=True)
class TokenSplit:
    """Disjoint token counts of one request, as ``UsageRecord`` stores them."""

    input_tokens: int
    cache_read_tokens: int
    cache_write_5m_tokens: int
    output_tokens: int
    reasoning_tokens: int
    # True when the prompt count was smaller than its cached part and read as excluding it.
    prompt_excludes_cache: bool = False

    def apply(self, record: UsageRecord) -> UsageRecord:
        """Set the token fields (and the flag) of ``record`` and return it."""
        record.input_tokens = self.input_tokens
        record.cache_read_tokens = self.cache_read_tokens
        record.cache_write_5m_tokens = self.cache_write_5m_tokens
        record.output_tokens = self.output_tokens
        record.reasoning_tokens = self.reasoning_tokens
        if self.prompt_excludes_cache:
            record.flags.append(PROMPT_FLAG)
        return record


def litellm_tokens(usage: dict[str, Any], prefix: str) -> TokenSplit:
    """Split LiteLLM's normalized usage into the record's disjoint token fields."""

    def count(*keys: str) -> int:
        return token_count(nested(usage, *keys), f"{prefix}.{'.'.join(keys)}")

    prompt = count("prompt_tokens")
    cache_read = count("prompt_tokens_details", "cached_tokens") or count("cache_read_input_tokens")
    cache_write = count("cache_creation_input_tokens")
    uncached = prompt - cache_read - cache_write
    flagged = False
    if uncached < 0:
        # NOTE: some LiteLLM versions leave cache writes out of prompt_tokens for
        # Anthropic; when the subtraction goes negative the prompt is taken as
        # already excluding the cached parts, and the record is flagged.
        uncached, flagged = prompt, True
    return TokenSplit(
        input_tokens=uncached,
        cache_read_tokens=cache_read,
        cache_write_5m_tokens=cache_write,
        output_tokens=count("completion_tokens"),
        reasoning_tokens=count("completion_tokens_details", "reasoning_tokens"),
        prompt_excludes_cache=flagged,
    )


def split_model(model: str, provider: str | None) -> tuple[str, str | None]:
    """Split ``bedrock/anthropic.claude-...`` into model and provider when no provider is given."""
    prefix, _, rest = model.partition("/")
    if rest and (provider is None or provider == prefix):
        return rest, prefix
    return model, provider


def _metadata(row: dict[str, Any]) -> dict[str, Any]:
    metadata = row.get("metadata")
    if isinstance(metadata, str) and metadata.strip():
        try:
            metadata = json.loads(metadata, parse_float=Decimal)
        except ValueError:
            raise BadValue("metadata is a string but not valid JSON") from None
    return metadata if isinstance(metadata, dict) else {}


def record_from_litellm(row: Any, context: ImportContext, path: Path, line: int) -> UsageRecord:
    """Build a record from a spend-log row or a standard logging payload."""
    if not isinstance(row, dict):
        raise BadValue("the value is not a JSON object")
    metadata = _metadata(row)
    is_spend_log = "request_id" in row
    request_id = row.get("request_id") if is_spend_log else row.get("id")
    if not isinstance(request_id, str) or not request_id:
        raise BadValue(f"request_id/id must be a non-empty string, got {request_id!r}")
    usage = metadata.get("usage_object") if is_spend_log else nested(row, "response", "usage")
    prefix = "metadata.usage_object" if is_spend_log else "response.usage"
    if not isinstance(usage, dict):
        usage, prefix = row, "row"
    tokens = litellm_tokens(usage, prefix)
    model_name = optional_text(row.get("model"))
    if model_name is None:
        raise BadValue("model is missing")
    model, provider = split_model(model_name, optional_text(row.get("custom_llm_provider")))
    start = parse_timestamp(row.get("startTime"), "startTime")
    end = parse_timestamp(row["endTime"], "endTime") if row.get("endTime") else None
    cost_field = "spend" if is_spend_log else "response_cost"
    log_user = optional_text(row.get("end_user")) or optional_text(
        row.get("user") if is_spend_log else metadata.get("user_api_key_user_id")
    )
    record = UsageRecord(
        id=f"litellm:{request_id}",
        timestamp=start,
        provider=context.provider or provider or "unknown",
        model=model,
        feature=context.attribute("feature", row),
        user=_attribute(context, "user", row, log_user),
        environment=context.attribute("environment", row),
        latency_ms=latency_ms(start, end),
        status="error" if str(row.get("status", "")).lower() in _FAILED_STATUSES else "ok",
        reported_cost_usd=cost_usd(row.get(cost_field), cost_field),
        source_file=str(path),
        source_line=line,
        format=FORMAT_NAME,
    )
    return tokens.apply(record)


def _attribute(context: ImportContext, name: str, row: Any, logged: str | None) -> str | None:
    # A configured path wins, then the value in the log, then the fixed value for the import.
    if name in context.attribute_fields:
        return context.attribute(name, row)
    return logged or context.attribute(name, row)


class LiteLLMImporter(Importer):
    """LiteLLM spend logs and standard logging payloads."""

    name = FORMAT_NAME
    description = "LiteLLM spend-log rows or standard logging payloads (JSON, JSON array or JSONL)"
    detect_priority = 31

    def detect(self, path: Path, head: list[bytes]) -> bool:
        start = read_start(path)
        spend_log = b'"request_id"' in start and b'"spend"' in start
        payload = b'"response_cost"' in start and b'"custom_llm_provider"' in start
        return spend_log or payload

    def read(self, path: Path, context: ImportContext) -> Iterator[ImportItem]:
        for item in json_objects(path):
            if isinstance(item, LineIssue):
                yield item
                continue
            number, row = item
            try:
                yield record_from_litellm(row, context, path, number)
            except BadValue as exc:
                yield LineIssue(str(path), number, f"{exc}; fix or remove the entry")


register(LiteLLMImporter())
