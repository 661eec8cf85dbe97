"""OpenAI and the hosts that respond in its shapes, recognised by the fields each adds.

A body names its host only through such traces: ``x_groq`` (Groq), ``time_info``
(Cerebras), Azure's content filter results, or the model's family prefix
(Mistral, Gemini). A body without any of them is ``openai-compatible``; name the
host with ``--provider`` (Hugging Face, for example, leaves no trace).
"""

from __future__ import annotations

from typing import Any

from truecost.importers.providers.fields import (
    LineInfo,
    count,
    has,
    number,
    seconds_to_ms,
)
from truecost.importers.providers.openai_style import OpenAIStyleParser, is_openai_shape
from truecost.importers.providers.registry import register_parser
from truecost.record import UsageRecord

_OPENAI_MODEL_PREFIXES = ("gpt-", "o1", "o3", "o4", "chatgpt-", "codex-", "computer-use-", "ft:gpt")
_MISTRAL_MODEL_PREFIXES = (
    "mistral-",
    "magistral-",
    "pixtral-",
    "codestral-",
    "ministral-",
    "devstral-",
    "open-mistral-",
    "open-mixtral-",
    "voxtral-",
)


def _model(body: dict[str, Any]) -> str:
    model = body.get("model")
    return model if isinstance(model, str) else ""


class OpenAIParser(OpenAIStyleParser):
    """OpenAI's own API: ``chatcmpl-`` or ``resp_`` ids and an OpenAI model family."""

    provider = "openai"
    priority = 50

    def matches(self, body: dict[str, Any]) -> bool:
        response_id = body.get("id")
        if not isinstance(response_id, str) or not response_id.startswith(("chatcmpl-", "resp_")):
            return False
        if body.get("object") == "response.compaction":
            return True
        return is_openai_shape(body) and _model(body).startswith(_OPENAI_MODEL_PREFIXES)


class AzureOpenAIParser(OpenAIStyleParser):
    """Azure OpenAI, which adds content filter results to every body."""

    provider = "azure-openai"
    priority = 30

    def matches(self, body: dict[str, Any]) -> bool:
        filters = body.get("content_filters")
        azure_trace = (
            isinstance(filters, list) and bool(filters)
        ) or "prompt_filter_results" in body
        return azure_trace and is_openai_shape(body)


class GroqParser(OpenAIStyleParser):
    """Groq: ``x_groq`` request ids and queue, prompt and completion times in seconds."""

    provider = "groq"
    priority = 20

    def matches(self, body: dict[str, Any]) -> bool:
        groq_trace = "x_groq" in body or "usage_breakdown" in body
        return groq_trace and is_openai_shape(body)

    def parse(self, body: dict[str, Any], line: LineInfo) -> list[UsageRecord]:
        records = super().parse(body, line)
        breakdown = body.get("usage_breakdown")
        models = breakdown.get("models") if isinstance(breakdown, dict) else None
        if isinstance(models, list) and models:
            return self._split_compound(records[0], models, line, body)
        return records

    def add_host_fields(self, record: UsageRecord, body: dict[str, Any]) -> None:
        record.latency_ms = seconds_to_ms(number(body, "usage.total_time"))

    def _split_compound(
        self, total: UsageRecord, models: list[Any], line: LineInfo, body: dict[str, Any]
    ) -> list[UsageRecord]:
        # A compound system reports one summed usage plus the usage of every model it called.
        # Each model bills at its own price, so each becomes a record of its own.
        records = []
        for index, entry in enumerate(models):
            part = {**body, "model": entry.get("model") if isinstance(entry, dict) else None}
            part["usage"] = entry.get("usage") if isinstance(entry, dict) else None
            part["usage_breakdown"] = None
            (record,) = super().parse(part, line)
            record.id = f"{total.id}:model-{index}"
            record.flags.append(f"one of {len(models)} models called by {total.model}")
            records.append(record)
        return records


class CerebrasParser(OpenAIStyleParser):
    """Cerebras: ``time_info`` with queue, prompt and completion times in seconds."""

    provider = "cerebras"
    priority = 20

    def matches(self, body: dict[str, Any]) -> bool:
        return "time_info" in body and is_openai_shape(body)

    def add_host_fields(self, record: UsageRecord, body: dict[str, Any]) -> None:
        record.latency_ms = seconds_to_ms(number(body, "time_info.total_time"))


class MistralParser(OpenAIStyleParser):
    """Mistral's La Plateforme, recognised by the model family."""

    provider = "mistral"
    priority = 40

    def matches(self, body: dict[str, Any]) -> bool:
        return _model(body).startswith(_MISTRAL_MODEL_PREFIXES) and is_openai_shape(body)


class GeminiCompatParser(OpenAIStyleParser):
    """Gemini through its OpenAI-compatible endpoint.

    That endpoint leaves thinking tokens out of ``completion_tokens`` but counts
    them in ``total_tokens``; the difference is billed as output, so it becomes
    reasoning tokens here, with a flag that records it.
    """

    name = "gemini-openai-compatible"
    provider = "gemini"
    priority = 40

    def matches(self, body: dict[str, Any]) -> bool:
        return _model(body).startswith("gemini-") and "choices" in body and is_openai_shape(body)

    def add_host_fields(self, record: UsageRecord, body: dict[str, Any]) -> None:
        if not has(body, "usage.total_tokens"):
            return
        prompt = count(body, "usage.prompt_tokens")
        completion = count(body, "usage.completion_tokens")
        hidden = count(body, "usage.total_tokens") - prompt - completion
        if hidden > 0 and record.reasoning_tokens == 0:
            record.reasoning_tokens = hidden
            record.output_tokens = completion + hidden
            record.flags.append(
                f"{hidden} tokens of total_tokens are in neither prompt_tokens nor "
                "completion_tokens; counted as thinking tokens billed as output"
            )


class HuggingFaceParser(OpenAIStyleParser):
    """The Hugging Face router. Its bodies carry no trace of it, so only ``--provider`` picks it."""

    provider = "huggingface"
    priority = 100

    def matches(self, body: dict[str, Any]) -> bool:
        return False


class OpenAICompatibleParser(OpenAIStyleParser):
    """Any other host that responds in the OpenAI shapes."""

    provider = "openai-compatible"
    priority = 90


for _parser in (
    OpenAIParser(),
    AzureOpenAIParser(),
    GroqParser(),
    CerebrasParser(),
    MistralParser(),
    GeminiCompatParser(),
    HuggingFaceParser(),
    OpenAICompatibleParser(),
):
    register_parser(_parser)
