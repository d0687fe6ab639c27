"""What agents' corrections do: a review may teach an alias ("should have been procedure X") or an out-of-scope
example ("not our domain"). Only the redacted, normalised question is ever kept for either."""

from __future__ import annotations

import csv
import io
import logging
import threading
import time
from collections.abc import Callable, Iterable

from sqlalchemy.exc import SQLAlchemyError

from assistant.redact import redact
from assistant.text import sanitize, words
from storage.reviews import ReviewedTurn, ReviewInput, ReviewStore

logger = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 500


class CorrectionError(ValueError):
    """A correction that cannot be applied; `code` names the problem for the error body."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def normalised_question(text: str) -> str:
    """Redacted first (an e-mail needs its @), then folded to the words BM25 and the gate see."""
    return " ".join(words(redact(sanitize(text))))[:MAX_QUESTION_CHARS]


def build_review(turn: ReviewedTurn, verdict: str, author_key_id: str, note: str | None,
                 expected_procedure_id: str | None, not_our_domain: bool,
                 known_procedure: Callable[[str], bool], action: str = "review") -> ReviewInput:
    """Checks the agent's marks against each other and the corpus, and says what the review teaches."""
    if expected_procedure_id and verdict != "wrong":
        raise CorrectionError("invalid_review", "expected_procedure_id goes with the verdict 'wrong' only")
    if not_our_domain and (verdict != "wrong" or expected_procedure_id):
        raise CorrectionError("invalid_review",
                              "not_our_domain goes with the verdict 'wrong' and without expected_procedure_id")
    if expected_procedure_id and not known_procedure(expected_procedure_id):
        raise CorrectionError("unknown_procedure", f"no procedure {expected_procedure_id!r} in the index")
    question = normalised_question(turn.question or "")
    if (expected_procedure_id or not_our_domain) and not question:
        raise CorrectionError("question_expired", "this turn's question was deleted (retention); nothing to learn")
    clean_note = redact(sanitize(note)).strip() if note else None
    return ReviewInput(turn.message_id, verdict, author_key_id, action=action, note=clean_note or None,
                       expected_procedure_id=expected_procedure_id or None,
                       alias=question if expected_procedure_id else None,
                       out_of_scope=question if not_our_domain else None)


class KnownOutOfScope:
    """The provider the answer pipeline's gate asks: has an agent marked this very question "not our domain"?
    The examples are read from the database at most every few seconds, so every replica follows a new mark."""

    def __init__(self, store: ReviewStore, refresh_seconds: float = 5.0) -> None:
        self._store = store
        self._refresh_seconds = refresh_seconds
        self._lock = threading.Lock()
        self._questions: frozenset[str] = frozenset()
        self._loaded_at: float | None = None

    def is_known_out_of_scope(self, question: str) -> bool:
        key = normalised_question(question)
        return bool(key) and key in self._current()

    def expire(self) -> None:
        self._loaded_at = None

    def marks(self) -> frozenset[str]:
        """The marks now in force (the answer cache keys on them: a new mark makes older answers unreachable)."""
        return self._current()

    def _current(self) -> frozenset[str]:
        now = time.monotonic()
        if self._loaded_at is not None and now - self._loaded_at < self._refresh_seconds:
            return self._questions
        with self._lock:
            try:
                self._questions = frozenset(self._store.out_of_scope_questions())
            except SQLAlchemyError:
                # The database is down: answering goes on with the examples read last.
                logger.warning("event=out_of_scope_examples_unavailable kept=%d", len(self._questions))
            self._loaded_at = now
        return self._questions


CSV_COLUMNS = ("message_id", "turn_at", "language", "form", "status", "mode", "answered_procedure", "question",
               "answer", "citations", "thumbs", "verdict", "note", "expected_procedure", "reviewer_key_id",
               "reviewed_at")


def reviewed_turns_csv(turns: Iterable[ReviewedTurn]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for t in turns:
        writer.writerow([_cell(v) for v in (
            t.message_id, t.created_at.isoformat(), t.language, t.form, t.status, t.mode, t.procedure_id,
            t.question, t.answer, " ".join(str(c.get("procedure_id", "")) for c in t.citations), t.feedback,
            t.verdict, t.note, t.expected_procedure_id, t.reviewer_key_id,
            t.reviewed_at.isoformat() if t.reviewed_at else None)])
    return buffer.getvalue()


def _cell(value: object) -> str:
    """A citizen's text must not run as a formula when the audit file is opened in a spreadsheet."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
