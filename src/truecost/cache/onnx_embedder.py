"""The default embedding backend: all-MiniLM-L6-v2 computed in int8 on onnxruntime.

The model (Apache-2.0) ships with truecost in ``models/all-minilm-l6-v2``: one ONNX file whose
output is the last hidden state, quantized dynamically by ``scripts/quantize_minilm.py``, and
the model's WordPiece tokenizer. Nothing is downloaded at run time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from truecost.cache.embeddings import Embedder, Vectors, normalize_rows, register_embedder
from truecost.cache.errors import EmbeddingError

MODEL_FOLDER = Path(__file__).parent / "models" / "all-minilm-l6-v2"
TOKENIZER_PATH = MODEL_FOLDER / "tokenizer.json"
# The model has int8 weights per output channel and quantizes activations to int8 on each call.
# Lookups take about 30% less time than with the source model's fp32 products, at about the
# same hit and wrong-hit rates in the cache replays (docs/benchmarks/cache.md).
MODEL_PATH = MODEL_FOLDER / "model-int8-dynamic.onnx"
# all-MiniLM-L6-v2 was trained on inputs of at most 256 word pieces (its sentence_bert_config).
MAX_TOKENS = 256
# One text per run. The default model quantizes activations with one range per run, and
# padding tokens take part in it, so a text embedded beside others got another vector than
# alone. Alone, a text always gets the same vector, in calibration as in a lookup.
# NOTE: onnxruntime picks its int8 kernels by CPU (AVX2, AVX-512 VNNI). So on another CPU a
# text can get a vector that differs in the last bits, and a few hits near a threshold move.
BATCH_SIZE = 1


class OnnxMiniLMEmbedder:
    """Mean-pooled MiniLM sentence embeddings computed by onnxruntime."""

    def __init__(
        self,
        model_path: str | None = None,
        tokenizer_path: str | None = None,
        threads: int = 0,
    ) -> None:
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise EmbeddingError(
                "the minilm-onnx backend needs onnxruntime and tokenizers: "
                "pip install 'truecost[cache]'"
            ) from exc
        model_file = Path(model_path) if model_path else MODEL_PATH
        tokenizer_file = Path(tokenizer_path) if tokenizer_path else TOKENIZER_PATH
        for label, path in (("model", model_file), ("tokenizer", tokenizer_file)):
            if not path.is_file():
                raise EmbeddingError(f"{label} file not found: {path}")
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._unknown_id = self._tokenizer.token_to_id("[UNK]")
        # The last text tokenized and its encoding. A lookup calls fits, knows_words and embed
        # on the same text, so it is tokenized once.
        self._last_encoding: tuple[str, Any] | None = None
        # onnxruntime 1.32 sends usage events to Microsoft unless they are disabled, and
        # truecost reaches no network the user did not configure.
        onnxruntime.disable_telemetry_events()
        options = onnxruntime.SessionOptions()
        # 0 lets onnxruntime use one thread per core.
        options.intra_op_num_threads = threads
        # Spinning worker threads took the cores from other processes and from the index scan
        # that follows each embedding. Without spinning, lookups on the busy 2-core benchmark
        # machine had a p99 of 12 ms instead of 32 ms (docs/benchmarks/cache.md). Results are
        # bitwise the same with or without spinning and for any thread count.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        try:
            self._session = onnxruntime.InferenceSession(
                str(model_file), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors for bad files
            raise EmbeddingError(f"cannot load ONNX model {model_file}: {exc}") from exc
        self._input_names = {node.name for node in self._session.get_inputs()}
        # A model file the user names is another model until calibrated otherwise.
        self._id = f"onnx/{model_file.stem}" if model_path else "all-MiniLM-L6-v2/onnx-int8-dynamic"
        self._dimensions = int(self._session.get_outputs()[0].shape[-1])

    @property
    def id(self) -> str:
        return self._id

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def fits(self, text: str) -> bool:
        return len(self._encode(text).ids) <= MAX_TOKENS

    def knows_words(self, text: str) -> bool:
        return self._unknown_id not in self._encode(text).ids

    def _encode(self, text: str) -> Any:
        last = self._last_encoding
        if last is not None and last[0] == text:
            return last[1]
        encoding = self._tokenizer.encode(text)
        self._last_encoding = (text, encoding)
        return encoding

    def embed(self, texts: Sequence[str]) -> Vectors:
        result = np.zeros((len(texts), self._dimensions), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH_SIZE):
            rows = order[start : start + BATCH_SIZE]
            result[rows] = self._embed_batch([texts[i] for i in rows])
        return result

    def _embed_batch(self, texts: list[str]) -> Vectors:
        last = self._last_encoding
        if len(texts) == 1 and last is not None and last[0] == texts[0]:
            encodings = [last[1]]
        else:
            encodings = self._tokenizer.encode_batch(texts)
        length = min(max(len(e.ids) for e in encodings), MAX_TOKENS)
        ids = np.zeros((len(texts), length), dtype=np.int64)
        mask = np.zeros((len(texts), length), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            n = min(len(encoding.ids), length)
            ids[row, :n] = encoding.ids[:n]
            mask[row, :n] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        try:
            hidden = self._session.run(None, feeds)[0]
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise EmbeddingError(f"onnxruntime failed to embed {len(texts)} texts: {exc}") from exc
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        return normalize_rows(pooled)


@register_embedder("minilm-onnx")
def _minilm_onnx(**options: Any) -> Embedder:
    return OnnxMiniLMEmbedder(**options)
