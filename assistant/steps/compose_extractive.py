"""Step `compose` without a model: the answer is composed from the chosen record (assistant.extractive)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from assistant.catalog import RecordCatalog, StoredRecord
from assistant.citations import citation_for
from assistant.context import AnswerContext, Citation, Mode
from assistant.extractive import Composed, compose_extractive
from assistant.messages import Messages
from assistant.sentence_ranker import SentenceRanker
from assistant.sentence_vectors import SentenceVectors
from assistant.situations import Situation, detect_situations

logger = logging.getLogger(__name__)

SENTENCE_LANGUAGES = ("fr", "en", "ar", "darija")


class ComposeExtractive:
    name = "compose"

    def __init__(self, catalog: RecordCatalog, messages: Messages,
                 sentence_vectors: SentenceVectors | None = None, ranker: SentenceRanker | None = None) -> None:
        self._catalog = catalog
        self._ranker = ranker
        self._messages = messages
        self._sentence_vectors = sentence_vectors

    def stream(self, context: AnswerContext) -> Iterator[str]:
        self.compose(context)
        yield from paragraphs(context.answer)

    def compose(self, context: AnswerContext, mode: Mode = "extractive") -> None:
        assert context.chosen is not None
        citation = citation_for(self._catalog, context.chosen.procedure_id, context.language, 1)
        if citation is None or citation.stored is None:
            context.stop("not_found", self._messages.text("not_found", context.language))
            return
        situations = detect_situations(context.message, arabizi=context.form == "darija_latin")
        context.flags["situations"] = [s.name for s in situations]
        if context.language == "amazigh":
            context.answer = self._amazigh_answer(context, citation, situations)
        else:
            composed = self._compose(citation.stored, context, context.language, situations)
            context.answer, context.shown_parts = composed.text, composed.shown
        context.citations = [citation]
        context.mode = mode

    def _compose(self, stored: StoredRecord, context: AnswerContext, language: str,
                 situations: list[Situation]) -> Composed:
        chunks = context.chosen.chunks_in(stored.record.lang) if context.chosen else []
        return compose_extractive(stored, language, context.message, context.intents, situations,
                                  [c.text for c in chunks[:2]], similarity=self._similarity(stored, context, language),
                                  ranker=self._ranker)

    def _similarity(self, stored: StoredRecord, context: AnswerContext,
                    language: str) -> Callable[[list[str]], dict[str, float] | None] | None:
        """How to score the body sentences (split once, by the composer) against the question, for an answer in
        the question's own language (assistant/passages.py and assistant/extractive.py say how each uses them)."""
        vector = context.retrieval.query_vector if context.retrieval is not None else None
        vectors = self._sentence_vectors
        if vectors is None or vector is None or language not in SENTENCE_LANGUAGES or context.language != language:
            return None

        def cosines(texts: list[str]) -> dict[str, float] | None:
            try:
                return vectors.similarities(vector, texts)
            except Exception:  # noqa: BLE001 - a scoring aid: without it the answer is still composed from keywords
                logger.warning("event=sentence_vectors_failed procedure=%s", stored.record.id, exc_info=True)
                return None

        return cosines

    def _amazigh_answer(self, context: AnswerContext, citation: Citation, situations: list[Situation]) -> str:
        assert citation.stored is not None
        arabic = self._compose(citation.stored, context, "ar", situations)
        context.shown_parts = arabic.shown
        parts = [self._messages.greeting("amazigh"), arabic.text]
        french = self._catalog.get(citation.procedure_id, "fr")
        if french is not None:
            parts.append(self._compose(french, context, "fr", situations).text)
        return "\n\n---\n\n".join(parts)


def paragraphs(text: str) -> Iterator[str]:
    parts = text.split("\n\n")
    for n, part in enumerate(parts):
        yield part + ("\n\n" if n < len(parts) - 1 else "")
