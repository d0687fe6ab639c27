"""The vector index in Chroma, with an active-generation pointer so that a half-built index never serves.

Each build writes a new collection ("generation"). A small pointer collection's metadata names the active one;
switching that metadata is the single atomic step that puts a new index in service. Readers always go through
the pointer, so any number of API replicas sharing one Chroma server see the same index.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection

from core.settings import Settings

logger = logging.getLogger(__name__)

_PAGE = 1000  # Chroma caps how many records one get() may return on a server


class IndexStoreError(Exception):
    """Base of index problems a caller can report to a person."""


class IndexMismatchError(IndexStoreError):
    """The index was built with another embedder: its vectors mean nothing to this one."""


class IndexUnavailableError(IndexStoreError):
    """No index has been built yet, or the vector store cannot be reached."""


@dataclass(frozen=True)
class Chunk:
    id: str
    text: str
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # cosine similarity, higher is closer


class ChunkIndex(Protocol):
    """What the answer pipeline needs from a vector index."""

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[Hit]: ...

    def nearest(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """Ids and cosine similarities only: for a caller that already holds the chunks' texts."""
        ...

    def all_chunks(self) -> list[Chunk]: ...

    def generation(self) -> str | None: ...


def connect(settings: Settings) -> ClientAPI:
    chroma_settings = chromadb.Settings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        port = url.port or (443 if url.scheme == "https" else 8000)
        return chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=port, ssl=url.scheme == "https",
                                   settings=chroma_settings)
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


class ChromaIndex:
    """Generations of one named index in a Chroma client, and the pointer to the active one."""

    def __init__(self, client: ClientAPI, index_name: str, embedder_name: str, dimension: int,
                 serving_seconds: float = 5.0) -> None:
        self._client = client
        self._name = index_name
        self._embedder_name = embedder_name
        self._dimension = dimension
        self._pointer_name = f"{index_name}-pointer"
        # Queries reuse the resolved active generation for this long (as the keyword index does) instead of
        # reading the pointer, the collection and its count on every query: three store round trips, a third of a
        # dense search. A generation dropped by a re-index elsewhere is noticed on the next query and re-resolved.
        self._serving_seconds = serving_seconds
        self._serving: tuple[float, Collection, int] | None = None
        self._serving_lock = threading.Lock()

    # -- the pointer -----------------------------------------------------------------------------------
    def pointer(self) -> dict[str, Any]:
        try:
            return dict(self._client.get_collection(self._pointer_name).metadata or {})
        except Exception as exc:  # Chroma raises NotFoundError, ValueError or InvalidCollection by version
            if _is_not_found(exc):
                return {}
            raise

    def generation(self) -> str | None:
        active = self.pointer().get("active")
        return str(active) if active else None

    def check_embedder(self) -> None:
        pointer = self.pointer()
        if not pointer.get("active"):
            return
        built_with = (pointer.get("embedder"), int(pointer.get("dimension", 0)))
        if built_with != (self._embedder_name, self._dimension):
            raise IndexMismatchError(
                f"the index was built with embedder {built_with[0]} ({built_with[1]} dims) but this process uses "
                f"{self._embedder_name} ({self._dimension} dims); rebuild with `python -m ingestion index --full` "
                "or set SAHLA_EMBEDDER back"
            )

    def active_collection(self) -> Collection:
        self.check_embedder()
        active = self.generation()
        if not active:
            raise IndexUnavailableError("no index has been built yet: run `python -m ingestion index`")
        return self._client.get_collection(active)

    # -- building --------------------------------------------------------------------------------------
    def new_generation(self) -> Collection:
        name = f"{self._name}-g{time.time_ns()}"
        return self._client.create_collection(
            name,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedder": self._embedder_name, "dimension": self._dimension},
        )

    def activate(self, collection: Collection) -> None:
        """Put a finished generation in service, then drop every other generation."""
        pointer = self._client.get_or_create_collection(self._pointer_name, embedding_function=None)
        pointer.modify(metadata={
            "active": collection.name, "embedder": self._embedder_name, "dimension": self._dimension,
            "activated_at": time.time(),
        })
        self._serving = None
        self.drop_inactive_generations()

    def drop_inactive_generations(self, keep: Sequence[str] = ()) -> list[str]:
        active = self.generation()
        dropped = []
        for name in self._generation_names():
            if name != active and name not in keep:
                self._client.delete_collection(name)
                dropped.append(name)
        return dropped

    def _generation_names(self) -> list[str]:
        prefix = f"{self._name}-g"
        names = (c if isinstance(c, str) else c.name for c in self._client.list_collections())
        return [n for n in names if n.startswith(prefix)]

    # -- reading ---------------------------------------------------------------------------------------
    def serving_collection(self, refresh: bool = False) -> tuple[Collection, int]:
        """The active generation and its size, resolved at most every `serving_seconds`."""
        now = time.monotonic()
        serving = self._serving
        if serving is not None and not refresh and now - serving[0] < self._serving_seconds:
            return serving[1], serving[2]
        with self._serving_lock:
            collection = self.active_collection()
            count = collection.count()
            self._serving = (now, collection, count)
        return collection, count

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[Hit]:
        result = self._nearest_records(vector, k, where, ["documents", "metadatas", "distances"])
        if result is None:
            return []
        documents = (result["documents"] or [[]])[0]
        metadatas = (result["metadatas"] or [[]])[0]
        distances = (result["distances"] or [[]])[0]
        return [
            Hit(Chunk(i, d or "", dict(m or {})), 1.0 - float(dist))
            for i, d, m, dist in zip(result["ids"][0], documents, metadatas, distances, strict=True)
        ]

    def nearest(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        # Without documents and metadatas (the record cards carry whole records): half the time of `query`.
        result = self._nearest_records(vector, k, where, ["distances"])
        if result is None:
            return []
        distances = (result["distances"] or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(result["ids"][0], distances, strict=True)]

    def _nearest_records(self, vector: np.ndarray, k: int, where: dict[str, Any] | None,
                         include: list[Any]) -> Any:
        embedding = [np.asarray(vector, dtype=np.float32).tolist()]
        for refresh in (False, True):
            collection, count = self.serving_collection(refresh=refresh)
            if count == 0:
                return None
            try:
                return collection.query(query_embeddings=embedding, n_results=min(k, count), where=where,
                                        include=include)
            except Exception as exc:
                if refresh or not _is_not_found(exc):
                    raise
                # The generation we held was dropped by a re-index: read the pointer again, once.
        return None

    def all_chunks(self) -> list[Chunk]:
        return [Chunk(i, d, m) for i, d, m, _ in iter_records(self.active_collection(), embeddings=False)]


def iter_records(collection: Collection, embeddings: bool) -> Iterator[tuple[str, str, dict[str, Any], Any]]:
    """Every record of a collection, page by page: (id, document, metadata, embedding or None)."""
    include: list[Any] = ["documents", "metadatas"] + (["embeddings"] if embeddings else [])
    offset = 0
    while True:
        page = collection.get(include=include, limit=_PAGE, offset=offset)
        ids = page["ids"]
        if not ids:
            return
        vectors = page["embeddings"] if embeddings else None
        for n, chunk_id in enumerate(ids):
            yield (chunk_id, (page["documents"] or [])[n] or "", dict((page["metadatas"] or [])[n] or {}),
                   vectors[n] if vectors is not None else None)
        offset += len(ids)


def _is_not_found(exc: Exception) -> bool:
    return type(exc).__name__ in {"NotFoundError", "InvalidCollectionException"} or "does not exist" in str(exc)
