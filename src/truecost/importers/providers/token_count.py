"""Bodies that look like usage but bill nothing: token-count answers and cache resources.

They match here first so that their lines are reported with the reason they
were skipped instead of as unknown bodies.
"""

from __future__ import annotations

from typing import Any

from truecost.importers.providers.fields import LineInfo
from truecost.importers.providers.registry import BodyError, BodyParser, register_parser
from truecost.record import UsageRecord

# Keys of the token-count endpoints: Anthropic and OpenAI, Bedrock, Gemini.
_COUNT_KEYS = (
    {"input_tokens"},
    {"inputTokens"},
    {"totalTokens"},
    {"totalTokens", "promptTokensDetails"},
)


class NotBilledParser(BodyParser):
    """Token-count responses and Gemini cached-content resources."""

    name = "not-billed"
    provider = "none"
    priority = 0
    bills = False

    def matches(self, body: dict[str, Any]) -> bool:
        if set(body) in _COUNT_KEYS or body.get("object") == "response.input_tokens":
            return True
        name = body.get("name")
        return isinstance(name, str) and name.startswith("cachedContents/")

    def parse(self, body: dict[str, Any], line: LineInfo) -> list[UsageRecord]:
        if "name" in body:
            raise BodyError(
                "a cached-content resource, billed per hour of storage rather than per call; "
                "this importer skips it"
            )
        raise BodyError(
            "a token-count response, which is not a billed call; remove it from the log "
            "or ignore this line"
        )


register_parser(NotBilledParser())
