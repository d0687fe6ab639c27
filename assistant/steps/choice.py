"""Step `choice`: after a clarify turn, the person names one of the choices, by its id, its title or its
position ("the second one", "التانية", "lowel"); the previous question is then answered with that procedure."""

from __future__ import annotations

from functools import lru_cache

from assistant.catalog import RecordCatalog
from assistant.context import AnswerContext
from assistant.forms import RECORD_LANGUAGES
from assistant.language import language_and_form
from assistant.resources import load_data
from assistant.text import fold, folded_phrases, padded_words, words

MAX_CHOICE_WORDS = 8  # a longer message is a new question, not a pick


@lru_cache(maxsize=1)
def _positions() -> tuple[tuple[int, tuple[str, ...]], ...]:
    return tuple((int(n), folded_phrases(tuple(str(p) for p in phrases)))
                 for n, phrases in load_data("choices").items())


class ResolveChoice:
    name = "choice"

    def __init__(self, catalog: RecordCatalog) -> None:
        self._catalog = catalog

    def __call__(self, context: AnswerContext) -> None:
        if not context.history or context.history[-1].status != "clarify" or not context.history[-1].choices:
            return
        previous = context.history[-1]
        picked = self.pick(context.message, list(previous.choices))
        if picked is None:
            return
        context.flags["choice"] = picked
        context.message = context.question = previous.question
        if context.requested_language == "auto":
            # A bare id or "2" says nothing of the language: the question it answers does.
            context.language, context.form = language_and_form(previous.question)

    def pick(self, message: str, choices: list[str]) -> str | None:
        text = message.strip()
        if text in choices:
            return text
        if len(words(text)) > MAX_CHOICE_WORDS:
            return None
        padded = padded_words(text)
        folded = " ".join(words(text))
        for n, phrases in _positions():
            if n <= len(choices) and any(p in padded for p in phrases):
                return choices[n - 1]
        for procedure_id in choices:
            titles = {fold(stored.record.title) for lang in RECORD_LANGUAGES
                      if (stored := self._catalog.get(procedure_id, lang)) is not None}
            if folded and any(folded in " ".join(words(t)) or " ".join(words(t)) in folded for t in titles):
                return procedure_id
        return None
