"""Resolved prices: the per-token rates that apply to one call, in bands of prompt size."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

# Rate names, each in USD per million units (so micro-dollars per unit), except
# the per-call rates ``web_search`` and ``request``, which are in USD per call.
TOKEN_RATES = (
    "input",
    "cache_read",
    "cache_write_5m",
    "cache_write_1h",
    "output",
    "reasoning",
    "input_audio",
    "output_audio",
)
CALL_RATES = ("web_search", "request")
ALL_RATES = TOKEN_RATES + CALL_RATES


@dataclass(frozen=True, slots=True)
class Band:
    """Rates for calls whose prompt (all input tokens, cached or not) is above ``above_prompt_tokens``.

    ``rates`` maps each name of ``ALL_RATES`` to its price. Token rates are USD
    per million tokens; ``web_search`` and ``request`` are USD per call.
    """

    above_prompt_tokens: int
    rates: dict[str, Decimal]


@dataclass(frozen=True, slots=True)
class ResolvedPrice:
    """The prices of one model for one kind of call at one time.

    ``bands`` are sorted by ``above_prompt_tokens``; the last band whose
    threshold the prompt exceeds prices the whole request. ``usd_per_hour``
    is spread evenly over the calls of the same model in each clock hour.
    """

    model_id: str
    source: str
    bands: tuple[Band, ...]
    usd_per_hour: Decimal = Decimal(0)
    multiplier: Decimal = Decimal(1)
    notes: tuple[str, ...] = field(default=())
    # A batch multiplier from an override, and its note, applied to the token rates once
    # every override has been read, so that a later one replaces an earlier one.
    batch_fill: tuple[Decimal, str] | None = None

    def band_for(self, prompt_tokens: int) -> Band:
        """Return the band that prices a request with ``prompt_tokens`` input tokens."""
        chosen = self.bands[0]
        for band in self.bands:
            if prompt_tokens > band.above_prompt_tokens:
                chosen = band
        return chosen

    def scaled(self, factor: Decimal, note: str) -> ResolvedPrice:
        """Return a copy with every rate multiplied by ``factor``."""
        return replace(self, multiplier=self.multiplier * factor, notes=(*self.notes, note))

    def tokens_scaled(self, factor: Decimal, note: str) -> ResolvedPrice:
        """Return a copy with the token rates multiplied by ``factor``, per-call fees kept."""
        bands = tuple(
            Band(
                band.above_prompt_tokens,
                {
                    name: rate * factor if name in TOKEN_RATES else rate
                    for name, rate in band.rates.items()
                },
            )
            for band in self.bands
        )
        return replace(self, bands=bands, notes=(*self.notes, note))


def fill_fallbacks(rates: dict[str, Decimal | None]) -> dict[str, Decimal]:
    """Complete a rate map the way providers bill a unit that has no price of its own.

    Cache reads and writes without a price are billed as plain input; a 1-hour
    cache write without a price falls back to the 5-minute one; reasoning and
    audio tokens without a price are billed as text of their direction.
    """
    zero = Decimal(0)
    input_rate = rates.get("input") or zero
    output_rate = rates.get("output") or zero
    cache_write_5m = rates.get("cache_write_5m")
    if cache_write_5m is None:
        cache_write_5m = input_rate
    cache_write_1h = rates.get("cache_write_1h")
    if cache_write_1h is None:
        cache_write_1h = cache_write_5m
    filled = {
        "input": input_rate,
        "cache_read": _first(rates.get("cache_read"), input_rate),
        "cache_write_5m": cache_write_5m,
        "cache_write_1h": cache_write_1h,
        "output": output_rate,
        "reasoning": _first(rates.get("reasoning"), output_rate),
        "input_audio": _first(rates.get("input_audio"), input_rate),
        "output_audio": _first(rates.get("output_audio"), output_rate),
        "web_search": _first(rates.get("web_search"), zero),
        "request": _first(rates.get("request"), zero),
    }
    return filled


def _first(value: Decimal | None, default: Decimal) -> Decimal:
    return default if value is None else value


def cost_usd(price: ResolvedPrice, counts: dict[str, int], calls_in_hour: int = 1) -> Decimal:
    """Price one call exactly. ``counts`` uses the ledger's column names.

    This is the reference implementation of the SQL in ``truecost.pricing.apply``;
    tests check that both agree.
    """
    prompt = (
        counts.get("input_tokens", 0)
        + counts.get("cache_read_tokens", 0)
        + counts.get("cache_write_5m_tokens", 0)
        + counts.get("cache_write_1h_tokens", 0)
    )
    r = price.band_for(prompt).rates
    input_audio = counts.get("input_audio_tokens", 0)
    output_audio = counts.get("output_audio_tokens", 0)
    reasoning = counts.get("reasoning_tokens", 0)
    micro = (
        (counts.get("input_tokens", 0) - input_audio) * r["input"]
        + input_audio * r["input_audio"]
        + counts.get("cache_read_tokens", 0) * r["cache_read"]
        + counts.get("cache_write_5m_tokens", 0) * r["cache_write_5m"]
        + counts.get("cache_write_1h_tokens", 0) * r["cache_write_1h"]
        + (counts.get("output_tokens", 0) - reasoning - output_audio) * r["output"]
        + reasoning * r["reasoning"]
        + output_audio * r["output_audio"]
    )
    usd = micro / Decimal(1_000_000)
    usd += counts.get("web_searches", 0) * r["web_search"] + r["request"]
    if price.usd_per_hour and calls_in_hour > 0:
        usd += price.usd_per_hour / calls_in_hour
    return usd * price.multiplier
