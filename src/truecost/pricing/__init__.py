"""Pricing: the rates of each call from bundled data and overrides, applied in bulk in SQL."""

from truecost.pricing.catalog import PriceCatalog
from truecost.pricing.rates import Band, ResolvedPrice, cost_usd

__all__ = ["Band", "PriceCatalog", "ResolvedPrice", "cost_usd"]
