"""Usage of the two OpenAI body shapes that many hosts copy: Chat Completions and Responses.

Chat Completions ``usage.prompt_tokens`` includes ``prompt_tokens_details.cached_tokens``
(and ``cache_write_tokens`` where a host reports them), and ``completion_tokens``
includes ``completion_tokens_details.reasoning_tokens``. The Responses API spells
the same counts ``input_tokens`` and ``output_tokens``.
"""

from __future__ import annotations

from typing import Any

from truecost.importers.providers.fields import (
    LineInfo,
    add_unit,
    count,
    epoch_time,
    has,
    text,
)
from truecost.importers.providers.registry import BodyError, BodyParser
from truecost.record import INPUT_AUDIO_TOKENS, OUTPUT_AUDIO_TOKENS, WEB_SEARCHES, UsageRecord

RESPONSE_OBJECTS = ("response", "response.compaction")
CHAT_OBJECTS = ("chat.completion", "chat.completion.chunk")
_FINAL_EVENTS = ("response.completed", "response.incomplete", "response.failed")
# Responses API status -> record status.
_STATUS = {
    "completed": "ok",
    "incomplete": "incomplete",
    "failed": "error",
    "cancelled": "cancelled",
}


def is_responses_body(body: dict[str, Any]) -> bool:
    """Return True for a Responses API object, False for a Chat Completions one."""
    return body.get("object") in RESPONSE_OBJECTS or has(body, "usage.input_tokens")


def is_openai_shape(body: dict[str, Any]) -> bool:
    """Return True when ``body`` is a Chat Completions or Responses API object."""
    if body.get("object") in (*CHAT_OBJECTS, *RESPONSE_OBJECTS, "response.input_tokens"):
        return True
    return has(body, "usage.prompt_tokens") or (
        has(body, "usage.input_tokens") and "output" in body
    )


class OpenAIStyleParser(BodyParser):
    """A host that responds in the OpenAI shapes. Subclasses add the fields their host reports beyond them."""

    def matches(self, body: dict[str, Any]) -> bool:
        return is_openai_shape(body)

    def parse(self, body: dict[str, Any], line: LineInfo) -> list[UsageRecord]:
        check_billed(body)
        created = epoch_time(body, "created") or epoch_time(body, "created_at")
        response_id = text(body, "id")
        model = text(body, "model") or ""
        record = line.new_record(self.provider, response_id, model, created, body)
        if is_responses_body(body):
            responses_usage(record, body)
        else:
            chat_usage(record, body)
        record.service_tier = text(body, "service_tier")
        if not model:
            record.flags.append("the body names no model, so the call cannot be priced by model")
        self.add_host_fields(record, body)
        return [record]

    def add_host_fields(self, record: UsageRecord, body: dict[str, Any]) -> None:
        """Fill fields that only this host reports, such as timing or a reported cost."""

    def collapse_stream(self, events: list[dict[str, Any]]) -> dict[str, Any] | None:
        body = final_stream_body(events)
        return body if body is not None and is_openai_shape(body) else None


def check_billed(body: dict[str, Any]) -> None:
    """Raise ``BodyError`` for a body that carries no billed usage."""
    if body.get("object") == "response.input_tokens":
        raise BodyError(
            "a token-count response (object 'response.input_tokens') is not a billed call; "
            "remove it from the log or ignore this line"
        )
    if body.get("usage") is None:
        status = body.get("status")
        where = f" (status '{status}')" if isinstance(status, str) else ""
        raise BodyError(
            f"the body has no usage{where}; log the final body of the response, "
            "which carries the token counts"
        )
    if not isinstance(body["usage"], dict):
        raise BodyError("usage is not an object; log the provider's response body unchanged")


def chat_usage(record: UsageRecord, body: dict[str, Any]) -> None:
    """Map Chat Completions ``usage`` onto ``record``, flagging counts that do not add up."""
    prompt = count(body, "usage.prompt_tokens")
    completion = count(body, "usage.completion_tokens")
    # Some hosts (Together behind the Hugging Face router) report cached tokens at the top of usage.
    cached = count(body, "usage.prompt_tokens_details.cached_tokens") or count(
        body, "usage.cached_tokens"
    )
    written = count(body, "usage.prompt_tokens_details.cache_write_tokens")
    split_prompt(record, prompt, cached, written, "prompt_tokens")
    split_completion(
        record, completion, count(body, "usage.completion_tokens_details.reasoning_tokens")
    )
    add_unit(record, INPUT_AUDIO_TOKENS, count(body, "usage.prompt_tokens_details.audio_tokens"))
    add_unit(
        record, OUTPUT_AUDIO_TOKENS, count(body, "usage.completion_tokens_details.audio_tokens")
    )
    check_total(record, body, prompt, completion, "prompt_tokens + completion_tokens")


def responses_usage(record: UsageRecord, body: dict[str, Any]) -> None:
    """Map Responses API ``usage``, status, latency and web searches onto ``record``."""
    prompt = count(body, "usage.input_tokens")
    completion = count(body, "usage.output_tokens")
    cached = count(body, "usage.input_tokens_details.cached_tokens")
    written = count(body, "usage.input_tokens_details.cache_write_tokens")
    split_prompt(record, prompt, cached, written, "input_tokens")
    split_completion(
        record, completion, count(body, "usage.output_tokens_details.reasoning_tokens")
    )
    add_unit(record, WEB_SEARCHES, count(body, "tool_usage.web_search.num_requests"))
    check_total(record, body, prompt, completion, "input_tokens + output_tokens")
    status = text(body, "status")
    if status is not None:
        record.status = _STATUS.get(status, status)
    created, completed = epoch_time(body, "created_at"), epoch_time(body, "completed_at")
    if created is not None and completed is not None and completed >= created:
        record.latency_ms = int((completed - created).total_seconds()) * 1000


def split_prompt(record: UsageRecord, prompt: int, cached: int, written: int, name: str) -> None:
    """Split a prompt count that includes cache reads and writes into the record's fields."""
    record.cache_read_tokens = cached
    record.cache_write_5m_tokens = written
    uncached = prompt - cached - written
    if uncached < 0:
        record.flags.append(
            f"cached ({cached}) and cache-write ({written}) tokens exceed {name} ({prompt}); "
            "input_tokens set to 0"
        )
        uncached = 0
    record.input_tokens = uncached


def split_completion(record: UsageRecord, completion: int, reasoning: int) -> None:
    """Store output tokens and the reasoning tokens inside them, flagging reasoning above output."""
    record.output_tokens = completion
    record.reasoning_tokens = reasoning
    if reasoning > completion:
        record.flags.append(
            f"reasoning tokens ({reasoning}) exceed output tokens ({completion}); "
            "output_tokens kept as reported"
        )


def check_total(
    record: UsageRecord, body: dict[str, Any], prompt: int, completion: int, sum_name: str
) -> None:
    """Flag a ``usage.total_tokens`` that differs from the sum the provider defines it as."""
    if not has(body, "usage.total_tokens"):
        return
    total = count(body, "usage.total_tokens")
    if total != prompt + completion:
        record.flags.append(
            f"usage.total_tokens is {total} but {sum_name} is {prompt + completion}"
        )


def final_stream_body(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Return the body behind the last usage-carrying event of an OpenAI-style stream."""
    for event in reversed(events):
        response = event.get("response")
        final = event.get("type") in _FINAL_EVENTS
        if final and isinstance(response, dict) and response.get("usage") is not None:
            return dict(response)
        if event.get("object") == "chat.completion.chunk":
            if event.get("usage") is not None:
                return dict(event)
            groq = event.get("x_groq")
            if isinstance(groq, dict) and groq.get("usage") is not None:
                return {**event, "usage": groq["usage"]}
    return None
