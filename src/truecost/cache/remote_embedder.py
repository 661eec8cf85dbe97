"""An OpenAI-compatible ``/embeddings`` endpoint, used only when the user configures one."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

import numpy as np

from truecost.cache.embeddings import Embedder, Vectors, normalize_rows, register_embedder
from truecost.cache.errors import EmbeddingError

# OpenAI's embedding models read at most 8,191 tokens; at about 4 characters a token this
# is a conservative character bound, since the endpoint's tokenizer is not available here.
DEFAULT_MAX_CHARS = 24_000


class OpenAIEmbedder:
    """Embeddings from ``POST {base_url}/embeddings`` in the OpenAI request format."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key_env: str | None = "OPENAI_API_KEY",
        dimensions: int | None = None,
        timeout_s: float = 10.0,
        max_chars: int = DEFAULT_MAX_CHARS,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise EmbeddingError(
                f"invalid embeddings base URL {base_url!r}: it must start with http:// or https://"
            )
        self._url = base_url.rstrip("/") + "/embeddings"
        self._model = model
        self._api_key = os.environ.get(api_key_env, "") if api_key_env else ""
        self._timeout_s = timeout_s
        self._max_chars = max_chars
        # 0 until known: the probe call below sets it from the endpoint's response.
        self._dimensions = dimensions or 0
        if not self._dimensions:
            self._dimensions = len(self.embed(["dimension probe"])[0])

    @property
    def id(self) -> str:
        return f"openai-compatible/{self._model}"

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def fits(self, text: str) -> bool:
        return len(text) <= self._max_chars

    def knows_words(self, text: str) -> bool:
        # The endpoint's vocabulary is not known here, so every text counts as known.
        return True

    def embed(self, texts: Sequence[str]) -> Vectors:
        body = json.dumps({"model": self._model, "input": list(texts)}).encode()
        request = urllib.request.Request(self._url, data=body, method="POST")
        request.add_header("Content-Type", "application/json")
        if self._api_key:
            request.add_header("Authorization", f"Bearer {self._api_key}")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout_s) as response:
                payload = json.loads(response.read())
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise EmbeddingError(f"embeddings endpoint {self._url} failed: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise EmbeddingError(f"embeddings endpoint {self._url} returned invalid JSON") from exc
        vectors = _vectors_from(payload, len(texts), self._url)
        if self._dimensions and vectors.shape[1] != self._dimensions:
            raise EmbeddingError(
                f"embeddings endpoint {self._url} returned vectors of {vectors.shape[1]} "
                f"numbers instead of {self._dimensions}; check the model it serves"
            )
        return normalize_rows(vectors)


def _vectors_from(payload: Any, count: int, url: str) -> Vectors:
    try:
        items = sorted(payload["data"], key=lambda item: item["index"])
        rows = [item["embedding"] for item in items]
    except (KeyError, TypeError) as exc:
        raise EmbeddingError(
            f"embeddings endpoint {url} returned no data[].embedding list (missing {exc})"
        ) from exc
    lengths = sorted({len(row) if isinstance(row, list) else -1 for row in rows})
    if -1 in lengths or len(lengths) > 1:
        found = ", ".join("not a list" if n < 0 else str(n) for n in lengths)
        raise EmbeddingError(
            f"embeddings endpoint {url} returned embeddings of different lengths ({found}); "
            "check the model it serves"
        )
    try:
        matrix = np.array(rows, dtype=np.float32)
    except (TypeError, ValueError):
        raise EmbeddingError(
            f"embeddings endpoint {url} returned an embedding with a value that is not a number"
        ) from None
    if matrix.ndim != 2 or matrix.shape[0] != count:
        raise EmbeddingError(f"embeddings endpoint {url} returned {len(items)} vectors for {count}")
    if not np.isfinite(matrix).all():
        raise EmbeddingError(f"embeddings endpoint {url} returned a vector with NaN or infinity")
    return matrix


@register_embedder("openai")
def _openai(**options: Any) -> Embedder:
    if "base_url" not in options or "model" not in options:
        raise EmbeddingError("the openai backend needs base_url and model options")
    return OpenAIEmbedder(**options)
