"""Anthropic Messages bodies, direct or through Bedrock and Vertex AI.

``usage.input_tokens`` excludes cache reads and writes, which Anthropic reports
as ``cache_read_input_tokens`` and ``cache_creation_input_tokens`` (split into
``cache_creation.ephemeral_5m_input_tokens`` and ``ephemeral_1h_input_tokens``).
A body without that split predates 1-hour caching, so its writes are 5-minute
writes. ``usage.iterations`` lists every model call behind one response; the
top-level counts cover only the ``message`` iterations, so each other iteration
(a compaction, an advisor call) becomes a record of its own.
"""

from __future__ import annotations

from typing import Any

from truecost.importers.providers.fields import LineInfo, add_unit, count, has, text
from truecost.importers.providers.registry import BodyError, BodyParser, register_parser
from truecost.record import WEB_SEARCHES, UsageRecord

# Response id prefixes of Anthropic models served by a cloud, and the provider that bills them.
_CLOUD_PREFIXES = {"msg_bdrk_": "bedrock", "msg_vrtx_": "vertex"}


def is_message(body: dict[str, Any]) -> bool:
    """Return True for an Anthropic Messages API response body."""
    usage = body.get("usage")
    return body.get("type") == "message" and isinstance(usage, dict) and "input_tokens" in usage


class AnthropicParser(BodyParser):
    """Anthropic's own Messages API."""

    provider = "anthropic"
    priority = 30

    def matches(self, body: dict[str, Any]) -> bool:
        return is_message(body) and _cloud(body) is None

    def parse(self, body: dict[str, Any], line: LineInfo) -> list[UsageRecord]:
        if not isinstance(body.get("usage"), dict):
            raise BodyError("the body has no usage object; log the complete Messages API response")
        model = text(body, "model") or ""
        record = line.new_record(self.provider, text(body, "id"), model, None, body)
        message_usage(record, body["usage"], "usage")
        add_unit(record, WEB_SEARCHES, count(body, "usage.server_tool_use.web_search_requests"))
        tier = text(body, "usage.service_tier")
        record.service_tier = tier
        record.batch = tier == "batch"
        return [record, *self._iterations(record, body, line)]

    def collapse_stream(self, events: list[dict[str, Any]]) -> dict[str, Any] | None:
        starts = [e for e in events if e.get("type") == "message_start"]
        deltas = [e for e in events if e.get("type") == "message_delta"]
        if not starts or not isinstance(starts[0].get("message"), dict):
            return None
        body = dict(starts[0]["message"])
        usage = dict(body.get("usage") or {})
        for delta in deltas:
            # message_delta usage is cumulative, so its counts replace those of message_start.
            usage.update(delta.get("usage") or {})
            body.update({k: v for k, v in (delta.get("delta") or {}).items() if v is not None})
        body["usage"] = usage
        return body

    def _iterations(
        self, main: UsageRecord, body: dict[str, Any], line: LineInfo
    ) -> list[UsageRecord]:
        iterations = body["usage"].get("iterations")
        if not isinstance(iterations, list):
            return []
        extra = []
        for index, iteration in enumerate(iterations):
            if not isinstance(iteration, dict) or iteration.get("type") == "message":
                continue
            model = text(iteration, "model") or main.model
            record = line.new_record(self.provider, text(body, "id"), model, None, body)
            record.id = f"{main.id}:iteration-{index}"
            message_usage(record, iteration, f"usage.iterations[{index}]")
            record.service_tier, record.batch = main.service_tier, main.batch
            extra.append(record)
        return extra


class AnthropicCloudParser(AnthropicParser):
    """Anthropic models on Bedrock or Vertex AI, recognised by the ``msg_bdrk_``/``msg_vrtx_`` id."""

    name = "anthropic-on-cloud"
    provider = "bedrock"
    priority = 20

    def matches(self, body: dict[str, Any]) -> bool:
        return is_message(body) and _cloud(body) is not None

    def parse(self, body: dict[str, Any], line: LineInfo) -> list[UsageRecord]:
        records = super().parse(body, line)
        cloud = _cloud(body) or self.provider
        for record in records:
            record.id = cloud + record.id.removeprefix(self.provider)
            record.provider = cloud
        return records


def message_usage(record: UsageRecord, usage: dict[str, Any], where: str) -> None:
    """Map one Anthropic usage object onto ``record``, flagging cache splits that disagree."""
    try:
        record.input_tokens = count(usage, "input_tokens")
        record.cache_read_tokens = count(usage, "cache_read_input_tokens")
        written = count(usage, "cache_creation_input_tokens")
        record.output_tokens = count(usage, "output_tokens")
        record.reasoning_tokens = count(usage, "output_tokens_details.thinking_tokens")
        if has(usage, "cache_creation"):
            record.cache_write_5m_tokens = count(usage, "cache_creation.ephemeral_5m_input_tokens")
            record.cache_write_1h_tokens = count(usage, "cache_creation.ephemeral_1h_input_tokens")
        else:
            record.cache_write_5m_tokens = written
    except BodyError as error:
        raise BodyError(f"{where}.{error}") from None
    split = record.cache_write_5m_tokens + record.cache_write_1h_tokens
    if split != written:
        record.flags.append(
            f"cache_creation_input_tokens ({written}) differ from the 5-minute and 1-hour "
            f"cache writes ({split}); the split is used"
        )


def _cloud(body: dict[str, Any]) -> str | None:
    response_id = body.get("id")
    if isinstance(response_id, str):
        for prefix, provider in _CLOUD_PREFIXES.items():
            if response_id.startswith(prefix):
                return provider
    return None


register_parser(AnthropicParser())
register_parser(AnthropicCloudParser())
