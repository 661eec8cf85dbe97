"""DeepSeek: OpenAI shapes with the prompt split into cache hits and misses.

``usage.prompt_cache_hit_tokens`` are billed at the cache-hit rate and
``usage.prompt_cache_miss_tokens`` at the input rate; together they are
``usage.prompt_tokens``.
"""

from __future__ import annotations

from typing import Any

from truecost.importers.providers.fields import count, has
from truecost.importers.providers.openai_style import OpenAIStyleParser, is_openai_shape
from truecost.importers.providers.registry import register_parser
from truecost.record import UsageRecord


class DeepSeekParser(OpenAIStyleParser):
    """DeepSeek chat completions and responses, recognised by the cache fields or the model family."""

    provider = "deepseek"
    priority = 25

    def matches(self, body: dict[str, Any]) -> bool:
        model = body.get("model")
        # DeepSeek names its models deepseek-*; hosts of its open weights use org/model names.
        deepseek_model = isinstance(model, str) and model.startswith("deepseek-")
        own_model = deepseek_model and "/" not in str(model)
        cache_split = has(body, "usage.prompt_cache_hit_tokens")
        return (cache_split or own_model) and is_openai_shape(body)

    def add_host_fields(self, record: UsageRecord, body: dict[str, Any]) -> None:
        if not has(body, "usage.prompt_cache_hit_tokens"):
            return
        hit = count(body, "usage.prompt_cache_hit_tokens")
        miss = count(body, "usage.prompt_cache_miss_tokens")
        prompt = count(body, "usage.prompt_tokens")
        record.cache_read_tokens = hit
        record.input_tokens = miss
        if hit + miss != prompt:
            record.flags.append(
                f"prompt_cache_hit_tokens ({hit}) + prompt_cache_miss_tokens ({miss}) "
                f"differ from prompt_tokens ({prompt})"
            )


register_parser(DeepSeekParser())
