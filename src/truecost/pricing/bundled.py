"""Prices from the genai-prices package's bundled data; nothing is fetched at run time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache
from importlib.metadata import version

from genai_prices import types as gp
from genai_prices.data_snapshot import get_snapshot

from truecost.pricing.rates import Band, ResolvedPrice, fill_fallbacks

# Our provider names that genai-prices spells differently. Providers missing
# here and in genai-prices are priced by the model name alone.
PROVIDER_ALIASES = {
    "bedrock": "aws",
    "gemini": "google",
    "vertex": "google",
    "azure-openai": "azure",
}

# genai-prices price keys behind each of our rate names.
_PRICE_KEYS = {
    "input": "input_mtok",
    "cache_read": "cache_read_mtok",
    "cache_write_5m": "cache_write_mtok",
    "cache_write_1h": "cache_write_1h_mtok",
    "output": "output_mtok",
    "reasoning": "output_reasoning_mtok",
    "input_audio": "input_audio_mtok",
    "output_audio": "output_audio_mtok",
}
_PER_THOUSAND_KEYS = {"web_search": "web_searches_kcount", "request": "requests_kcount"}


@lru_cache(maxsize=1)
def data_version() -> str:
    """Return the genai-prices version whose bundled data prices calls."""
    return f"genai-prices {version('genai-prices')}"


@lru_cache(maxsize=4096)
def find_model(provider: str, model: str) -> tuple[str, gp.ModelInfo] | None:
    """Return ``(provider_id, model_info)`` for a reported model, or None when unknown."""
    snapshot = get_snapshot()
    provider_id = PROVIDER_ALIASES.get(provider, provider)
    attempts: list[tuple[str | None, str]] = [(provider_id, model), (None, model)]
    # Gemini's REST API reports some models as "models/gemini-2.5-pro".
    if model.startswith("models/"):
        attempts.append((provider_id, model.removeprefix("models/")))
    # Routers (OpenRouter, LiteLLM) name models "vendor/model"; the vendor's own
    # price is the next best source when the router's price list lacks the model.
    vendor, slash, vendor_model = model.partition("/")
    if slash and vendor_model:
        attempts.append((vendor, vendor_model))
    for candidate_provider, candidate_model in attempts:
        try:
            found_provider, info = snapshot.find_provider_model(
                candidate_model, None, candidate_provider, None
            )
        except LookupError:
            continue
        return found_provider.id, info
    return None


def has_batch_price(info: gp.ModelInfo, when: datetime) -> bool:
    """Return True when the data has a batch price for the model at ``when``."""
    for variant in info.price_variants or ():
        if variant.when.get("processing") != "batch":
            continue
        if variant.constraint is None or variant.constraint.active(when):
            return True
    return False


def resolve(
    provider: str, model: str, when: datetime, batch: bool, service_tier: str | None
) -> ResolvedPrice | None:
    """Return the bundled price of one kind of call at ``when``, or None when the model is unknown."""
    found = find_model(provider, model)
    if found is None:
        return None
    provider_id, info = found
    context: dict[str, str] = {}
    if batch:
        context["processing"] = "batch"
    if service_tier:
        context["service_tier"] = service_tier
    notes: list[str] = []
    priced_at = when
    tier_start = _later_tier_start(info, service_tier, when) if service_tier else None
    if tier_start is not None:
        priced_at = datetime.combine(tier_start, time(), UTC)
        notes.append(
            f"{service_tier} price of {tier_start:%Y-%m-%d}, the first the bundled data has, "
            "applied to an earlier call"
        )
    model_price = info.get_prices(priced_at, context or None)
    if not any(getattr(model_price, key, None) is not None for key in _PRICE_KEYS.values()):
        # The data lists some models with no prices at all; billing them $0 would hide them.
        return None
    if batch and not has_batch_price(info, when):
        notes.append("no batch price in the bundled data")
    return ResolvedPrice(
        model_id=f"{provider_id}/{info.id}",
        source=data_version(),
        bands=bands_from_model_price(model_price),
        notes=tuple(notes),
    )


def _later_tier_start(info: gp.ModelInfo, service_tier: str, when: datetime) -> date | None:
    """Return the day the data's price for ``service_tier`` starts, when that is after ``when``.

    The bundled data dates the OpenAI flex and priority prices from 2026-10-12, but those
    tiers were billed earlier too. An earlier call of such a tier gets the first price the
    data has, rather than the standard one.
    """
    for variant in info.price_variants or ():
        if variant.when != {"service_tier": service_tier}:
            continue
        constraint = variant.constraint
        if isinstance(constraint, gp.StartDateConstraint) and when.date() < constraint.start_date:
            return constraint.start_date
    return None


def bands_from_model_price(model_price: gp.ModelPrice) -> tuple[Band, ...]:
    """Split a genai-prices ``ModelPrice`` into bands of flat rates at each tier threshold."""
    raw: dict[str, Decimal | gp.TieredPrices | None] = {}
    for name, key in {**_PRICE_KEYS, **_PER_THOUSAND_KEYS}.items():
        raw[name] = getattr(model_price, key, None)
    if raw["cache_write_5m"] is None:
        raw["cache_write_5m"] = getattr(model_price, "cache_write_5m_mtok", None)
    thresholds = sorted(
        {
            tier.start
            for value in raw.values()
            if isinstance(value, gp.TieredPrices)
            for tier in value.tiers
        }
    )
    bands: list[Band] = []
    for threshold in [0, *thresholds]:
        rates: dict[str, Decimal | None] = {}
        for name, value in raw.items():
            rate = _rate_above(value, threshold)
            if rate is not None and name in _PER_THOUSAND_KEYS:
                rate = rate / 1000
            rates[name] = rate
        bands.append(Band(above_prompt_tokens=threshold, rates=fill_fallbacks(rates)))
    return tuple(bands)


def _rate_above(value: Decimal | gp.TieredPrices | None, threshold: int) -> Decimal | None:
    """Return the rate that applies once the prompt is above ``threshold`` tokens."""
    if value is None or isinstance(value, Decimal):
        return value
    rate = value.base
    for tier in value.tiers:
        if threshold >= tier.start and threshold > 0:
            rate = tier.price
    return rate


@lru_cache(maxsize=4096)
def has_time_of_day_prices(provider: str, model: str) -> bool:
    """Return True when the model's bundled price changes with the time of day (off-peak rates)."""
    found = find_model(provider, model)
    if found is None or isinstance(found[1].prices, gp.ModelPrice):
        return False
    return any(isinstance(p.constraint, gp.TimeOfDateConstraint) for p in found[1].prices)
