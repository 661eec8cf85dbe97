"""Langfuse generations: ingestion batches and exported observation rows.

An ingestion batch (``{"batch": [...]}``) holds events; ``generation-create``,
``generation-update`` and ``observation-create``/``-update`` with body type
``GENERATION`` describe one generation by ``body.id``, later events filling
in fields. ``trace-create`` events give the ``userId`` of their trace. An
exported observation is one object with ``type: GENERATION``.

Langfuse's ``usageDetails`` keys are disjoint (``input`` excludes cached
tokens). A generation that LiteLLM logged (``metadata.hidden_params`` set, or
an ``sdk_integration`` of ``litellm``) carries LiteLLM's usage instead, whose
``input`` is the whole prompt, so its cached parts are subtracted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from truecost.importers.base import ImportContext, Importer, ImportItem, LineIssue
from truecost.importers.formats._documents import json_objects, read_start
from truecost.importers.formats._values import (
    BadValue,
    cost_usd,
    latency_ms,
    optional_text,
    parse_timestamp,
    token_count,
)
from truecost.importers.formats.litellm import TokenSplit, litellm_tokens, split_model
from truecost.importers.registry import register
from truecost.record import UsageRecord

FORMAT_NAME = "langfuse"
_GENERATION_EVENTS = {"generation-create", "generation-update"}
_OBSERVATION_EVENTS = {"observation-create", "observation-update"}
# usageDetails keys per record field, in the spellings Langfuse SDKs and integrations write.
_CACHE_READ_KEYS = ("cache_read_input_tokens", "input_cached_tokens", "input_cache_read")
_CACHE_WRITE_KEYS = ("cache_creation_input_tokens", "input_cache_creation")
_REASONING_KEYS = ("output_reasoning_tokens", "output_reasoning")


def generations(document: Any) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Return the merged generation bodies of a document and the user id of each trace."""
    if isinstance(document, dict) and isinstance(document.get("batch"), list):
        litellm = (document.get("metadata") or {}).get("sdk_integration") == "litellm"
        merged: dict[str, dict[str, Any]] = {}
        users: dict[str, str] = {}
        for event in document["batch"]:
            body = event.get("body") if isinstance(event, dict) else None
            if not isinstance(body, dict):
                continue
            kind = event.get("type")
            if kind == "trace-create" and body.get("userId"):
                users[str(body.get("id"))] = str(body["userId"])
            is_generation = kind in _GENERATION_EVENTS or (
                kind in _OBSERVATION_EVENTS and body.get("type") == "GENERATION"
            )
            if is_generation:
                current = merged.setdefault(str(body.get("id")), {"_litellm": litellm})
                current.update({k: v for k, v in body.items() if v is not None})
        return list(merged.values()), users
    if isinstance(document, dict) and document.get("type") == "GENERATION":
        return [document], {}
    return [], {}


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _tokens(body: dict[str, Any]) -> TokenSplit:
    details = _object(body.get("usageDetails"))
    usage = _object(body.get("usage"))

    def first(keys: tuple[str, ...], fallback: Any = None) -> int:
        for key in keys:
            if details.get(key) is not None:
                return token_count(details[key], f"usageDetails.{key}")
        return token_count(fallback, "usage")

    prompt = first(("input",), usage.get("input", body.get("promptTokens")))
    output = first(("output",), usage.get("output", body.get("completionTokens")))
    cache_read, cache_write = first(_CACHE_READ_KEYS), first(_CACHE_WRITE_KEYS)
    reasoning = first(_REASONING_KEYS)
    if body.get("_litellm") or "hidden_params" in _object(body.get("metadata")):
        openai_shaped = {
            "prompt_tokens": prompt,
            "completion_tokens": output,
            "cache_read_input_tokens": cache_read,
            "cache_creation_input_tokens": cache_write,
            "completion_tokens_details": {"reasoning_tokens": reasoning},
        }
        return litellm_tokens(openai_shaped, "usageDetails")
    return TokenSplit(prompt, cache_read, cache_write, output, reasoning)


def record_from_generation(
    body: dict[str, Any], users: dict[str, str], context: ImportContext, where: tuple[Path, int]
) -> UsageRecord:
    """Build a record from one merged generation body."""
    generation_id = optional_text(body.get("id"))
    model_name = optional_text(body.get("model"))
    if generation_id is None:
        raise BadValue("generation id is missing")
    if model_name is None:
        raise BadValue(f"generation {generation_id}: model is missing")
    model, provider = split_model(model_name, None)
    start = parse_timestamp(body.get("startTime"), "startTime")
    end = parse_timestamp(body["endTime"], "endTime") if body.get("endTime") else None
    tokens = _tokens(body)
    cost = body.get("calculatedTotalCost")
    if cost is None:
        cost = _object(body.get("costDetails")).get(
            "total", _object(body.get("usage")).get("totalCost")
        )
    trace_user = users.get(str(body.get("traceId"))) or optional_text(body.get("userId"))
    level = str(body.get("level", "")).upper()
    record = UsageRecord(
        id=f"langfuse:{generation_id}",
        timestamp=start,
        provider=context.provider or provider or "unknown",
        model=model,
        feature=context.attribute("feature", body),
        user=context.attribute("user", body)
        if "user" in context.attribute_fields
        else trace_user or context.user,
        environment=context.attribute("environment", body),
        latency_ms=latency_ms(start, end),
        status="error" if level == "ERROR" else "ok",
        reported_cost_usd=cost_usd(cost, "calculatedTotalCost"),
        source_file=str(where[0]),
        source_line=where[1],
        format=FORMAT_NAME,
    )
    return tokens.apply(record)


class LangfuseImporter(Importer):
    """Langfuse ingestion batches and exported generation observations."""

    name = FORMAT_NAME
    description = "Langfuse ingestion batches or exported GENERATION observations (JSON or JSONL)"
    detect_priority = 30

    def detect(self, path: Path, head: list[bytes]) -> bool:
        start = read_start(path)
        batch = b'"batch"' in start and (
            b'"generation-create"' in start or b'"observation-create"' in start
        )
        export = b'"GENERATION"' in start and b'"traceId"' in start
        return batch or export

    def read(self, path: Path, context: ImportContext) -> Iterator[ImportItem]:
        for item in json_objects(path):
            if isinstance(item, LineIssue):
                yield item
                continue
            number, document = item
            bodies, users = generations(document)
            for body in bodies:
                try:
                    yield record_from_generation(body, users, context, (path, number))
                except BadValue as exc:
                    yield LineIssue(str(path), number, f"{exc}; fix or remove the entry")


register(LangfuseImporter())
