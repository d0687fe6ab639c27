"""Step `check_output`: every answer that leaves, extractive ones included, keeps links only to its records' own
sites or official domains, phone numbers only official ones, and amounts only its records' figures; anything else
is masked (assistant.checks). The model's answer is checked while it streams (assistant.streaming); this step checks
what the extractive composer wrote, since a record's fields may come from an upload."""

from __future__ import annotations

from assistant.catalog import RecordCatalog
from assistant.checks import OfficialContacts, check_final_answer
from assistant.context import AnswerContext
from assistant.forms import RECORD_LANGUAGES


class CheckOutput:
    name = "check_output"

    def __init__(self, catalog: RecordCatalog, official: OfficialContacts) -> None:
        self._catalog = catalog
        self._official = official

    def __call__(self, context: AnswerContext) -> None:
        if context.status != "answered" or context.mode == "llm" or not context.citations:
            return
        # The cited procedures' records in every language (an amount may be stated in any of them); looked up by
        # key, never by walking the catalogue, which at national scale holds thousands.
        cited = [stored for procedure_id in dict.fromkeys(c.procedure_id for c in context.citations)
                 for language in RECORD_LANGUAGES if (stored := self._catalog.get(procedure_id, language))]
        checked = check_final_answer(context.answer, cited, self._official)
        context.answer = checked.text
        if checked.masked:
            context.flags["masked"] = checked.masked
