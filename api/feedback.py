"""Citizens' feedback on an answer: thumbs up or down, with an optional comment (redacted before it is stored)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError

from api.deps import OptionalCallerDep, ServicesDep
from api.errors import ApiError
from api.limits import enforce
from api.schemas import ERRORS, Created
from assistant.redact import redact
from assistant.text import sanitize
from storage.conversations import UnknownMessageError

router = APIRouter(prefix="/v1", tags=["citizens"])


class FeedbackRequest(BaseModel):
    message_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=2000)


@router.post("/feedback", status_code=201, response_model=Created, responses=ERRORS)
def give_feedback(body: FeedbackRequest, request: Request, services: ServicesDep,
                  caller: OptionalCallerDep) -> JSONResponse:
    enforce(services, request, caller, "feedback")
    comment = redact(sanitize(body.comment)).strip() if body.comment else None
    try:
        feedback_id = services.conversations.add_feedback(body.message_id, body.rating, comment or None)
    except UnknownMessageError as exc:
        raise ApiError(404, "unknown_message", "no answer with this message_id") from exc
    except SQLAlchemyError as exc:
        services.metrics.storage_failures.labels("feedback").inc()
        raise ApiError(503, "database_unavailable", "feedback cannot be saved right now; try again shortly") from exc
    return JSONResponse({"id": feedback_id}, status_code=201)
