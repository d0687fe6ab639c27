"""Naming a clarify choice: by id, title or position, in any supported language."""

from __future__ import annotations

import pytest

from assistant.context import AnswerContext, Turn
from assistant.steps.choice import ResolveChoice

from .conftest import make_record


class Catalog:
    def __init__(self) -> None:
        self._records = {("cnie-premiere-demande", "fr"): make_record(id="cnie-premiere-demande",
                                                                       title="CNIE première demande"),
                         ("cnie-renouvellement", "fr"): make_record(id="cnie-renouvellement",
                                                                     title="CNIE renouvellement")}

    def get(self, procedure_id: str, language: str):  # noqa: ANN201
        return self._records.get((procedure_id, language))


CLARIFY = Turn("Je veux ma carte d'identité", "Laquelle ?", None, "clarify",
               ("cnie-premiere-demande", "cnie-renouvellement"))


@pytest.mark.parametrize(("message", "expected"), [
    ("cnie-renouvellement", "cnie-renouvellement"), ("la deuxième", "cnie-renouvellement"),
    ("the first one", "cnie-premiere-demande"), ("التانية", "cnie-renouvellement"), ("lowel", "cnie-premiere-demande"),
    ("CNIE renouvellement", "cnie-renouvellement"),
])
def test_a_choice_is_named_by_id_title_or_position(message: str, expected: str) -> None:
    context = AnswerContext(message=message, history=[CLARIFY])
    ResolveChoice(Catalog())(context)  # type: ignore[arg-type]
    assert context.flags["choice"] == expected and context.question == CLARIFY.question


def test_a_new_question_after_a_clarify_turn_is_not_a_choice() -> None:
    context = AnswerContext(message="Comment obtenir un extrait de casier judiciaire pour un emploi ?",
                            history=[CLARIFY])
    ResolveChoice(Catalog())(context)  # type: ignore[arg-type]
    assert "choice" not in context.flags
