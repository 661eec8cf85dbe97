"""Cohere v2 chat bodies.

Cohere bills ``usage.billed_units``; ``usage.tokens`` also counts the tokens it
adds itself (its system preamble), which are not billed. The body names no
model and carries no time, so the model comes from the ``model`` column mapping.
"""

from __future__ import annotations

from typing import Any

from truecost.importers.providers.bedrock import configured_model, flag_missing_model
from truecost.importers.providers.fields import LineInfo, count, text
from truecost.importers.providers.registry import BodyParser, register_parser
from truecost.record import UsageRecord


class CohereParser(BodyParser):
    """Cohere chat, recognised by ``usage.billed_units``."""

    provider = "cohere"
    priority = 40

    def matches(self, body: dict[str, Any]) -> bool:
        usage = body.get("usage")
        return isinstance(usage, dict) and isinstance(usage.get("billed_units"), dict)

    def parse(self, body: dict[str, Any], line: LineInfo) -> list[UsageRecord]:
        model = text(body, "model") or configured_model(body, line)
        record = line.new_record(self.provider, text(body, "id"), model, None, body)
        record.input_tokens = count(body, "usage.billed_units.input_tokens")
        record.output_tokens = count(body, "usage.billed_units.output_tokens")
        flag_missing_model(record)
        return [record]


register_parser(CohereParser())
