"""Step `screen`: prompt injection and abuse are refused before anything is retrieved."""

from __future__ import annotations

import re

from assistant.context import AnswerContext
from assistant.messages import Messages
from assistant.resources import load_data
from assistant.text import words


class Screen:
    name = "screen"

    def __init__(self, messages: Messages) -> None:
        self._messages = messages
        safety = load_data("safety")
        self._patterns = [re.compile(p) for p in safety["injection"] + safety["abuse"]]

    def __call__(self, context: AnswerContext) -> None:
        text = " ".join(words(context.message))
        raw = context.message.lower()
        for pattern in self._patterns:
            if pattern.search(text) or pattern.search(raw):
                context.flags["screened"] = pattern.pattern
                context.stop("refused", self._messages.text("refused", context.language))
                return
