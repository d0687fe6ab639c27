from __future__ import annotations

from assistant.context import AnswerContext, Citation
from assistant.steps.follow_up import ResolveFollowUp
from assistant.steps.suggest import Suggest

from .conftest import make_record


def _answered(language: str, shown: set[str]) -> AnswerContext:
    stored = make_record()
    context = AnswerContext(message="q", language=language, status="answered", shown_parts=shown)
    context.citations = [Citation(1, "passeport-biometrique", "t", "fr", "https://www.passeport.ma", "", stored)]
    return context


def test_suggestions_offer_the_parts_not_shown_in_the_users_language() -> None:
    context = _answered("fr", {"fees"})
    Suggest()(context)
    assert context.suggestions == ["Quels documents fournir ?", "Où s'adresser ?", "Quel est le délai ?"]


def test_darija_suggestions_are_in_darija() -> None:
    context = _answered("darija", {"documents", "fees"})
    Suggest()(context)
    assert context.suggestions[0] == "فين نمشي؟" and len(context.suggestions) == 3


def test_every_suggestion_sent_back_is_a_follow_up_asking_for_its_part() -> None:
    from assistant.context import Turn
    from assistant.resources import load_data

    for language, texts in load_data("suggestions").items():
        for part, text in texts.items():
            context = AnswerContext(message=text, history=[Turn("passeport ?", "…", "passeport-biometrique")])
            ResolveFollowUp(None)(context)
            assert context.flags.get("follow_up") and context.intents == [part], (language, part)


def test_a_refused_turn_gets_no_suggestions() -> None:
    context = AnswerContext(message="q", status="not_found")
    Suggest()(context)
    assert context.suggestions == []
