"""The keyword view at national scale: the top hits come from a partial sort and each hit's matched words from
BM25's postings, with the results a full sort and a per-chunk token set gave."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.catalog import IndexSnapshot
from assistant.retrieval import KeywordIndex
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
    from assistant.retrieval import _postings_in_order, _terms_in

    view = KeywordIndex(IndexSnapshot(ListIndex(chunks)))  # type: ignore[arg-type]
    assert view.chunk_count() and view._bm25 is not None
    assert view._ordered and _postings_in_order(view._bm25)
    tokens = list(dict.fromkeys(keyword_tokens("licence de taxi documents paiement amende")))
    documents = np.arange(0, len(chunks), 3)
    assert _terms_in(view._bm25, tokens, documents) == _terms_in(view._bm25, tokens, documents, ordered=False)
    assert any(_terms_in(view._bm25, tokens, documents))
