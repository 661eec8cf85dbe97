"""OpenRouter: OpenAI shapes plus the cost OpenRouter charged for the call.

``usage.cost`` is what OpenRouter took from the account's credits. For a
bring-your-own-key call (``usage.is_byok``) the upstream provider bills the
key's owner ``cost_details.upstream_inference_cost`` on top, so the reported
cost of such a call is the sum of both.
"""

from __future__ import annotations

from typing import Any

from truecost.importers.providers.fields import add_unit, count, usd
from truecost.importers.providers.openai_style import OpenAIStyleParser, is_openai_shape
from truecost.importers.providers.registry import BodyError, register_parser
from truecost.record import WEB_SEARCHES, UsageRecord


class OpenRouterParser(OpenAIStyleParser):
    """OpenRouter chat completions and responses: ``gen-`` ids, a routed ``provider`` and costs."""

    provider = "openrouter"
    priority = 10

    def matches(self, body: dict[str, Any]) -> bool:
        response_id = body.get("id")
        routed = isinstance(response_id, str) and response_id.startswith("gen-")
        usage = body.get("usage")
        costed = isinstance(usage, dict) and ("is_byok" in usage or "cost_details" in usage)
        return (routed or costed) and is_openai_shape(body)

    def add_host_fields(self, record: UsageRecord, body: dict[str, Any]) -> None:
        add_unit(
            record, WEB_SEARCHES, count(body, "usage.server_tool_use_details.web_search_requests")
        )
        record.reported_cost_usd = reported_cost(body)
        if isinstance(body.get("error"), dict):
            record.status = "error"


def reported_cost(body: dict[str, Any]) -> Any:
    """Return OpenRouter's charge plus, for a bring-your-own-key call, the upstream cost."""
    cost = usd(body, "usage.cost")
    byok = body["usage"].get("is_byok")
    if byok is not None and not isinstance(byok, bool):
        raise BodyError("usage.is_byok is not true or false; fix the value or remove the line")
    if not byok:
        return cost
    upstream = usd(body, "usage.cost_details.upstream_inference_cost")
    if upstream is None:
        return cost
    return (cost or 0) + upstream


register_parser(OpenRouterParser())
