"""The scenario file of ``truecost plan``: a feature before launch, described by its token math.

Every number may be a range (``"300-500"``); shares are between 0 and 1. The
full key list with units is in ``docs/planning.md``::

    model = "claude-sonnet-4-20250514"
    provider = "anthropic"
    requests_per_day = 10000
    system_prompt_tokens = 1500
    turns_per_conversation = "3-7"
    retrieved_chunks = 4
    tokens_per_chunk = 250
    user_message_tokens = 100
    output_tokens = "300-500"
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from truecost.analyses.uncertainty import DEFAULT_SAMPLES, DEFAULT_SEED
from truecost.config.coststack import FeatureStack
from truecost.config.loader import read_toml, validate_file
from truecost.config.values import Range, RangeValue, ShareValue

ZERO_RANGE = Range.exact(0)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Route(_Strict):
    """One model of a routing mix and the share of requests it serves."""

    provider: str
    model: str
    share: Decimal = Field(gt=0, le=1)


class FlatEstimate(_Strict):
    """The estimate people usually make: tokens per request (or conversation) at the input rate."""

    tokens_per_request: Decimal | None = Field(default=None, gt=0)
    tokens_per_conversation: Decimal | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one(self) -> Self:
        if (self.tokens_per_request is None) == (self.tokens_per_conversation is None):
            raise ValueError("give exactly one of tokens_per_request or tokens_per_conversation")
        return self


class Simulation(_Strict):
    """Monte Carlo settings: draws per run and the generator seed."""

    samples: int = Field(default=DEFAULT_SAMPLES, ge=100, le=1_000_000)
    seed: int = Field(default=DEFAULT_SEED, ge=0)


class Scenario(_Strict):
    """What a feature will do per day, per conversation and per request."""

    name: str = ""
    description: str = ""
    assumptions: list[str] = Field(default_factory=list)
    provider: str | None = None
    model: str | None = None
    routing: list[Route] = Field(default_factory=list)
    price_date: date | None = None
    requests_per_day: RangeValue | None = None
    conversations_per_day: RangeValue | None = None
    days_per_month: Decimal = Field(default=Decimal(30), gt=0, le=31)
    outcome_unit: str = "conversation"
    turns_per_conversation: RangeValue = Range.exact(1)
    system_prompt_tokens: RangeValue = ZERO_RANGE
    retrieved_chunks: RangeValue = ZERO_RANGE
    tokens_per_chunk: RangeValue = ZERO_RANGE
    user_message_tokens: RangeValue
    output_tokens: RangeValue
    prompt_cache_hit_share: ShareValue = ZERO_RANGE
    batch_share: ShareValue = ZERO_RANGE
    semantic_cache_hit_share: ShareValue = ZERO_RANGE
    coststack: FeatureStack | None = None
    flat_estimate: FlatEstimate | None = None
    simulation: Simulation = Field(default_factory=Simulation)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if (self.requests_per_day is None) == (self.conversations_per_day is None):
            raise ValueError(
                "give exactly one of requests_per_day or conversations_per_day, the daily volume"
            )
        volume = self.requests_per_day or self.conversations_per_day
        if volume is not None and volume.low <= 0:
            raise ValueError("the daily volume must be above 0")
        if self.turns_per_conversation.low < 1:
            raise ValueError("turns_per_conversation must be 1 or more")
        if self.routing and (self.model or self.provider):
            raise ValueError("give either model and provider, or a routing list, not both")
        if not self.routing and not (self.model and self.provider):
            raise ValueError("missing model and provider (or a routing list of models and shares)")
        if self.routing and sum(route.share for route in self.routing) != 1:
            shares = " + ".join(str(route.share) for route in self.routing)
            raise ValueError(f"routing shares must add up to 1, got {shares}")
        return self

    def routes(self) -> list[Route]:
        """Return the models requests go to, a single model as a route of share 1."""
        if self.routing:
            return list(self.routing)
        assert self.provider is not None and self.model is not None
        return [Route(provider=self.provider, model=self.model, share=Decimal(1))]


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file, raising ``ConfigError`` naming the file and key."""
    return validate_file(path, read_toml(path, "scenario file"), Scenario)
