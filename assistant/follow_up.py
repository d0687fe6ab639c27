"""Which earlier turn a follow-up ("and how much?") builds on, and how long the resolved question may grow."""

from __future__ import annotations

from assistant.context import Turn

# A refused turn (manipulation, abuse) or a distress reply is never the topic of a follow-up.
_NOT_A_BASE = frozenset({"refused", "distress"})
MAX_BASE_WORDS = 30


def follow_up_base(history: list[Turn]) -> Turn | None:
    """The last turn, when a follow-up may build on it."""
    if not history or history[-1].status in _NOT_A_BASE:
        return None
    return history[-1]


def usable_history(history: list[Turn]) -> list[Turn]:
    """The turns a rewrite may show the model: refused ones never."""
    return [turn for turn in history if turn.status not in _NOT_A_BASE]


def resolved_question(previous_question: str, message: str) -> str:
    """The previous question, bounded, then the follow-up: a chain of follow-ups keeps the first words (the
    topic) instead of growing by every turn."""
    base = " ".join(previous_question.split()[:MAX_BASE_WORDS])
    return f"{base} {message}"
