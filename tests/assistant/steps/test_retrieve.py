from __future__ import annotations

from assistant.context import AnswerContext
from assistant.retrieval import Retrieval
from assistant.steps.retrieve import RetrieveCandidates

from .conftest import candidate


class Retriever:
    def __init__(self, degraded: bool = False) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.degraded = degraded

    def retrieve(self, question: str, keyword_query: str, form: str = "") -> Retrieval:
        self.calls.append((question, keyword_query, form))
        return Retrieval([candidate("p")], ["x"], self.degraded)


def test_the_keyword_query_carries_the_lexicon_and_the_form_weighs_the_channels() -> None:
    retriever = Retriever()
    context = AnswerContext(message="q", question="bghit lakarta", form="darija_latin")
    RetrieveCandidates(retriever)(context)  # type: ignore[arg-type]
    question, keyword_query, form = retriever.calls[0]
    assert question == "bghit lakarta" and keyword_query.startswith("bghit lakarta") and form == "darija_latin"


def test_a_degraded_retrieval_is_flagged() -> None:
    context = AnswerContext(message="q", question="q")
    RetrieveCandidates(Retriever(degraded=True))(context)  # type: ignore[arg-type]
    assert context.flags["degraded"] and context.retrieval is not None
