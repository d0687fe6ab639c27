"""Agents' reviews of turns and what they teach: learned aliases, out-of-scope examples, and the audit trail of
every correction. Callers hand in text already redacted and normalised (api.corrections)."""

from __future__ import annotations

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from storage.conversations import OfferedChoice, offered_choices
from storage.database import Database
from storage.models import Correction, Feedback, LearnedAlias, Message, OutOfScopeExample, Review, utcnow

VERDICTS = ("correct", "incomplete", "wrong")


class UnknownTurnError(LookupError):
    pass


class UnknownAliasError(LookupError):
    pass


class UnknownExampleError(LookupError):
    pass


@dataclass(frozen=True)
class QueueFilter:
    language: str | None = None
    statuses: tuple[str, ...] = ()
    procedure_id: str | None = None
    reviewed: bool | None = None  # None: both
    thumbs_down_only: bool = False
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class ReviewInput:
    """One agent action on one turn. `alias` (the turn's normalised question) is learned for
    `expected_procedure_id`; `out_of_scope` (the same question) joins the out-of-scope examples."""

    message_id: str
    verdict: str
    author_key_id: str
    action: str = "review"  # review or link, for the audit trail
    note: str | None = None
    expected_procedure_id: str | None = None
    alias: str | None = None
    out_of_scope: str | None = None


@dataclass(frozen=True)
class ReviewedTurn:
    """What an agent needs to judge a turn: its question and answer (redacted), its citations and, for a clarify
    turn, its choices as shown."""

    message_id: str
    conversation_id: str
    created_at: datetime
    language: str
    form: str
    status: str
    mode: str
    procedure_id: str | None
    question: str | None
    answer: str | None
    citations: list[dict[str, Any]]
    choices: tuple[OfferedChoice, ...]
    feedback: str | None
    feedback_comment: str | None
    verdict: str | None
    note: str | None
    expected_procedure_id: str | None
    reviewer_key_id: str | None
    reviewed_at: datetime | None


class ReviewStore:
    def __init__(self, database: Database) -> None:
        self._db = database

    def turn(self, message_id: str) -> ReviewedTurn | None:
        with self._db.session() as session:
            row = session.execute(_turn_query().where(Message.id == message_id)).first()
        return _reviewed(row) if row is not None else None

    def queue(self, query: QueueFilter) -> tuple[list[ReviewedTurn], int]:
        """Turns whose text is still kept, thumbs-down first, then newest; and how many match in all."""
        statement = _turn_query().where(Message.question.is_not(None))
        if query.language:
            statement = statement.where(Message.language == query.language)
        if query.statuses:
            statement = statement.where(Message.status.in_(query.statuses))
        if query.procedure_id:
            statement = statement.where((Message.procedure_id == query.procedure_id)
                                        | (Review.expected_procedure_id == query.procedure_id))
        if query.reviewed is not None:
            statement = statement.where(Review.verdict.is_not(None) if query.reviewed else Review.verdict.is_(None))
        if query.thumbs_down_only:
            statement = statement.where(Feedback.rating == "down")
        thumbs_down_first = case((Feedback.rating == "down", 0), else_=1)
        with self._db.session() as session:
            total = int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
            rows = session.execute(statement.order_by(thumbs_down_first, Message.created_at.desc(), Message.id)
                                   .limit(query.limit).offset(query.offset)).all()
        return [_reviewed(row) for row in rows], total

    def save_review(self, review: ReviewInput) -> None:
        """The review, what it teaches and its audit row, in one transaction: all of it or none."""
        now = utcnow()
        with self._db.session() as session:
            message = session.get(Message, review.message_id)
            if message is None:
                raise UnknownTurnError(review.message_id)
            session.merge(Review(message_id=review.message_id, verdict=review.verdict, note=review.note,
                                 expected_procedure_id=review.expected_procedure_id,
                                 author_key_id=review.author_key_id, created_at=now))
            if review.alias and review.expected_procedure_id:
                _learn_alias(session, review, message.language, now)
            if review.out_of_scope:
                _add_out_of_scope(session, review, message.language, now)
            _audit(session, review.action, review.author_key_id, now, message_id=review.message_id,
                   verdict=review.verdict, procedure_id=review.expected_procedure_id,
                   question=review.alias or review.out_of_scope)

    def purge_notes_older_than(self, days: int) -> int:
        """Retention reaches agents' notes too: a correction keeps only its normalised question."""
        cutoff = utcnow() - timedelta(days=days)
        with self._db.session() as session:
            result = session.execute(update(Review).where(Review.created_at < cutoff, Review.note.is_not(None))
                                     .values(note=None))
        return int(getattr(result, "rowcount", 0) or 0)

    # -- learned aliases -------------------------------------------------------------------------------------
    def aliases(self) -> list[dict[str, Any]]:
        with self._db.session() as session:
            rows = session.scalars(select(LearnedAlias).order_by(LearnedAlias.created_at.desc(), LearnedAlias.id))
            return [{"id": r.id, "procedure_id": r.procedure_id, "alias": r.alias, "language": r.language,
                     "source_message_id": r.source_message_id, "author_key_id": r.author_key_id,
                     "created_at": r.created_at} for r in rows]

    def aliases_by_procedure(self) -> dict[str, list[str]]:
        """procedure_id -> learned aliases, oldest first: what the next index generation adds to each record."""
        found: dict[str, list[str]] = defaultdict(list)
        with self._db.session() as session:
            for procedure_id, alias in session.execute(
                    select(LearnedAlias.procedure_id, LearnedAlias.alias).order_by(LearnedAlias.created_at)):
                found[procedure_id].append(alias)
        return dict(found)

    def remove_alias(self, alias_id: str, author_key_id: str) -> None:
        now = utcnow()
        with self._db.session() as session:
            row = session.get(LearnedAlias, alias_id)
            if row is None:
                raise UnknownAliasError(alias_id)
            session.delete(row)
            _audit(session, "alias_removed", author_key_id, now, message_id=row.source_message_id,
                   procedure_id=row.procedure_id, question=row.alias)

    # -- out-of-scope examples and the audit trail --------------------------------------------------------
    def out_of_scope_questions(self) -> set[str]:
        with self._db.session() as session:
            return set(session.scalars(select(OutOfScopeExample.question)))

    def out_of_scope_examples(self) -> list[dict[str, Any]]:
        with self._db.session() as session:
            rows = session.scalars(select(OutOfScopeExample).order_by(OutOfScopeExample.created_at.desc(),
                                                                      OutOfScopeExample.id))
            return [{"id": r.id, "question": r.question, "language": r.language, "author_key_id": r.author_key_id,
                     "created_at": r.created_at} for r in rows]

    def remove_out_of_scope(self, example_id: str, author_key_id: str) -> None:
        with self._db.session() as session:
            row = session.get(OutOfScopeExample, example_id)
            if row is None:
                raise UnknownExampleError(example_id)
            session.delete(row)
            _audit(session, "out_of_scope_removed", author_key_id, utcnow(), question=row.question)

    def corrections(self, limit: int = 200) -> list[dict[str, Any]]:
        with self._db.session() as session:
            rows = session.scalars(select(Correction).order_by(Correction.created_at.desc(), Correction.id)
                                   .limit(limit))
            return [{"id": r.id, "action": r.action, "message_id": r.message_id, "verdict": r.verdict,
                     "procedure_id": r.procedure_id, "question": r.question, "author_key_id": r.author_key_id,
                     "created_at": r.created_at} for r in rows]

    def reviewed_turns(self) -> list[ReviewedTurn]:
        """Every reviewed turn, newest review first (for the CSV export)."""
        with self._db.session() as session:
            rows = session.execute(_turn_query().where(Review.verdict.is_not(None))
                                   .order_by(Review.created_at.desc(), Message.id)).all()
        return [_reviewed(row) for row in rows]


def _turn_query() -> Any:
    return (select(Message, Feedback.rating, Feedback.comment, Review)
            .outerjoin(Feedback, Feedback.message_id == Message.id)
            .outerjoin(Review, Review.message_id == Message.id))


def _reviewed(row: Any) -> ReviewedTurn:
    message, rating, comment, review = row
    return ReviewedTurn(
        message.id, message.conversation_id, message.created_at, message.language, message.form or message.language,
        message.status, message.mode, message.procedure_id, message.question, message.answer,
        list(message.citations or []), offered_choices(message.choices), rating, comment,
        review.verdict if review else None, review.note if review else None,
        review.expected_procedure_id if review else None, review.author_key_id if review else None,
        review.created_at if review else None)


def _learn_alias(session: Session, review: ReviewInput, language: str, now: datetime) -> None:
    assert review.alias and review.expected_procedure_id
    exists = session.scalars(select(LearnedAlias.id).where(
        LearnedAlias.procedure_id == review.expected_procedure_id, LearnedAlias.alias == review.alias)).first()
    if exists is None:
        session.add(LearnedAlias(id=secrets.token_hex(8), procedure_id=review.expected_procedure_id,
                                 alias=review.alias, language=language, source_message_id=review.message_id,
                                 author_key_id=review.author_key_id, created_at=now))


def _add_out_of_scope(session: Session, review: ReviewInput, language: str, now: datetime) -> None:
    exists = session.scalars(select(OutOfScopeExample.id).where(
        OutOfScopeExample.question == review.out_of_scope)).first()
    if exists is None:
        session.add(OutOfScopeExample(id=secrets.token_hex(8), question=review.out_of_scope, language=language,
                                      author_key_id=review.author_key_id, created_at=now))


def _audit(session: Session, action: str, author_key_id: str, now: datetime, **fields: Any) -> None:
    session.add(Correction(id=secrets.token_hex(8), action=action, author_key_id=author_key_id, created_at=now,
                           **fields))
