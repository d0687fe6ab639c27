"""Step `screen`: a message in distress gets a caring reply with a helpline; prompt injection and abuse are
refused; both before anything is retrieved. The screen reads the text without invisible characters
(assistant.screen)."""

from __future__ import annotations

from assistant.context import AnswerContext
from assistant.messages import Messages
from assistant.screen import distress_reply, screen_message


class Screen:
    name = "screen"

    def __init__(self, messages: Messages) -> None:
        self._messages = messages

    def __call__(self, context: AnswerContext) -> None:
        verdict = screen_message(context.message)
        if verdict is None:
            return
        context.flags["screened"] = verdict.pattern
        if verdict.kind == "distress":
            context.flags["distress"] = True
            context.stop("out_of_scope", distress_reply(context.language))
        elif verdict.kind == "partisan":  # a fair question outside our domain, not an abuse
            context.stop("out_of_scope", self._messages.text("out_of_scope", context.language))
        else:
            context.stop("refused", self._messages.text("refused", context.language))
