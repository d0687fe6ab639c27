"""Agents review answered turns and correct them; admins see and undo what corrections taught, and export the
reviewed turns. Every correction is written to the audit trail with its author key and time."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.exc import SQLAlchemyError

from api.corrections import CorrectionError, build_review, reviewed_turns_csv
from api.deps import AdminDep, AgentDep, ServicesDep
from api.errors import ApiError
from api.review_schemas import (
    PROCEDURE_ID,
    AliasList,
    CorrectionList,
    LinkRequest,
    OutOfScopeList,
    QueueItem,
    ReviewQueue,
    ReviewRequest,
)
from api.schemas import ERRORS
from api.services import Services
from storage.reviews import (
    QueueFilter,
    ReviewedTurn,
    ReviewInput,
    UnknownAliasError,
    UnknownExampleError,
    UnknownTurnError,
)

router = APIRouter(prefix="/v1", responses=ERRORS)

_CORRECTION_STATUS = {"invalid_review": 400, "unknown_procedure": 400, "question_expired": 409}
_STATUS_NAME = re.compile(r"^[a-z_]{1,16}$")
T = TypeVar("T")
KnownProcedure = Callable[[str], bool]
TitleOf = Callable[[str, str], str]  # (procedure_id, language) -> title
StatusFilter = Annotated[list[str] | None, Query(description="repeat or comma-separate: not_found,clarify")]


@router.get("/agent/reviews", response_model=ReviewQueue, tags=["civil servants"])
def review_queue(
    services: ServicesDep, _: AgentDep, status: StatusFilter = None,
    language: Literal["fr", "ar", "en", "darija", "amazigh"] | None = None,
    procedure_id: Annotated[str | None, Query(max_length=128, pattern=PROCEDURE_ID)] = None,
    reviewed: bool | None = None, feedback: Literal["down"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    """Recent turns (redacted), thumbs-down first, then newest."""
    statuses = tuple(s.strip() for value in status or [] for s in value.split(",") if s.strip())
    if not all(_STATUS_NAME.match(s) for s in statuses):
        raise ApiError(400, "invalid_status", "status must be names such as answered, not_found, clarify")
    query = QueueFilter(language, statuses, procedure_id, reviewed, feedback == "down", limit, offset)
    items, total = _database(lambda: services.reviews.queue(query))
    return {"total": total, "items": [queue_item(t, services.catalog.title) for t in items]}


@router.put("/agent/reviews/{message_id}", response_model=QueueItem, tags=["civil servants"])
def mark_turn(message_id: str, body: ReviewRequest, services: ServicesDep, caller: AgentDep) -> dict[str, Any]:
    """Mark a turn correct, incomplete or wrong; where wrong, name the procedure that should have answered, or
    say it is not about public services. A later mark replaces the review; the audit trail keeps both."""
    turn = _turn(services, message_id)
    return _apply(services, turn, lambda known: build_review(
        turn, body.verdict, caller.key_id, body.note, body.expected_procedure_id, body.not_our_domain, known))


@router.post("/agent/reviews/{message_id}/link", response_model=QueueItem, tags=["civil servants"])
def link_question(message_id: str, body: LinkRequest, services: ServicesDep, caller: AgentDep) -> dict[str, Any]:
    """A question the assistant did not answer (not found, out of scope, clarify) belongs to this procedure."""
    turn = _turn(services, message_id)
    if turn.status == "answered":
        raise ApiError(409, "turn_answered", "this turn was answered; mark it wrong with expected_procedure_id")
    return _apply(services, turn, lambda known: build_review(
        turn, "wrong", caller.key_id, body.note, body.procedure_id, False, known, action="link"))


@router.get("/admin/aliases", response_model=AliasList, tags=["admins"])
def list_aliases(services: ServicesDep, _: AdminDep) -> dict[str, Any]:
    return {"aliases": _database(services.reviews.aliases)}


@router.delete("/admin/aliases/{alias_id}", status_code=204, tags=["admins"])
def remove_alias(alias_id: str, services: ServicesDep, caller: AdminDep) -> Response:
    """Retrieval stops using it from the next index generation (POST /v1/admin/reindex)."""
    try:
        _database(lambda: services.reviews.remove_alias(alias_id, caller.key_id))
    except UnknownAliasError as exc:
        raise ApiError(404, "unknown_alias", f"no learned alias {alias_id!r}") from exc
    return Response(status_code=204)


@router.get("/admin/out-of-scope", response_model=OutOfScopeList, tags=["admins"])
def list_out_of_scope(services: ServicesDep, _: AdminDep) -> dict[str, Any]:
    return {"examples": _database(services.reviews.out_of_scope_examples)}


@router.delete("/admin/out-of-scope/{example_id}", status_code=204, tags=["admins"])
def remove_out_of_scope(example_id: str, services: ServicesDep, caller: AdminDep) -> Response:
    """The gate stops treating the question as out of scope within a few seconds, on every replica."""
    try:
        _database(lambda: services.reviews.remove_out_of_scope(example_id, caller.key_id))
    except UnknownExampleError as exc:
        raise ApiError(404, "unknown_example", f"no out-of-scope example {example_id!r}") from exc
    services.out_of_scope.expire()
    return Response(status_code=204)


@router.get("/admin/corrections", response_model=CorrectionList, tags=["admins"])
def list_corrections(services: ServicesDep, _: AdminDep,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict[str, Any]:
    return {"corrections": _database(lambda: services.reviews.corrections(limit))}


@router.get("/admin/reviews.csv", tags=["admins"],
            responses={200: {"content": {"text/csv": {}}, "description": "reviewed turns, for an offline audit"}})
def export_reviews(services: ServicesDep, _: AdminDep) -> Response:
    body = reviewed_turns_csv(_database(services.reviews.reviewed_turns))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="sahla-reviews.csv"'})


def queue_item(turn: ReviewedTurn, title_of: TitleOf) -> dict[str, Any]:
    """The turn as the queue shows it. A clarify turn stored before choice titles were kept gets each title from
    the catalogue, in the turn's language."""
    review = None
    if turn.verdict is not None:
        review = {"verdict": turn.verdict, "note": turn.note, "expected_procedure_id": turn.expected_procedure_id,
                  "author_key_id": turn.reviewer_key_id, "reviewed_at": turn.reviewed_at}
    return {"message_id": turn.message_id, "conversation_id": turn.conversation_id, "created_at": turn.created_at,
            "language": turn.language, "form": turn.form, "status": turn.status, "mode": turn.mode,
            "procedure_id": turn.procedure_id, "question": turn.question or "", "answer": turn.answer or "",
            "citations": turn.citations,
            "choices": [{"procedure_id": c.procedure_id, "title": c.title or title_of(c.procedure_id, turn.language)}
                        for c in turn.choices],
            "feedback": turn.feedback, "feedback_comment": turn.feedback_comment,
            "review": review}


def _turn(services: Services, message_id: str) -> ReviewedTurn:
    turn = _database(lambda: services.reviews.turn(message_id))
    if turn is None:
        raise ApiError(404, "unknown_message", f"no turn {message_id!r}")
    return turn


def _apply(services: Services, turn: ReviewedTurn, build: Callable[[KnownProcedure], ReviewInput]) -> dict[str, Any]:
    known = _known_procedures(services)
    try:
        review = build(lambda procedure_id: procedure_id in known)
    except CorrectionError as exc:
        raise ApiError(_CORRECTION_STATUS.get(exc.code, 400), exc.code, str(exc)) from exc
    try:
        _database(lambda: services.reviews.save_review(review))
    except UnknownTurnError as exc:  # removed between reading and writing
        raise ApiError(404, "unknown_message", f"no turn {turn.message_id!r}") from exc
    if review.out_of_scope:
        services.out_of_scope.expire()
    return queue_item(_turn(services, turn.message_id), services.catalog.title)


def _known_procedures(services: Services) -> set[str]:
    indexed = services.catalog.procedure_ids()
    return indexed | _database(services.documents.uploaded_procedures)


def _database(call: Callable[[], T]) -> T:
    """A database failure is a 503 that says so, never a 500."""
    try:
        return call()
    except SQLAlchemyError as exc:
        raise ApiError(503, "database_unavailable", "reviews cannot be read or saved right now; try again shortly") from exc
