"""Step `understand`: strip invisible characters, detect the language and the form the question is written in."""

from __future__ import annotations

from assistant.context import AnswerContext
from assistant.language import language_and_form
from assistant.messages import Messages
from assistant.text import sanitize, words


class Understand:
    name = "understand"

    def __init__(self, messages: Messages) -> None:
        self._messages = messages

    def __call__(self, context: AnswerContext) -> None:
        context.message = sanitize(context.message).strip()
        detected, context.form = language_and_form(context.message)
        context.language = detected if context.requested_language == "auto" else context.requested_language
        if not words(context.message):
            context.stop("out_of_scope", self._messages.text("empty", context.language))
