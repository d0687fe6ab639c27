"""Passage vectors kept between benchmark runs: each text is embedded once, ever, by the embedder that made it."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.vectors import StoredVectors
from core.embedders import FakeEmbedder


def test_a_later_run_reads_the_vectors_back_instead_of_embedding_again(tmp_path: Path) -> None:
    path = tmp_path / "vectors.npz"
    first = StoredVectors(FakeEmbedder(), path)
    made = first.embed_passages(["licence de taxi", "passeport des mineurs", "licence de taxi"])
    assert first.embedded == 2  # a repeated text is embedded once
    first.save()
    inner = FakeEmbedder()
    second = StoredVectors(inner, path)
    again = second.embed_passages(["passeport des mineurs", "licence de taxi", "carte de séjour"])
    assert second.embedded == 1 and inner.calls == 1
    assert np.array_equal(again[0], made[1]) and np.array_equal(again[1], made[0])


def test_vectors_of_another_embedder_are_not_reused(tmp_path: Path) -> None:
    path = tmp_path / "vectors.npz"
    first = StoredVectors(FakeEmbedder(dimension=64), path)
    first.embed_passages(["licence de taxi"])
    first.save()
    other = StoredVectors(FakeEmbedder(dimension=32), path)
    assert len(other) == 0
    assert other.embed_passages(["licence de taxi"]).shape == (1, 32)
