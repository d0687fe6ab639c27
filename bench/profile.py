"""Profile of the slowest path (a chat turn, extractive, in this process) and the before/after of what was fixed.

pyinstrument over `AnswerPipeline.run` for golden questions showed, besides the embedder (the floor):
  - `ChromaIndex.query` resolving the active generation on every query (the pointer collection twice, the active
    collection, then its count: four store calls), then fetching the 40 nearest chunks' texts and metadatas, which
    for record cards hold whole records, although the keyword index already holds every chunk in memory.
  - `detect_intents` folding every intent phrase (and the question, once per intent) on every message.
The "before" versions below are the code as it was, kept verbatim so both run side by side, interleaved, in one
process: the ratios are what to read, the absolute times move with this machine's load.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

from assistant.extractive import INTENTS, _intent_words, detect_intents
from assistant.pipeline import AnswerPipeline
from assistant.retrieval import HybridRetriever
from assistant.text import words
from bench.latency import summarise
from core.embedders import Embedder
from core.index_store import ChromaIndex, Chunk, Hit


class IndexBefore(ChromaIndex):
    """ChromaIndex.query as it was: the active generation and its count resolved on every query."""

    def query(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[Hit]:
        collection = self.active_collection()
        count = collection.count()
        if count == 0:
            return []
        result = collection.query(
            query_embeddings=[np.asarray(vector, dtype=np.float32).tolist()], n_results=min(k, count),
            where=where, include=["documents", "metadatas", "distances"],
        )
        ids = result["ids"][0]
        documents = (result["documents"] or [[]])[0]
        metadatas = (result["metadatas"] or [[]])[0]
        distances = (result["distances"] or [[]])[0]
        return [
            Hit(Chunk(i, d or "", dict(m or {})), 1.0 - float(dist))
            for i, d, m, dist in zip(ids, documents, metadatas, distances, strict=True)
        ]


class RetrieverBefore(HybridRetriever):
    """The dense channel as it was: texts and metadatas fetched from the store with every query."""

    def _dense_hits(self, question: str, where: dict[str, Any] | None) -> list[tuple[Chunk, float]]:
        hits = self._index.query(self._embedder.embed_query(question), self._dense_k, where=where)
        return [(h.chunk, h.score) for h in hits]


def matches_any_before(text: str, phrases: list[str]) -> bool:
    folded = " " + " ".join(words(text)) + " "
    return any(f" {' '.join(words(p))} " in folded for p in phrases if words(p))


def detect_intents_before(question: str) -> list[str]:
    phrases = _intent_words()
    return [intent for intent in INTENTS if matches_any_before(question, phrases[intent])]


def _pipelines(embedder: Embedder, index: ChromaIndex, before_index: ChromaIndex) -> tuple[AnswerPipeline,
                                                                                          AnswerPipeline]:
    return AnswerPipeline(RetrieverBefore(embedder, before_index)), AnswerPipeline(HybridRetriever(embedder, index))


def _timed(function: Any, *args: Any) -> float:
    started = time.perf_counter()
    function(*args)
    return (time.perf_counter() - started) * 1000


def _side_by_side(before: Any, after: Any, inputs: list[Any], rounds: int) -> dict[str, Any]:
    """Alternates before and after (and which goes first) on the same inputs."""
    before_ms: list[float] = []
    after_ms: list[float] = []
    for n in range(rounds):
        item = inputs[n % len(inputs)]
        if n % 2:
            before_ms.append(_timed(before, item))
            after_ms.append(_timed(after, item))
        else:
            after_ms.append(_timed(after, item))
            before_ms.append(_timed(before, item))
    b, a = summarise(before_ms), summarise(after_ms)
    return {"before": b, "after": a, "after_over_before_p50": round(a["p50_ms"] / b["p50_ms"], 3),
            "saved_p50_ms": round(b["p50_ms"] - a["p50_ms"], 2)}


def measure_fixes(embedder: Embedder, index: ChromaIndex, before_index: ChromaIndex, questions: list[str],
                  rounds: int) -> dict[str, Any]:
    before, after = _pipelines(embedder, index, before_index)
    vectors = [embedder.embed_query(q) for q in questions[:50]]
    for q in questions[:5]:
        before.run(q)
        after.run(q)

    def run_before(question: str) -> None:
        with mock.patch("assistant.steps.follow_up.detect_intents", detect_intents_before):
            before.run(question)

    return {
        "chat_turn": _side_by_side(run_before, after.run, questions, rounds),
        "dense_query": _side_by_side(lambda v: before_index.query(v, 40), lambda v: after.retriever.keywords.chunks_by_id(
            [chunk_id for chunk_id, _ in index.nearest(v, 40)]), vectors, rounds),
        "detect_intents": _side_by_side(detect_intents_before, detect_intents, questions, rounds),
    }


def write_profile(embedder: Embedder, index: ChromaIndex, questions: list[str], path: Path,
                  before_index: ChromaIndex | None = None) -> float:
    """pyinstrument over chat turns; the text summary goes to `path`. Returns the profiled seconds."""
    from pyinstrument import Profiler

    retriever = RetrieverBefore(embedder, before_index) if before_index else HybridRetriever(embedder, index)
    pipeline = AnswerPipeline(retriever)
    pipeline.run(questions[0])
    profiler = Profiler(interval=0.0005)
    with mock.patch("assistant.steps.follow_up.detect_intents", detect_intents_before if before_index else detect_intents):
        profiler.start()
        for question in questions:
            pipeline.run(question)
        profiler.stop()
    path.write_text(profiler.output_text(unicode=False, color=False), encoding="utf-8")
    return profiler.last_session.duration if profiler.last_session else 0.0
