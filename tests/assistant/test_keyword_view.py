"""The keyword view at national scale: the top hits come from a partial sort and each hit's matched words from
BM25's postings, with the results a full sort and a per-chunk token set gave."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.catalog import IndexSnapshot
from assistant.retrieval import KeywordIndex, _postings_in_order, _terms_in
from assistant.text import keyword_tokens
from bench.catalogue import procedure_lines
from core.index_store import Chunk


class ListIndex:
    """The two calls the view makes, over a list of chunks."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self._chunks = chunks

    def generation(self) -> str:
        return "g1"

    def all_chunks(self) -> list[Chunk]:
        return self._chunks


@pytest.fixture(scope="module")
def chunks() -> list[Chunk]:
    found = []
    for line in procedure_lines(150):
        for n, text in enumerate([line["description"], *line["documents"], *line["steps"]]):
            found.append(Chunk(f"{line['id']}.{line['lang']}#{n}", text,
                               {"title": line["title"], "procedure_id": line["id"], "language": line["lang"]}))
    return found


@pytest.mark.parametrize("question", ["licence de taxi pour les particuliers documents",
                                      "جواز السفر البيومتري للقاصرين", "paiement amende routière délai"])
def test_keyword_hits_are_the_best_scores_in_order_with_the_question_words_each_one_holds(
        chunks: list[Chunk], question: str) -> None:
    view = KeywordIndex(IndexSnapshot(ListIndex(chunks)))  # type: ignore[arg-type]
    tokens = list(dict.fromkeys(keyword_tokens(question)))
    hits = view.search(tokens, 40)
    assert len(hits) == 40
    scores = [score for _, score, _ in hits]
    assert scores == sorted(scores, reverse=True)
    everything = view.search(tokens, len(chunks))
    assert scores == [score for _, score, _ in everything][:40]
    assert min(scores) > 0
    for chunk, _, matched in hits:
        words = set(keyword_tokens(f"{chunk.metadata['title']} {chunk.text}"))
        assert matched == frozenset(set(tokens) & words), chunk.id


def test_a_question_with_no_indexed_word_finds_nothing(chunks: list[Chunk]) -> None:
    view = KeywordIndex(IndexSnapshot(ListIndex(chunks)))  # type: ignore[arg-type]
    assert view.search(["zzzqqq"], 10) == []
    assert np.isfinite(view.chunk_count())


def test_the_words_each_hit_holds_are_looked_up_by_bisection_and_agree_with_the_general_test(
        chunks: list[Chunk]) -> None:
    """bm25s keeps each word's postings in document order, so the view bisects them (a common word's postings run
    to thousands at national scale); the general set test, kept for postings in another order, finds the same."""
    view = KeywordIndex(IndexSnapshot(ListIndex(chunks)))  # type: ignore[arg-type]
    view.chunk_count()
    _, bm25, ordered = view._searchable
    assert bm25 is not None and ordered
    tokens = list(dict.fromkeys(keyword_tokens("licence de taxi documents paiement amende")))
    documents = np.arange(0, len(chunks), 3)
    bisected = _terms_in(bm25, tokens, documents)
    assert bisected == _terms_in(bm25, tokens, documents, ordered=False)
    assert any(bisected)


class Postings:
    """BM25's postings alone, as bm25s lays them out: each word's documents between two pointers."""

    def __init__(self, per_word: list[list[int]]) -> None:
        self.vocab_dict = {f"w{n}": n for n in range(len(per_word))}
        self.scores = {"indices": np.array([d for docs in per_word for d in docs], dtype=np.int32),
                       "indptr": np.cumsum([0, *(len(docs) for docs in per_word)])}


def test_postings_out_of_document_order_are_seen_and_read_by_the_general_test() -> None:
    in_order, shuffled = Postings([[0, 2, 5], [], [1, 2]]), Postings([[5, 0, 2], [], [1, 2]])
    assert _postings_in_order(in_order) and not _postings_in_order(shuffled)  # type: ignore[arg-type]
    documents = np.array([2, 5, 1])
    expected = [frozenset({"w0", "w2"}), frozenset({"w0"}), frozenset({"w2"})]
    assert _terms_in(in_order, ["w0", "w1", "w2", "unknown"], documents) == expected  # type: ignore[arg-type]
    assert _terms_in(shuffled, ["w0", "w1", "w2"], documents, ordered=False) == expected  # type: ignore[arg-type]
