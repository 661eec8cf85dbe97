"""The prices a scenario's token math uses: per-token rates of each routed model."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from genai_prices.data_snapshot import get_snapshot

from truecost.analyses.plan_scenario import Route
from truecost.errors import ConfigError
from truecost.pricing import PriceCatalog, ResolvedPrice
from truecost.pricing.bundled import PROVIDER_ALIASES

PER_MTOK = Decimal(1_000_000)


@dataclass(frozen=True)
class TokenRates:
    """USD per token of one model for one kind of call, the price multiplier applied."""

    input: Decimal
    cache_read: Decimal
    cache_write: Decimal
    output: Decimal

    @classmethod
    def from_price(cls, price: ResolvedPrice, prompt_tokens: int) -> TokenRates:
        """Take the band that prices a prompt of ``prompt_tokens`` tokens."""
        rates = price.band_for(prompt_tokens).rates
        factor = price.multiplier / PER_MTOK
        return cls(
            input=rates["input"] * factor,
            cache_read=rates["cache_read"] * factor,
            cache_write=rates["cache_write_5m"] * factor,
            output=rates["output"] * factor,
        )


@dataclass(frozen=True)
class RoutePrice:
    """A routed model, its share of requests, and its standard and batch rates."""

    route: Route
    model_id: str
    standard: TokenRates
    batch: TokenRates
    notes: tuple[str, ...]


def price_routes(
    catalog: PriceCatalog, routes: list[Route], when: date, prompt_tokens: int, source: str
) -> list[RoutePrice]:
    """Resolve every route's prices at ``when``, raising ``ConfigError`` for an unknown model.

    ``prompt_tokens`` picks the long-context band; it is the mean prompt of a request.
    """
    moment = datetime(when.year, when.month, when.day, tzinfo=UTC)
    priced: list[RoutePrice] = []
    for index, route in enumerate(routes):
        standard = catalog.resolve(route.provider, route.model, moment)
        batch = catalog.resolve(route.provider, route.model, moment, batch=True)
        if standard is None or batch is None:
            raise ConfigError(_unknown_model_message(source, route, index, len(routes) > 1))
        priced.append(
            RoutePrice(
                route=route,
                model_id=standard.model_id,
                standard=TokenRates.from_price(standard, prompt_tokens),
                batch=TokenRates.from_price(batch, prompt_tokens),
                notes=tuple(dict.fromkeys((*standard.notes, *batch.notes))),
            )
        )
    return priced


def _unknown_model_message(source: str, route: Route, index: int, routed: bool) -> str:
    key = f"routing.{index}.model" if routed else "model"
    known = known_models(route.provider)
    close = difflib.get_close_matches(route.model, known, n=3, cutoff=0.5)
    if close:
        hint = f"Did you mean {', '.join(repr(c) for c in close)}?"
    elif not known:
        hint = f"The price data has no provider '{route.provider}'; check 'provider'."
    else:
        hint = "Use a model of the price data, or add it to a --prices file."
    return f"{source}: unknown model '{route.model}' for provider '{route.provider}' (key '{key}'). {hint}"


def known_models(provider: str) -> list[str]:
    """Return the model ids the bundled price data has for ``provider``."""
    wanted = PROVIDER_ALIASES.get(provider, provider)
    for candidate in get_snapshot().providers:
        if candidate.id == wanted:
            return [model.id for model in candidate.models]
    return []
