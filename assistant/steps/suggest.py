"""Step `suggest`: 2–3 follow-up questions in the user's language, for the record parts the answer did not show
(and the record has). Each reads as a follow-up, so sending it back asks about the same procedure."""

from __future__ import annotations

from functools import lru_cache

from assistant.catalog import StoredRecord
from assistant.context import AnswerContext
from assistant.resources import load_data
from assistant.text import padded_words

ORDER = ("documents", "fees", "where", "delay", "online", "validity", "conditions")
MAX_SUGGESTIONS = 3


@lru_cache(maxsize=1)
def suggested_parts() -> dict[str, str]:
    """Every suggestion's text (as `padded_words` gives it) -> the record part it asks for: a chip sends its text
    back, and that text asks for that part of the same procedure."""
    return {padded_words(text): part for texts in load_data("suggestions").values() for part, text in texts.items()}


class Suggest:
    name = "suggest"

    def __init__(self) -> None:
        table = load_data("suggestions")
        for language in ("fr", "ar", "en", "darija"):
            if set(ORDER) - set(table.get(language, {})):
                raise RuntimeError(f"suggestions.yaml lacks parts for {language}")
        self._table = table

    def __call__(self, context: AnswerContext) -> None:
        if context.status != "answered" or not context.citations or context.citations[0].stored is None:
            return
        stored = context.citations[0].stored
        texts = self._table["ar" if context.language == "amazigh" else context.language]
        unseen = [part for part in ORDER if part not in context.shown_parts and _has(stored, part)]
        context.suggestions = [texts[part] for part in unseen[:MAX_SUGGESTIONS]]


def _has(stored: StoredRecord, part: str) -> bool:
    record = stored.record
    if part == "conditions":
        return False  # answered from the body; offered only when asked
    if part == "online":
        return record.online_service is not None
    if part == "fees":
        return bool(record.fees)
    return bool(getattr(record, part, None))
