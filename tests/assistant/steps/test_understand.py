from __future__ import annotations

from assistant.context import AnswerContext
from assistant.messages import Messages
from assistant.steps.understand import Understand


def test_darija_without_arabic_letters_is_read_as_darija_in_latin_letters() -> None:
    context = AnswerContext(message="ch7al kaykhlles lpassport?")
    Understand(Messages())(context)
    assert (context.language, context.form) == ("darija", "darija_latin")


def test_darija_in_arabic_script_keeps_the_darija_form() -> None:
    context = AnswerContext(message="بغيت نجدد لاكارط ديالي شنو خاصني؟")
    Understand(Messages())(context)
    assert (context.language, context.form) == ("darija", "darija")


def test_a_message_of_symbols_only_stops_as_out_of_scope_with_the_empty_text() -> None:
    context = AnswerContext(message="?!… \u200b")
    Understand(Messages())(context)
    assert context.status == "out_of_scope" and "vide" in context.answer
