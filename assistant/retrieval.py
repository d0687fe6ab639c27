"""Hybrid retrieval: dense vectors from Chroma and BM25 over normalised text, fused by reciprocal rank and
grouped by procedure. Records are the catalogue's (assistant.catalog), not the keyword index's."""

from __future__ import annotations

import json
import logging
import math
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import bm25s
import numpy as np
from bm25s.tokenization import Tokenized

from assistant.catalog import IndexSnapshot, RecordCatalog
from assistant.text import keyword_tokens
from core.embedders import Embedder
from core.index_store import Chunk, ChunkIndex

logger = logging.getLogger(__name__)

RRF_K = 60  # the usual reciprocal-rank constant: damps the difference between ranks 1 and 2
# (dense, keyword) weights of the fusion per language form. The small multilingual embedder reads Arabizi
# poorly (measured on the golden set: dense hit@1 0.46 against BM25 0.81 for Darija in Latin letters), while
# English questions share few exact words with the records.
CHANNEL_WEIGHTS: dict[str, tuple[float, float]] = {
    "darija_latin": (0.35, 1.0), "darija": (0.8, 1.0), "en": (1.0, 0.7),
}
# Tried and left out (2026-11-30): embedding a Darija question lexicon-expanded (the keyword query) instead of as
# typed. Dense hit@1 rose on the dev and training questions (Latin Darija 0.43 -> 0.73, hybrid 0.75 -> 0.80; Darija
# in Arabic script 0.70 -> 0.80 dense, flat fused), but with the gate refitted on it, held-out decisions
# (scripts/fit_answerability.py --cross-validate 0.05) moved little: Latin Darija right 0.846 -> 0.854 and refused
# 0.133 -> 0.120, French right 0.950 -> 0.935 (not from sharing one model: fitted per form, 0.933), Arabic-script
# Darija refused more when it was expanded too (0.075 -> 0.094: the appended words make unheld look-alikes read
# like our records); the test half did not move. The gate, not the ranking, is what keeps Latin Darija back.


@dataclass
class ProcedureCandidate:
    procedure_id: str
    score: float = 0.0  # fused
    dense_score: float = 0.0  # best cosine similarity among its chunks
    dense_rank: int | None = None
    bm25_score: float = 0.0
    bm25_rank: int | None = None
    matched_terms: set[str] = field(default_factory=set)  # query keywords found in its best BM25 chunk
    chunks: list[Chunk] = field(default_factory=list)  # best first, dense and keyword interleaved

    def chunks_in(self, language: str) -> list[Chunk]:
        return [c for c in self.chunks if c.metadata.get("language") == language]


@dataclass
class Retrieval:
    candidates: list[ProcedureCandidate]
    query_terms: list[str]  # distinct keyword tokens of the question, stop-words removed
    degraded: bool = False  # the vector store failed: keyword retrieval alone answered
    query_vector: np.ndarray | None = None  # the question's embedding (None when dense retrieval did not run)


class KeywordIndex:
    """BM25 over the active generation's chunks (title + text, normalised), rebuilt when the generation changes."""

    def __init__(self, snapshot: IndexSnapshot) -> None:
        self._snapshot = snapshot
        self._lock = threading.Lock()
        self._built_for: list[Chunk] | None = None
        # What a search reads, replaced in one assignment so that a search never pairs one generation's chunks with
        # another's postings: the chunks, BM25 over them, and whether each word's postings are in document order.
        self._searchable: tuple[list[Chunk], bm25s.BM25 | None, bool] = ([], None, True)
        self._by_id: dict[str, Chunk] = {}
        self._procedure_terms: dict[str, frozenset[str]] = {}
        self._vocabulary: frozenset[str] = frozenset()
        self._procedure_frequency: dict[str, int] = {}
        self._name_terms: dict[str, frozenset[str]] = {}

    def procedure_terms(self, procedure_id: str) -> frozenset[str]:
        """Every keyword of a procedure's chunks, in all its languages, aliases included."""
        self._refresh()
        return self._procedure_terms.get(procedure_id, frozenset())

    def procedure_name_terms(self, procedure_id: str) -> frozenset[str]:
        """The keywords of a procedure's titles and aliases, in all its languages: the words that name it."""
        self._refresh()
        return self._name_terms.get(procedure_id, frozenset())

    def vocabulary(self) -> frozenset[str]:
        self._refresh()
        return self._vocabulary

    def procedure_idf(self, term: str) -> float:
        """How specific a keyword is: log(1 + procedures / (1 + procedures using it)); highest for unknown words."""
        self._refresh()
        count = len(self._procedure_terms)
        return math.log(1 + count / (1 + self._procedure_frequency.get(term, 0)))

    def search(self, tokens: list[str], k: int) -> list[tuple[Chunk, float, frozenset[str]]]:
        self._refresh()
        chunks, bm25, ordered = self._searchable
        if bm25 is None or not tokens or not chunks:
            return []
        scores = bm25.get_scores(tokens)
        top = _top(scores, k)
        top = top[scores[top] > 0]
        return [(chunks[i], float(scores[i]), terms)
                for i, terms in zip(top, _terms_in(bm25, tokens, top, ordered), strict=True)]

    def chunks_by_id(self, ids: list[str]) -> list[Chunk] | None:
        """The chunks with these ids, or None if any is unknown (the index switched generation since the view was
        built: the caller asks the index instead)."""
        self._refresh()
        by_id = self._by_id
        found = [by_id.get(i) for i in ids]
        return None if None in found else found  # type: ignore[return-value]

    def chunk_count(self) -> int:
        self._refresh()
        return len(self._searchable[0])

    def _refresh(self) -> None:
        _, chunks = self._snapshot.current()
        if chunks is self._built_for:
            return
        with self._lock:
            if chunks is not self._built_for:
                self._build(chunks)
                self._built_for = chunks
                logger.info("event=keyword_index_built chunks=%d", len(chunks))

    def _build(self, chunks: list[Chunk]) -> None:
        documents = [keyword_tokens(_searchable_text(c)) for c in chunks]
        vocab: dict[str, int] = {}
        ids = [[vocab.setdefault(t, len(vocab)) for t in doc] or [vocab.setdefault("", len(vocab))]
               for doc in documents]
        bm25 = bm25s.BM25()
        if chunks:
            bm25.index(Tokenized(ids=ids, vocab=vocab), show_progress=False)
        # No token set per chunk is kept (at national scale it was most of this view's memory): search reads the
        # matched words from BM25's postings, and procedures keep the union of their chunks' words.
        by_procedure: dict[str, set[str]] = defaultdict(set)
        for chunk, words in zip(chunks, documents, strict=True):
            by_procedure[str(chunk.metadata.get("procedure_id", ""))].update(words)
        self._procedure_terms = {pid: frozenset(terms) for pid, terms in by_procedure.items()}
        self._vocabulary = frozenset(vocab)
        frequency: dict[str, int] = defaultdict(int)
        for terms in self._procedure_terms.values():
            for term in terms:
                frequency[term] += 1
        self._procedure_frequency = dict(frequency)
        names: dict[str, set[str]] = defaultdict(set)
        for chunk in chunks:
            if chunk.metadata.get("kind") == "card":
                names[str(chunk.metadata.get("procedure_id", ""))].update(keyword_tokens(_name_text(chunk)))
        self._name_terms = {pid: frozenset(terms) for pid, terms in names.items()}
        self._by_id = {c.id: c for c in chunks}
        self._searchable = (chunks, bm25 if chunks else None, not chunks or _postings_in_order(bm25))


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """The indices of the k highest scores, best first; a partial sort, as the index holds tens of thousands."""
    if len(scores) <= k:
        return np.argsort(-scores)
    top = np.argpartition(-scores, k)[:k]
    return top[np.argsort(-scores[top])]


def _terms_in(bm25: bm25s.BM25, tokens: list[str], documents: np.ndarray,
              ordered: bool = True) -> list[frozenset[str]]:
    """Which query tokens each document holds, read from BM25's own postings (token -> documents): no per-chunk
    token set is kept, which at national scale was the largest part of the keyword view's memory. A token's
    postings are in document order (`_postings_in_order`), so each document is looked up by bisection: a common
    word's postings run to thousands of documents at national scale, and sorting them per query (`np.isin`, kept
    for postings in another order) was most of a keyword search there (at 46,107 chunks, p50/p95 1.16/4.27 ms
    with it, 0.45/0.75 ms by bisection)."""
    postings = bm25.scores
    found: list[set[str]] = [set() for _ in documents]
    for token in set(tokens):
        token_id = bm25.vocab_dict.get(token)
        if token_id is None:
            continue
        holders = postings["indices"][postings["indptr"][token_id]:postings["indptr"][token_id + 1]]
        if not len(holders):
            continue
        if ordered:
            held = holders[np.minimum(np.searchsorted(holders, documents), len(holders) - 1)] == documents
        else:  # another bm25s may order them otherwise: the general test, slower
            held = np.isin(documents, holders)
        for n in np.flatnonzero(held):
            found[n].add(token)
    return [frozenset(f) for f in found]


def _postings_in_order(bm25: bm25s.BM25) -> bool:
    """Whether each token's postings list its documents in increasing order (bm25s builds them so)."""
    indices, pointers = bm25.scores["indices"], bm25.scores["indptr"]
    if len(indices) < 2:
        return True
    steps = np.diff(indices.astype(np.int64))
    starts = np.zeros(len(indices), bool)  # a new token's postings may start lower
    starts[pointers[(pointers > 0) & (pointers < len(indices))]] = True
    return bool(np.all((steps > 0) | starts[1:]))


def _name_text(card: Chunk) -> str:
    try:
        aliases = json.loads(card.metadata.get("record", "{}")).get("aliases") or []
    except ValueError:
        aliases = []
    return " ".join([str(card.metadata.get("title", "")), *map(str, aliases)])


def _searchable_text(chunk: Chunk) -> str:
    return f"{chunk.metadata.get('title', '')} {chunk.text}"


class HybridRetriever:
    def __init__(self, embedder: Embedder, index: ChunkIndex, dense_k: int = 40, keyword_k: int = 40) -> None:
        self.embedder = embedder
        self._index = index
        self.snapshot = IndexSnapshot(index)
        self.keywords = KeywordIndex(self.snapshot)
        self.catalog = RecordCatalog(self.snapshot)
        self._dense_k = dense_k
        self._keyword_k = keyword_k

    def expire(self) -> None:
        """This process has just switched the active generation: reload on the next use."""
        self.snapshot.expire()

    def chunk_count(self) -> int:
        return self.keywords.chunk_count()

    def retrieve(self, question: str, keyword_query: str, category: str | None = None, form: str = "",
                 dense: bool = True, keyword: bool = True) -> Retrieval:
        """`question` goes to the embedder as typed; `keyword_query` (lexicon-expanded) goes to BM25.
        `form` (fr, ar, en, darija, darija_latin) weighs the two channels."""
        terms = list(dict.fromkeys(keyword_tokens(keyword_query)))
        candidates: dict[str, ProcedureCandidate] = {}
        dense_weight, keyword_weight = CHANNEL_WEIGHTS.get(form, (1.0, 1.0))
        degraded = False
        vector = None
        if dense:
            try:
                vector = self.embedder.embed_query(question)
                self._add_dense(vector, category, candidates, dense_weight)
            except Exception as exc:  # Chroma down or timing out: keyword retrieval still answers
                if not keyword:
                    raise
                logger.warning("event=dense_retrieval_failed fallback=keyword error=%s", type(exc).__name__)
                candidates.clear()
                degraded, vector = True, None
        if keyword:
            self._add_keyword(terms, category, candidates, keyword_weight)
        ranked = sorted(candidates.values(), key=lambda c: c.score, reverse=True)
        return Retrieval(ranked, terms, degraded, vector)

    def _add_dense(self, vector: np.ndarray, category: str | None,
                   candidates: dict[str, ProcedureCandidate], weight: float) -> None:
        where: dict[str, Any] | None = {"category": category} if category else None
        for rank, (procedure_id, best, chunks) in enumerate(_group(self._dense_hits(vector, where)), 1):
            candidate = candidates.setdefault(procedure_id, ProcedureCandidate(procedure_id))
            candidate.dense_score, candidate.dense_rank = best, rank
            candidate.score += weight / (RRF_K + rank)
            candidate.chunks.extend(c for c in chunks if c not in candidate.chunks)

    def _dense_hits(self, vector: np.ndarray, where: dict[str, Any] | None) -> list[tuple[Chunk, float]]:
        """Nearest chunks by id from the index, their texts from the corpus view (which BM25 already holds);
        the full query only when the two disagree about the generation."""
        nearest = self._index.nearest(vector, self._dense_k, where=where)
        chunks = self.keywords.chunks_by_id([chunk_id for chunk_id, _ in nearest])
        if chunks is None:
            return [(h.chunk, h.score) for h in self._index.query(vector, self._dense_k, where=where)]
        return [(chunk, score) for chunk, (_, score) in zip(chunks, nearest, strict=True)]

    def _add_keyword(self, terms: list[str], category: str | None,
                     candidates: dict[str, ProcedureCandidate], weight: float) -> None:
        hits = self.keywords.search(terms, self._keyword_k * 3)
        if category:
            hits = [h for h in hits if h[0].metadata.get("category") == category]
        matched = {h[0].id: h[2] for h in hits}
        grouped = _group((chunk, score) for chunk, score, _ in hits[: self._keyword_k])
        for rank, (procedure_id, best, chunks) in enumerate(grouped, 1):
            candidate = candidates.setdefault(procedure_id, ProcedureCandidate(procedure_id))
            candidate.bm25_score, candidate.bm25_rank = best, rank
            candidate.matched_terms = set(matched.get(chunks[0].id, frozenset()))
            candidate.score += weight / (RRF_K + rank)
            candidate.chunks.extend(c for c in chunks if c not in candidate.chunks)


def _group(scored: Any) -> list[tuple[str, float, list[Chunk]]]:
    """Chunks grouped by procedure, procedures ordered by their best chunk."""
    groups: dict[str, list[tuple[Chunk, float]]] = defaultdict(list)
    for chunk, score in scored:
        groups[str(chunk.metadata.get("procedure_id", ""))].append((chunk, score))
    ordered = sorted(groups.items(), key=lambda item: max(s for _, s in item[1]), reverse=True)
    return [(pid, max(s for _, s in items), [c for c, _ in sorted(items, key=lambda x: -x[1])])
            for pid, items in ordered]
