"""The registry of optimizations, keyed by name, in the order they are combined."""

from __future__ import annotations

import contextlib
import importlib

from truecost.errors import InputError
from truecost.savings.base import Optimization

_REGISTRY: dict[str, Optimization] = {}
# The order of the combined replay: calls avoided first, then cheaper models, fewer
# tokens, cheaper tokens and cheaper calls. Names not listed follow in registration order.
COMBINED_ORDER = (
    "semantic_cache",
    "routing",
    "prompt_length",
    "output_length",
    "prompt_caching",
    "batching",
)
_BUILTINS_LOADED = False


def register(optimization: Optimization) -> Optimization:
    """Add ``optimization`` (replacing one of the same name) and return it."""
    _REGISTRY[optimization.name] = optimization
    return optimization


def _load_builtins() -> None:
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return
    _BUILTINS_LOADED = True
    # Importing a module registers its optimization.
    from truecost.savings import (  # noqa: F401
        batching,
        output_length,
        prompt_caching,
        prompt_length,
        routing,
    )

    # The semantic cache plug-in is optional: it may be absent or miss its extra packages.
    with contextlib.suppress(ModuleNotFoundError):
        importlib.import_module("truecost.savings.semantic_cache")


def optimization_names() -> list[str]:
    """Return the names of every registered optimization, in the order they are combined."""
    _load_builtins()
    rank = {name: index for index, name in enumerate(COMBINED_ORDER)}
    return sorted(_REGISTRY, key=lambda name: rank.get(name, len(rank)))


def get_optimization(name: str) -> Optimization:
    """Return the optimization called ``name``, or raise ``InputError`` listing the valid names."""
    _load_builtins()
    if name not in _REGISTRY:
        raise InputError(f"unknown optimization '{name}'. Use one of: {', '.join(_REGISTRY)}.")
    return _REGISTRY[name]
