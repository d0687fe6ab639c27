"""Step `retrieve`: dense and keyword candidates for the standalone question, weighed by its form."""

from __future__ import annotations

from assistant.context import AnswerContext
from assistant.retrieval import HybridRetriever
from assistant.text import expand_with_lexicon


class RetrieveCandidates:
    name = "retrieval"

    def __init__(self, retriever: HybridRetriever) -> None:
        self._retriever = retriever

    def __call__(self, context: AnswerContext) -> None:
        context.keyword_query = expand_with_lexicon(context.question)
        context.retrieval = self._retriever.retrieve(context.question, context.keyword_query, form=context.form)
        if context.retrieval.degraded:
            context.flags["degraded"] = True
