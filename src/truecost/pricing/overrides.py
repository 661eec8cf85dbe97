"""Price overrides from a TOML file: negotiated discounts, missing tiers, custom models.

A file is a list of ``[[price]]`` tables. Each matches calls by provider and an
``fnmatch`` pattern on the reported model (case-insensitive) within an optional
date range, and either replaces rates of the bundled price or defines a model
the bundled data does not know. Later entries win over earlier ones, and the
user's file wins over the overrides that ship with truecost::

    [[price]]
    provider = "anthropic"
    model = "claude-sonnet-4-2*"
    since = 2025-05-22
    [[price.tiers]]
    above_prompt_tokens = 200000
    input_usd_per_mtok = "6"
    output_usd_per_mtok = "22.50"
"""

from __future__ import annotations

import difflib
import fnmatch
import tomllib
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from truecost.errors import ConfigError

NonNegative = Field(default=None, ge=0)


class TierRates(BaseModel):
    """Rates in USD per million tokens (``web_search_usd`` and ``request_usd`` per call)."""

    model_config = ConfigDict(extra="forbid")

    input_usd_per_mtok: Decimal | None = NonNegative
    cache_read_usd_per_mtok: Decimal | None = NonNegative
    cache_write_5m_usd_per_mtok: Decimal | None = NonNegative
    cache_write_1h_usd_per_mtok: Decimal | None = NonNegative
    output_usd_per_mtok: Decimal | None = NonNegative
    reasoning_usd_per_mtok: Decimal | None = NonNegative
    input_audio_usd_per_mtok: Decimal | None = NonNegative
    output_audio_usd_per_mtok: Decimal | None = NonNegative
    web_search_usd: Decimal | None = NonNegative
    request_usd: Decimal | None = NonNegative

    def rate_map(self) -> dict[str, Decimal]:
        """Return the rates given, keyed by the names of ``truecost.pricing.rates.ALL_RATES``."""
        names = {
            "input_usd_per_mtok": "input",
            "cache_read_usd_per_mtok": "cache_read",
            "cache_write_5m_usd_per_mtok": "cache_write_5m",
            "cache_write_1h_usd_per_mtok": "cache_write_1h",
            "output_usd_per_mtok": "output",
            "reasoning_usd_per_mtok": "reasoning",
            "input_audio_usd_per_mtok": "input_audio",
            "output_audio_usd_per_mtok": "output_audio",
            "web_search_usd": "web_search",
            "request_usd": "request",
        }
        rates: dict[str, Decimal] = {}
        for key, name in names.items():
            value = getattr(self, key)
            if value is not None:
                rates[name] = value
        return rates


class Tier(TierRates):
    """Rates for requests whose prompt is above ``above_prompt_tokens``."""

    above_prompt_tokens: int = Field(gt=0)


class PriceOverride(TierRates):
    """One ``[[price]]`` entry of an override file."""

    provider: str | None = None
    model: str
    since: date | None = None
    until: date | None = None
    batch: bool | None = None
    batch_multiplier: Decimal | None = Field(default=None, gt=0, le=1)
    discount: Decimal | None = Field(default=None, ge=0, lt=1)
    usd_per_hour: Decimal | None = NonNegative
    tiers: list[Tier] = Field(default_factory=list)
    note: str | None = None

    @model_validator(mode="after")
    def _since_before_until(self) -> PriceOverride:
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise ValueError(
                f"since {self.since} is not before until {self.until}, so the entry never applies"
            )
        return self

    @field_validator("model")
    @classmethod
    def _model_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("model must not be empty")
        return value

    def matches(self, provider: str, model: str, when: datetime, batch: bool) -> bool:
        """Return True when this entry applies to a call."""
        if self.provider is not None and self.provider.lower() != provider.lower():
            return False
        if not fnmatch.fnmatchcase(model.lower(), self.model.lower()):
            return False
        day = when.astimezone(UTC).date()
        if self.since is not None and day < self.since:
            return False
        if self.until is not None and day >= self.until:
            return False
        return self.batch is None or self.batch == batch

    @property
    def defines_prices(self) -> bool:
        """Return True when the entry gives rates, so it can price a model on its own."""
        return bool(self.rate_map()) or self.usd_per_hour is not None


class OverrideFile(BaseModel):
    """The whole override file."""

    model_config = ConfigDict(extra="forbid")

    price: list[PriceOverride] = Field(default_factory=list)


def load_overrides(path: Path) -> list[PriceOverride]:
    """Read and validate an override file, raising ``ConfigError`` that names the bad key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: price override file not found.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}. Fix the syntax and try again.") from None
    try:
        return OverrideFile.model_validate(raw).price
    except ValidationError as exc:
        raise ConfigError(format_validation_error(path, exc, PriceOverride)) from None


def format_validation_error(path: Path, exc: ValidationError, model: type[BaseModel]) -> str:
    """Turn a pydantic error into one line that names the key and, for a typo, the closest key."""
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"])
    if first["type"] == "extra_forbidden":
        key = str(first["loc"][-1])
        close = difflib.get_close_matches(key, _all_fields(model), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return f"{path}: unknown key '{location}'.{hint}"
    value = first.get("input")
    repeated = "got " in str(first["msg"])
    shown = (
        f" (got {value!r})"
        if value is not None and not isinstance(value, dict) and not repeated
        else ""
    )
    return f"{path}: invalid value for '{location}': {first['msg']}{shown}."


def _all_fields(model: type[BaseModel]) -> list[str]:
    names: list[str] = []
    for name, info in model.model_fields.items():
        names.append(name)
        annotation: Any = info.annotation
        inner = getattr(annotation, "__args__", ())
        for arg in inner:
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                names.extend(_all_fields(arg))
    return names + list(Tier.model_fields)
