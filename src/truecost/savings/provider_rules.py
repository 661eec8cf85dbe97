"""Each provider's documented caching and batch rules, keyed by provider through a registry.

Prices never live here: every rate comes from ``truecost.pricing``. The multipliers
below are the providers' published rules. They decide what can be cached at all, and
they price a call only where the price data has no rate of its own (a cache read
priced like plain input, a batch call priced like a standard one).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fnmatch import fnmatchcase

ANTHROPIC_CACHING_SOURCE = "https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching"
OPENAI_CACHING_SOURCE = "https://platform.openai.com/docs/guides/prompt-caching"
GEMINI_CACHING_SOURCE = "https://ai.google.dev/gemini-api/docs/caching"
# Explicit caching: creation billed at the standard input price and storage only for
# explicit caches (Vertex overview), and only a cache's expiry can be updated (REST patch).
GEMINI_EXPLICIT_SOURCES = (
    GEMINI_CACHING_SOURCE,
    "https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/context-cache/"
    "context-cache-overview",
    "https://ai.google.dev/api/rest/v1beta/cachedContents/patch",
)


@dataclass(frozen=True)
class CacheRules:
    """One provider's rules for caching prompt prefixes and billing the cached tokens.

    ``write_*_multiplier`` None means writes carry no fee (billed as plain input).
    ``min_tokens`` is checked in order, first matching model pattern wins.
    """

    provider_family: str
    automatic: bool
    read_multiplier: Decimal
    write_5m_multiplier: Decimal | None
    write_1h_multiplier: Decimal | None
    min_tokens: tuple[tuple[str, int], ...]
    step_tokens: int
    ttl_seconds: dict[str, int]
    max_breakpoints: int | None
    source: str
    read_multipliers_by_model: tuple[tuple[str, Decimal], ...] = ()

    def min_cacheable_tokens(self, model: str) -> int:
        """Return the shortest prefix the provider caches for ``model``."""
        for pattern, tokens in self.min_tokens:
            if fnmatchcase(model, pattern):
                return tokens
        return self.min_tokens[-1][1]

    def read_multiplier_for(self, model: str) -> Decimal:
        """Return the documented cache read price as a share of the input price."""
        for pattern, multiplier in self.read_multipliers_by_model:
            if fnmatchcase(model, pattern):
                return multiplier
        return self.read_multiplier

    def cacheable(self, prefix_tokens: int) -> int:
        """Round a prefix down to what the provider caches (OpenAI caches in 128-token steps)."""
        return prefix_tokens - prefix_tokens % self.step_tokens


# Anthropic: explicit cache_control breakpoints (at most 4). Writes cost 1.25x input for
# the 5-minute TTL and 2x for 1 hour, reads 0.1x, and the TTL restarts on every hit.
ANTHROPIC = CacheRules(
    provider_family="anthropic",
    automatic=False,
    read_multiplier=Decimal("0.1"),
    write_5m_multiplier=Decimal("1.25"),
    write_1h_multiplier=Decimal("2"),
    min_tokens=(
        ("claude-opus-4-5*", 4096),
        ("claude-haiku-4-5*", 4096),
        ("claude-3-5-haiku*", 2048),
        ("claude-3-haiku*", 2048),
        ("*", 1024),
    ),
    step_tokens=1,
    ttl_seconds={"5m": 300, "1h": 3600},
    max_breakpoints=4,
    source=ANTHROPIC_CACHING_SOURCE,
)

# OpenAI: automatic for prompts of 1,024 tokens or more, cached in 128-token steps, no
# write fee; the read discount depends on the model generation. Caches are kept 5 to 10
# minutes after the last use (up to an hour off-peak); the replay assumes 5 minutes.
OPENAI = CacheRules(
    provider_family="openai",
    automatic=True,
    read_multiplier=Decimal("0.5"),
    write_5m_multiplier=None,
    write_1h_multiplier=None,
    min_tokens=(("*", 1024),),
    step_tokens=128,
    ttl_seconds={"5m": 300, "1h": 300},
    max_breakpoints=None,
    source=OPENAI_CACHING_SOURCE,
    read_multipliers_by_model=(
        ("gpt-5*", Decimal("0.1")),
        ("gpt-4.1*", Decimal("0.25")),
        ("o3*", Decimal("0.25")),
        ("o4-mini*", Decimal("0.25")),
        ("gpt-4o*", Decimal("0.5")),
        ("o1*", Decimal("0.5")),
    ),
)

# Gemini implicit caching: automatic, no write fee and no storage fee, cached tokens at
# 0.1x input on 2.5 models (0.25x on 2.0), minimum 1,024 tokens on Flash and 4,096 on Pro.
# Explicit caching adds storage billed per token-hour (TTL default 1 hour).
GEMINI = CacheRules(
    provider_family="gemini",
    automatic=True,
    read_multiplier=Decimal("0.1"),
    write_5m_multiplier=None,
    write_1h_multiplier=None,
    min_tokens=(("gemini-*pro*", 4096), ("*", 1024)),
    step_tokens=1,
    ttl_seconds={"5m": 300, "1h": 3600},
    max_breakpoints=None,
    source=GEMINI_CACHING_SOURCE,
    read_multipliers_by_model=(("gemini-2.0*", Decimal("0.25")),),
)

CACHE_RULES: dict[str, CacheRules] = {
    "anthropic": ANTHROPIC,
    "openai": OPENAI,
    "azure-openai": OPENAI,
    "gemini": GEMINI,
    "vertex": GEMINI,
}


@dataclass(frozen=True)
class BatchRules:
    """A provider's batch API: the price as a share of standard, and cache stacking."""

    multiplier: Decimal
    stacks_with_cache: bool
    source: str


# All three bill batch calls at 50% of the standard rates and return results within
# 24 hours. Anthropic and OpenAI apply the batch discount to cached tokens too; Google
# bills cached tokens of batch requests at the standard cache rate.
BATCH_RULES: dict[str, BatchRules] = {
    "anthropic": BatchRules(
        Decimal("0.5"),
        True,
        "https://docs.anthropic.com/en/docs/build-with-claude/batch-processing",
    ),
    "openai": BatchRules(Decimal("0.5"), True, "https://platform.openai.com/docs/guides/batch"),
    "azure-openai": BatchRules(
        Decimal("0.5"), True, "https://learn.microsoft.com/azure/ai-services/openai/how-to/batch"
    ),
    "gemini": BatchRules(Decimal("0.5"), False, "https://ai.google.dev/gemini-api/docs/batch-mode"),
    "vertex": BatchRules(
        Decimal("0.5"),
        False,
        "https://cloud.google.com/vertex-ai/generative-ai/docs/multimodal/batch-prediction-gemini",
    ),
}
