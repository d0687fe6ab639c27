"""Tables. Text a citizen typed is stored only after redaction; keys only as hashes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    """Naive UTC: SQLite keeps no time zone, so every timestamp is UTC by convention, in both engines."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    __tablename__ = "conversations"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)


class Message(Base):
    """One chat turn. Question and answer text are set to NULL once older than the retention period."""

    __tablename__ = "messages"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow, index=True)
    language: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), index=True)
    mode: Mapped[str] = mapped_column(String(16))
    procedure_id: Mapped[str | None] = mapped_column(String(128))
    # A clarify turn's offered procedures as the citizen saw them ({procedure_id, title}); turns stored before the
    # review queue showed them hold the ids alone (read through storage.conversations.offered_choices).
    choices: Mapped[list[dict[str, str]] | list[str] | None] = mapped_column(JSON, nullable=True)
    question: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    retrieval_ms: Mapped[float] = mapped_column(Float, default=0.0)
    generation_ms: Mapped[float] = mapped_column(Float, default=0.0)
    total_ms: Mapped[float] = mapped_column(Float, default=0.0)
    # Added by 0004_reviews: the language form retrieval weighed by (darija_latin apart from darija), and the
    # citations as the citizen saw them, for the review queue.
    form: Mapped[str | None] = mapped_column(String(16))
    citations: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class Feedback(Base):
    __tablename__ = "feedback"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    rating: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime())


class Job(Base):
    """An index job. `active` is TRUE while queued or running and NULL after: the unique constraint lets at most
    one job be active across every replica, since NULLs never collide."""

    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("active", name="uq_jobs_one_active"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # reindex, upload, delete, import, sync
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool | None] = mapped_column(Boolean)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    errors: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    results: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # a sync's outcome for each URL
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(DateTime())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)


class Document(Base):
    """An uploaded source (its bytes kept here so any replica can rebuild the index), or, with `deleted`, a
    corpus procedure an admin removed from service."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_procedure", "procedure_id"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    procedure_id: Mapped[str] = mapped_column(String(128))
    language: Mapped[str | None] = mapped_column(String(8))
    filename: Mapped[str | None] = mapped_column(String(255))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str | None] = mapped_column(String(64))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    # A page fetched by the source sync: its URL and when this version was fetched, the provenance of its fields.
    origin_url: Mapped[str | None] = mapped_column(String(2048))
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime())


class SyncSource(Base):
    """An official URL an admin registered: one page, or a sitemap whose pages are all kept in sync."""

    __tablename__ = "sync_sources"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # page, sitemap
    procedure_id: Mapped[str | None] = mapped_column(String(128))  # a page's procedure, when the admin named it
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime())
    status: Mapped[str | None] = mapped_column(String(16))  # ok, partial, failed (of the last run)
    message: Mapped[str | None] = mapped_column(Text)


class SyncPage(Base):
    """One URL the sync fetches, with what the last good version was and what the last fetch said."""

    __tablename__ = "sync_pages"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    source_id: Mapped[str] = mapped_column(ForeignKey("sync_sources.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    procedure_id: Mapped[str | None] = mapped_column(String(128))  # set by the first good fetch, then kept
    language: Mapped[str | None] = mapped_column(String(8))
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    content_hash: Mapped[str | None] = mapped_column(String(64))  # of the last good version, the one served
    text_chars: Mapped[int] = mapped_column(default=0)  # its extracted text's length, to see a page shrink
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime())  # when the last good version was fetched
    checked_at: Mapped[datetime | None] = mapped_column(DateTime())
    outcome: Mapped[str | None] = mapped_column(String(16))
    http_status: Mapped[int | None] = mapped_column()
    message: Mapped[str | None] = mapped_column(Text)
    gone_count: Mapped[int] = mapped_column(default=0)  # consecutive runs that found it 404 or 410


class Review(Base):
    """An agent's verdict on one turn: correct, incomplete or wrong, with a short (redacted) note and, when wrong,
    the procedure that should have answered. One per turn; a later review replaces it (the audit keeps both)."""

    __tablename__ = "reviews"
    message_id: Mapped[str] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(16), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    expected_procedure_id: Mapped[str | None] = mapped_column(String(128))
    author_key_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)


class LearnedAlias(Base):
    """A question (redacted, normalised) an agent said a procedure answers: added to that procedure's aliases
    when the next index generation is built."""

    __tablename__ = "learned_aliases"
    __table_args__ = (UniqueConstraint("procedure_id", "alias", name="uq_learned_alias"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    procedure_id: Mapped[str] = mapped_column(String(128), index=True)
    alias: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(16))
    source_message_id: Mapped[str | None] = mapped_column(String(64))
    author_key_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)


class OutOfScopeExample(Base):
    """A question (redacted, normalised) an agent marked as not about public services."""

    __tablename__ = "out_of_scope_examples"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    question: Mapped[str] = mapped_column(String(500), unique=True)
    language: Mapped[str] = mapped_column(String(16))
    author_key_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)


class Correction(Base):
    """The audit trail: every review, link, alias removal and out-of-scope mark, with its author key and time.
    No foreign key to the turn: the trail outlives turns, and keeps only the redacted, normalised question."""

    __tablename__ = "corrections"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    action: Mapped[str] = mapped_column(String(32))  # review, link, out_of_scope, alias_removed
    message_id: Mapped[str | None] = mapped_column(String(64))
    verdict: Mapped[str | None] = mapped_column(String(16))
    procedure_id: Mapped[str | None] = mapped_column(String(128))
    question: Mapped[str | None] = mapped_column(String(500))
    author_key_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow, index=True)
