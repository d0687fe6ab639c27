"""Step `follow_up`: a short message made only of question words ("et combien ?", "w fin?") is read with the
previous question; with a model, the model rewrites it into a standalone question."""

from __future__ import annotations

import logging

from assistant.context import AnswerContext
from assistant.extractive import detect_intents, intent_vocabulary
from assistant.follow_up import follow_up_base, resolved_question, usable_history
from assistant.llm import ChatModel, ChatModelError
from assistant.redact import redact
from assistant.resources import load_prompt
from assistant.steps.suggest import suggested_parts
from assistant.text import keyword_tokens, padded_words, words

logger = logging.getLogger(__name__)


class ResolveFollowUp:
    name = "follow_up"

    def __init__(self, chat_model: ChatModel | None, max_words: int = 6) -> None:
        self._chat_model = chat_model
        self._max_words = max_words

    def __call__(self, context: AnswerContext) -> None:
        suggested = suggested_parts().get(padded_words(context.message))
        arabizi = context.form == "darija_latin"
        context.intents = [suggested] if suggested else detect_intents(context.message, arabizi=arabizi)
        context.question = context.question or context.message
        previous = follow_up_base(context.history)
        if context.flags.get("choice") or previous is None or not self.is_follow_up(context.message):
            return
        context.flags["follow_up"] = True
        context.flags["follow_up_procedure"] = previous.procedure_id
        if self._chat_model is not None:
            try:
                context.question = self._rewrite(context)
                return
            except ChatModelError as exc:
                logger.warning("event=rewrite_failed reason=%s", exc)
        context.question = resolved_question(previous.question, context.message)

    def is_follow_up(self, message: str) -> bool:
        if padded_words(message) in suggested_parts():
            return True
        if len(words(message)) > self._max_words:
            return False
        # Nothing but question words: "et combien ça coûte ?", "w ch7al?", "and where?".
        return all(t in intent_vocabulary() for t in keyword_tokens(message))

    def _rewrite(self, context: AnswerContext) -> str:
        assert self._chat_model is not None
        messages = [{"role": "system", "content": load_prompt("rewrite.md")}]
        for turn in usable_history(context.history)[-3:]:
            messages.append({"role": "user", "content": redact(turn.question)})
            if turn.answer:
                messages.append({"role": "assistant", "content": redact(turn.answer)[:600]})
        messages.append({"role": "user", "content": redact(context.message)})
        rewritten = self._chat_model.complete(messages).strip()
        if not rewritten or len(rewritten) > 500:
            raise ChatModelError("unusable rewrite")
        return rewritten
