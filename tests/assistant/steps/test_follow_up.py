from __future__ import annotations

from assistant.context import AnswerContext, Turn
from assistant.llm import ChatModelError
from assistant.steps.follow_up import ResolveFollowUp


def test_a_short_question_word_message_is_read_with_the_previous_question() -> None:
    context = AnswerContext(message="et combien ?", history=[Turn("Comment obtenir un passeport ?", "…", "p")])
    ResolveFollowUp(None)(context)
    assert context.flags["follow_up"] and context.question == "Comment obtenir un passeport ? et combien ?"
    assert context.intents == ["fees"]


def test_a_new_question_is_not_a_follow_up() -> None:
    context = AnswerContext(message="Comment obtenir un casier judiciaire ?", history=[Turn("passeport ?")])
    ResolveFollowUp(None)(context)
    assert "follow_up" not in context.flags and context.question == context.message


def test_the_model_rewrites_a_follow_up_into_a_standalone_question(fake_model) -> None:
    fake_model.enqueue("Combien coûte le passeport ?")
    context = AnswerContext(message="et combien ?", history=[Turn("Comment obtenir un passeport ?", "…", "p")])
    ResolveFollowUp(fake_model)(context)
    assert context.question == "Combien coûte le passeport ?" and len(fake_model.calls) == 1


def test_a_failed_rewrite_falls_back_to_joining_the_questions(fake_model) -> None:
    fake_model.enqueue(ChatModelError("down"))
    context = AnswerContext(message="w fin?", history=[Turn("bghit passport", "…", "p")])
    ResolveFollowUp(fake_model)(context)
    assert context.question == "bghit passport w fin?"
