"""The price catalog: bundled prices, then the shipped overrides, then the user's overrides."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

from truecost.pricing import bundled
from truecost.pricing.overrides import PriceOverride, load_overrides
from truecost.pricing.rates import Band, ResolvedPrice, fill_fallbacks

NO_BATCH_PRICE = "no batch price in the bundled data"

# Part of the price fingerprint: raise it when a change to truecost's pricing code
# changes the cost of stored records, so ledgers are repriced on their next open.
PRICING_LOGIC_VERSION = 10


def shipped_overrides_path() -> Path:
    """Return the override file that ships with truecost for known gaps in the bundled data."""
    return Path(str(files("truecost") / "data" / "price_overrides.toml"))


class PriceCatalog:
    """Resolves the price of a call from the bundled data and override files.

    ``override_paths`` are applied after the shipped overrides, in order, so the
    last file and, within it, the last matching entry win.
    """

    def __init__(
        self, override_paths: list[Path] | None = None, *, use_shipped: bool = True
    ) -> None:
        self._paths = ([shipped_overrides_path()] if use_shipped else []) + list(
            override_paths or []
        )
        self._entries: list[tuple[str, PriceOverride]] = []
        for path in self._paths:
            for index, entry in enumerate(load_overrides(path), start=1):
                self._entries.append((f"{path.name}#{index}", entry))
        self._cache: dict[tuple[str, str, datetime, bool, str | None], ResolvedPrice | None] = {}

    @property
    def fingerprint(self) -> str:
        """Return a hash of the price data version and every override file's contents."""
        digest = hashlib.sha256(f"{bundled.data_version()} logic {PRICING_LOGIC_VERSION}".encode())
        for path in self._paths:
            digest.update(path.read_bytes())
        return digest.hexdigest()[:16]

    def resolve(
        self,
        provider: str,
        model: str,
        when: datetime,
        batch: bool = False,
        service_tier: str | None = None,
    ) -> ResolvedPrice | None:
        """Return the price of a call, or None when neither the data nor an override has a price for the model."""
        key = (provider, model, when, batch, service_tier)
        if key not in self._cache:
            self._cache[key] = self._resolve(provider, model, when, batch, service_tier)
        return self._cache[key]

    def _resolve(
        self, provider: str, model: str, when: datetime, batch: bool, service_tier: str | None
    ) -> ResolvedPrice | None:
        price = bundled.resolve(provider, model, when, batch, service_tier)
        for label, entry in self._entries:
            if entry.matches(provider, model, when, batch):
                price = _apply_override(price, entry, label, model, batch)
        if price is not None and price.batch_fill is not None:
            factor, note = price.batch_fill
            price = replace(price, batch_fill=None).tokens_scaled(factor, note)
        return price


def _apply_override(
    price: ResolvedPrice | None, entry: PriceOverride, label: str, model: str, batch: bool
) -> ResolvedPrice | None:
    """Apply one matching override entry to the price resolved so far."""
    if price is None:
        if not entry.defines_prices:
            # A discount or batch multiplier alone cannot price an unknown model.
            return None
        given = entry.rate_map()
        notes = [f"priced by override {label}"]
        token_rates = [name for name in given if name not in ("web_search", "request")]
        for needed in ("input", "output"):
            if token_rates and needed not in given:
                notes.append(
                    f"override {label} gives no {needed} price: {needed} tokens billed at $0"
                )
        price = ResolvedPrice(
            model_id=f"custom/{model}",
            source=f"override {label}",
            bands=(Band(0, fill_fallbacks(dict(given))),),
            notes=tuple(notes),
        )
    else:
        price = replace(price, source=f"{price.source} + override {label}")
        if entry.rate_map():
            price = replace(price, notes=(*price.notes, f"rates from override {label}"))
        price = _merge_rates(price, entry)
    if entry.usd_per_hour is not None:
        price = replace(price, usd_per_hour=entry.usd_per_hour)
    unfilled = NO_BATCH_PRICE in price.notes or price.batch_fill is not None
    if entry.batch_multiplier is not None and batch and unfilled:
        kept_notes = tuple(n for n in price.notes if n != NO_BATCH_PRICE)
        # Batch discounts apply to tokens, and web searches cost the same in a batch. A later
        # override's multiplier replaces an earlier one's, because a user's file follows ours.
        note = f"batch price = {entry.batch_multiplier} x standard tokens ({label})"
        price = replace(price, notes=kept_notes, batch_fill=(entry.batch_multiplier, note))
    if entry.discount is not None:
        price = price.scaled(
            Decimal(1) - entry.discount, f"negotiated discount {entry.discount} ({label})"
        )
    return price


# Rates that default to another rate when the price data gives them none.
_DERIVED_RATES = {
    "reasoning": "output",
    "output_audio": "output",
    "input_audio": "input",
}


def _merge_rates(price: ResolvedPrice, entry: PriceOverride) -> ResolvedPrice:
    """Overlay the entry's base rates on every band and its tiers on their own thresholds."""
    base_overlay = entry.rate_map()
    bands = {band.above_prompt_tokens: dict(band.rates) for band in price.bands}
    for rates in bands.values():
        rates.update(base_overlay)
    for tier in entry.tiers:
        below = price.band_for(tier.above_prompt_tokens)
        tier_rates = bands.get(tier.above_prompt_tokens, dict(below.rates))
        given = tier.rate_map()
        # A rate that only followed its parent (reasoning billed as output, say) keeps following it.
        for child, parent in _DERIVED_RATES.items():
            if child not in given and parent in given and tier_rates[child] == below.rates[parent]:
                given[child] = given[parent]
        tier_rates.update(given)
        bands[tier.above_prompt_tokens] = tier_rates
    merged = tuple(Band(threshold, bands[threshold]) for threshold in sorted(bands))
    return replace(price, bands=merged)
