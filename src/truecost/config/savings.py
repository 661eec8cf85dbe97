"""The ``[savings]`` section: what the savings replay needs to know about the team's traffic.

Example::

    [savings]
    not_realtime_features = ["nightly-summaries"]
    cache_ttl = "5m"

    [savings.static_prefix_tokens]
    support-bot = 2400            # tokens every request of the feature starts with

    [savings.tiers]
    simple = "anthropic:claude-3-5-haiku-20241022"
    standard = "anthropic:claude-sonnet-4-20250514"
    complex = "anthropic:claude-opus-4-1-20250805"
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

TIER_NAMES = ("simple", "standard", "complex")
TierName = Literal["simple", "standard", "complex"]


class ModelTarget(BaseModel):
    """A model requests of one tier would go to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: str
    model: str

    @classmethod
    def parse(cls, value: str) -> ModelTarget:
        """Parse ``provider:model``, raising ``ValueError`` naming the expected form."""
        provider, sep, model = value.partition(":")
        if not sep or not provider.strip() or not model.strip():
            raise ValueError(
                f"expected 'provider:model', for example 'openai:gpt-4o-mini', got {value!r}"
            )
        return cls(provider=provider.strip(), model=model.strip())

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}"


class SavingsConfig(BaseModel):
    """Options of ``truecost savings``; every one has a default, so the section is optional."""

    model_config = ConfigDict(extra="forbid")

    # Optimizations to run, in the order they are combined; empty = all registered ones.
    optimizations: list[str] = Field(default_factory=list)
    # Tier name -> "provider:model" that requests of the tier would go to.
    tiers: dict[TierName, ModelTarget] = Field(default_factory=dict)
    # Features whose requests can wait for a batch (up to 24 hours).
    not_realtime_features: list[str] = Field(default_factory=list)
    # Feature -> tokens of the static prefix (system prompt, tools) its requests share.
    static_prefix_tokens: dict[str, int] = Field(default_factory=dict)
    # Feature -> file holding its system prompt, for prompt analysis without logged texts.
    system_prompt_files: dict[str, Path] = Field(default_factory=dict)
    # JSON Lines of prompts labelled with whether the weak (and the strong) model answered
    # right; when set, routing trains a classifier on them instead of the hand-set weights.
    routing_labels: Path | None = None
    # With a trained classifier, a request goes to the simple tier when the fitted
    # probability that the weak model loses no right answer on it is at least this.
    routing_min_weak_probability: float = Field(default=0.8, gt=0, lt=1)
    # Cache lifetime assumed for the prompt caching replay ("5m" or "1h" at Anthropic).
    cache_ttl: Literal["5m", "1h"] = "5m"
    # A feature with fewer records than this is not judged.
    min_records: int = Field(default=20, ge=1)
    # A feature is bulk traffic when this share of its requests follows the previous one
    # within bulk_gap_seconds.
    bulk_gap_seconds: float = Field(default=2.0, gt=0)
    bulk_share: float = Field(default=0.8, gt=0, le=1)
    # Output cap as a percentile of the feature's output lengths.
    output_cap_percentile: int = Field(default=90, ge=1, le=99)
    # Gemini explicit caching storage price; the price data has none, so explicit caching
    # is compared with implicit caching only when this is set.
    gemini_storage_usd_per_mtok_hour: Decimal | None = Field(default=None, ge=0)
    # Lifetime of a Gemini explicit cache after its last use (the API's default TTL is 1 hour).
    gemini_explicit_ttl_seconds: int = Field(default=3600, gt=0)

    @field_validator("tiers", mode="before")
    @classmethod
    def _parse_tiers(cls, value: object) -> object:
        if not isinstance(value, dict):
            return value
        parsed: dict[object, object] = {}
        for name, target in value.items():
            parsed[name] = ModelTarget.parse(target) if isinstance(target, str) else target
        return parsed

    @field_validator("static_prefix_tokens")
    @classmethod
    def _positive_prefixes(cls, value: dict[str, int]) -> dict[str, int]:
        for feature, tokens in value.items():
            if tokens <= 0:
                raise ValueError(
                    f"static prefix of '{feature}' must be above 0 tokens, got {tokens}"
                )
        return value
