"""Citizens' chat: one turn as JSON, or streamed as Server-Sent Events (meta, citations, delta..., done)."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sse_starlette.sse import EventSourceResponse

from api.deps import ServicesDep
from api.services import Services
from assistant.context import AnswerContext, Turn

router = APIRouter(prefix="/v1", tags=["citizens"])
logger = logging.getLogger(__name__)


class ChatRequest(BaseModel):
    message: str = Field(min_length=1, max_length=2000)
    conversation_id: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    language: Literal["auto", "fr", "ar", "en", "darija"] = "auto"
    stream: bool = False


@router.post("/chat", response_model=None)
def chat(body: ChatRequest, request: Request, services: ServicesDep) -> dict[str, Any] | EventSourceResponse:
    conversation_id = body.conversation_id or services.conversations.new_id()
    wants_stream = body.stream or "text/event-stream" in request.headers.get("accept", "")
    if wants_stream:
        return EventSourceResponse(_events(services, body, conversation_id))
    started = time.perf_counter()
    context = services.pipeline.run(body.message, services.conversations.history(conversation_id), body.language)
    return _finish(services, context, conversation_id, uuid.uuid4().hex, started)


def _events(services: Services, body: ChatRequest, conversation_id: str) -> Iterator[dict[str, str]]:
    started = time.perf_counter()
    message_id = uuid.uuid4().hex
    try:
        history = services.conversations.history(conversation_id)
        context = services.pipeline.prepare(body.message, history, body.language)
        yield _event("meta", {"conversation_id": conversation_id, "message_id": message_id,
                              "language": context.language})
        if context.status == "answered" and context.chosen is not None:
            # The citation for the chosen record is known before composing; the final list is in "done".
            citation = services.pipeline.citation_for(context.chosen.procedure_id, context.language, 1)
            yield _event("citations", [citation.public()] if citation else [])
        else:
            yield _event("citations", [])
        for delta in services.pipeline.compose(context):
            yield _event("delta", {"text": delta})
        yield _event("done", _finish(services, context, conversation_id, message_id, started))
    except Exception:
        logger.exception("event=stream_failed")
        yield _event("error", {"code": "internal_error", "message": "the answer could not be completed"})


def _finish(services: Services, context: AnswerContext, conversation_id: str, message_id: str,
            started: float) -> dict[str, Any]:
    services.conversations.append(conversation_id, Turn(
        question=context.question or context.message, answer=context.answer,
        procedure_id=context.chosen.procedure_id if context.status == "answered" and context.chosen else None,
    ))
    return {
        "conversation_id": conversation_id, "message_id": message_id, "status": context.status,
        "language": context.language, "answer": context.answer,
        "citations": [c.public() for c in context.citations], "mode": context.mode,
        "timings_ms": {"retrieval": round(context.timings.get("retrieval", 0.0), 2),
                       "generation": round(context.timings.get("generation", 0.0), 2),
                       "total": round((time.perf_counter() - started) * 1000, 2)},
    }


def _event(name: str, data: Any) -> dict[str, str]:
    return {"event": name, "data": json.dumps(data, ensure_ascii=False)}
