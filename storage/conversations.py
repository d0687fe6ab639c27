"""Conversation turns, feedback and the statistics drawn from them. Callers hand in text already redacted."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from storage.database import Database
from storage.models import Conversation, Feedback, Message, utcnow

# The tables themselves, not the mapped classes: a statement on a class goes through the ORM's bulk path, a sixth
# of storing a turn, for rows this module never reads back as objects.
_CONVERSATIONS = cast(Table, Conversation.__table__)
_MESSAGES = cast(Table, Message.__table__)


@dataclass(frozen=True)
class StoredTurn:
    message_id: str
    question: str
    answer: str
    procedure_id: str | None
    status: str
    language: str
    choices: tuple[str, ...] = ()


class UnknownMessageError(LookupError):
    pass


@dataclass(frozen=True)
class OfferedChoice:
    procedure_id: str
    title: str | None  # None for turns stored before titles were kept


def offered_choices(stored: list[Any] | None) -> tuple[OfferedChoice, ...]:
    """A clarify turn's choices in the order offered, from what `messages.choices` holds: {procedure_id, title} as
    the citizen saw them, or, for turns stored before the review queue showed them, the ids alone."""
    choices: list[OfferedChoice] = []
    for entry in stored or ():
        if isinstance(entry, str):
            choices.append(OfferedChoice(entry, None))
        elif isinstance(entry, dict) and isinstance(entry.get("procedure_id"), str):
            title = entry.get("title")
            choices.append(OfferedChoice(entry["procedure_id"], title if isinstance(title, str) else None))
    return tuple(choices)


class ConversationStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def history(self, conversation_id: str, limit: int = 6) -> list[StoredTurn]:
        """The last `limit` turns, oldest first. Empty means no such conversation: one is only ever created with its
        first turn, and retention keeps the rows (only their text goes)."""
        with self._db.session() as session:
            rows = session.scalars(
                select(Message).where(Message.conversation_id == conversation_id)
                .order_by(Message.created_at.desc(), Message.id).limit(limit)
            ).all()
        return [StoredTurn(m.id, m.question or "", m.answer or "", m.procedure_id, m.status, m.language,
                           tuple(c.procedure_id for c in offered_choices(m.choices)))
                for m in reversed(rows)]

    def record_turn(self, conversation_id: str, message_id: str, *, new_conversation: bool = False,
                    **fields: Any) -> None:
        """Store one turn (question, answer, language, status, mode, procedure_id, *_ms) in one transaction of two
        statements and no read: a conversation the caller knows is new is inserted; any other is touched, and
        inserted only if the update found none (its history could not be read, or it was never stored)."""
        now = utcnow()
        with self._db.session(write=True) as session:
            touched = 0
            if not new_conversation:
                result = session.execute(
                    update(_CONVERSATIONS).where(_CONVERSATIONS.c.id == conversation_id).values(updated_at=now))
                touched = int(getattr(result, "rowcount", 0) or 0)
            if not touched:
                session.execute(insert(_CONVERSATIONS).values(id=conversation_id, created_at=now, updated_at=now))
            session.execute(insert(_MESSAGES).values(id=message_id, conversation_id=conversation_id, created_at=now,
                                                     **fields))

    def add_feedback(self, message_id: str, rating: str, comment: str | None) -> str:
        """One feedback per answer: a thumb is recorded at once, and a comment sent later (or a changed mind)
        updates the same row instead of counting the answer twice."""
        with self._db.session() as session:
            if session.get(Message, message_id) is None:
                raise UnknownMessageError(message_id)
            existing = session.scalars(select(Feedback).where(Feedback.message_id == message_id)).first()
            if existing is not None:
                existing.rating, existing.comment = rating, comment or existing.comment
                return existing.id
            feedback_id = uuid.uuid4().hex
            session.add(Feedback(id=feedback_id, message_id=message_id, rating=rating, comment=comment))
        return feedback_id

    def purge_text_older_than(self, days: int) -> int:
        """Forget what was said more than `days` ago; the counts behind the statistics stay."""
        cutoff = utcnow() - timedelta(days=days)
        with self._db.session() as session:
            result = session.execute(
                update(Message).where(Message.created_at < cutoff, Message.question.is_not(None))
                .values(question=None, answer=None)
            )
            session.execute(update(Feedback).where(Feedback.created_at < cutoff).values(comment=None))
        return int(getattr(result, "rowcount", 0) or 0)

    def stats(self, top: int = 10) -> dict[str, Any]:
        with self._db.session() as session:
            by_language = _count_by(session, Message.language)
            by_status = _count_by(session, Message.status)
            by_mode = _count_by(session, Message.mode)
            feedback = _count_by(session, Feedback.rating)
            not_found = session.execute(
                select(func.lower(Message.question), func.count().label("n"))
                .where(Message.status == "not_found", Message.question.is_not(None))
                .group_by(func.lower(Message.question)).order_by(func.count().desc()).limit(top)
            ).all()
        return {
            "questions": {"total": sum(by_language.values()), "by_language": by_language, "by_status": by_status,
                          "by_mode": by_mode},
            "feedback": {"up": feedback.get("up", 0), "down": feedback.get("down", 0)},
            "top_not_found": [{"question": q, "count": n} for q, n in not_found],
        }


def _count_by(session: Session, column: InstrumentedAttribute[str]) -> dict[str, int]:
    rows = session.execute(select(column, func.count()).group_by(column)).all()
    return {str(value): int(count) for value, count in rows}
