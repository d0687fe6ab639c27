"""Citizens' chat: one turn as JSON, or streamed as Server-Sent Events (meta, choices for a clarify turn, citations,
delta..., suggestions, done; `replace` before `done` when a fallback answer replaces the text streamed so far).
Turns live in the database, so any replica continues any conversation."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from sse_starlette.sse import EventSourceResponse

from api.deps import OptionalCallerDep, ServicesDep
from api.errors import ApiError
from api.limits import enforce
from api.schemas import ERRORS, ChatResponse
from api.services import Services
from assistant.answer_cache import CacheKey
from assistant.context import AnswerContext, Turn
from assistant.redact import redact

router = APIRouter(prefix="/v1", tags=["citizens"])
logger = logging.getLogger(__name__)


class ChatRequest(BaseModel):
    # The length limit is the settings' (413 past it), so it is not fixed in the schema.
    message: str = Field(min_length=1)
    conversation_id: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    language: Literal["auto", "fr", "ar", "en", "darija"] = "auto"
    stream: bool = False


@router.post("/chat", response_model=ChatResponse, responses={
    **ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "the turn, as JSON or as Server-Sent Events"}})
def chat(body: ChatRequest, request: Request, services: ServicesDep, caller: OptionalCallerDep) -> Any:
    if len(body.message) > services.settings.max_message_chars:
        raise ApiError(413, "message_too_long", f"the message is over {services.settings.max_message_chars} characters")
    enforce(services, request, caller, "chat", body.conversation_id)
    history = _history(services, body.conversation_id)
    conversation_id = body.conversation_id or uuid.uuid4().hex
    if body.stream or "text/event-stream" in request.headers.get("accept", ""):
        return EventSourceResponse(_events(services, body, conversation_id, history))
    started = time.perf_counter()
    key = services.answer_cache_key(body.message, body.language, bool(history))
    context = _cached(services, key, body.message)
    if context is None:
        context = services.pipeline.run(body.message, history, body.language)
        _keep(services, key, context)
    return _finish(services, context, conversation_id, uuid.uuid4().hex, started, not body.conversation_id)


def _cached(services: Services, key: CacheKey | None, message: str) -> AnswerContext | None:
    if key is None:
        return None
    context = services.answer_cache.get(key, message)
    services.metrics.answer_cache.labels("hit" if context is not None else "miss").inc()
    return context


def _keep(services: Services, key: CacheKey | None, context: AnswerContext) -> None:
    if key is not None:
        services.answer_cache.put(key, context)


def _history(services: Services, conversation_id: str | None) -> list[Turn]:
    if conversation_id is None:
        return []
    try:
        turns = services.conversations.history(conversation_id)
    except SQLAlchemyError:
        # The database is down: answer without the history rather than not at all.
        services.metrics.storage_failures.labels("read_history").inc()
        logger.warning("event=history_unavailable")
        return []
    if not turns:
        raise ApiError(404, "unknown_conversation", "no such conversation; start a new one without conversation_id")
    return [Turn(t.question, t.answer, t.procedure_id, t.status, t.choices) for t in turns]


def _events(services: Services, body: ChatRequest, conversation_id: str, history: list[Turn]) -> Iterator[dict[str, str]]:
    started = time.perf_counter()
    message_id = uuid.uuid4().hex
    try:
        key = services.answer_cache_key(body.message, body.language, bool(history))
        cached = _cached(services, key, body.message)
        context = cached or services.pipeline.prepare(body.message, history, body.language)
        yield _event("meta", {"conversation_id": conversation_id, "message_id": message_id,
                              "language": context.language})
        if context.status == "clarify":
            yield _event("choices", [choice.public() for choice in context.choices])
        if cached is not None:
            yield _event("citations", [c.public() for c in context.citations])
        elif context.status == "answered" and context.chosen is not None:
            # The citation for the chosen record is known before composing; the final list is in "done".
            citation = services.pipeline.citation_for(context.chosen.procedure_id, context.language, 1)
            yield _event("citations", [citation.public()] if citation else [])
        else:
            yield _event("citations", [])
        streamed = ""
        for delta in [context.answer] if cached is not None else services.pipeline.compose(context):
            streamed += delta
            yield _event("delta", {"text": delta})
        if cached is None:
            _keep(services, key, context)
        if context.suggestions:
            yield _event("suggestions", context.suggestions)
        if streamed != context.answer:
            # The model failed or an output check stopped it: the checked fallback replaces what was shown.
            yield _event("replace", {"text": context.answer})
        yield _event("done", _finish(services, context, conversation_id, message_id, started,
                                     not body.conversation_id))
    except Exception:
        logger.exception("event=stream_failed")
        yield _event("error", {"code": "internal_error", "message": "the answer could not be completed"})


def _finish(services: Services, context: AnswerContext, conversation_id: str, message_id: str,
            started: float, new_conversation: bool) -> dict[str, Any]:
    timings = {"retrieval": round(context.timings.get("retrieval", 0.0), 2),
               "generation": round(context.timings.get("generation", 0.0), 2),
               "total": round((time.perf_counter() - started) * 1000, 2)}
    _record(services, context, conversation_id, message_id, timings, new_conversation)
    return {
        "conversation_id": conversation_id, "message_id": message_id, "status": context.status,
        "language": context.language, "answer": context.answer,
        "citations": [c.public() for c in context.citations], "mode": context.mode, "timings_ms": timings,
        "suggestions": context.suggestions, "choices": [choice.public() for choice in context.choices],
    }


def _record(services: Services, context: AnswerContext, conversation_id: str, message_id: str,
            timings: dict[str, float], new_conversation: bool) -> None:
    metrics = services.metrics
    metrics.chat_turns.labels(context.language, context.status or "", context.mode).inc()
    metrics.retrieval_seconds.observe(timings["retrieval"] / 1000)
    metrics.generation_seconds.labels(context.mode).observe(timings["generation"] / 1000)
    if context.mode == "fallback":
        metrics.fallbacks.inc()
    if context.flags.get("degraded"):
        metrics.degraded_retrievals.labels("chat").inc()
    answered = context.status == "answered" and context.chosen is not None
    try:
        services.conversations.record_turn(
            conversation_id, message_id, new_conversation=new_conversation,
            question=redact(context.question or context.message), answer=redact(context.answer),
            language=context.language, status=context.status or "", mode=context.mode,
            procedure_id=context.chosen.procedure_id if answered and context.chosen else None,
            choices=[choice.public() for choice in context.choices] or None,
            form=context.form, citations=[c.public() for c in context.citations],
            retrieval_ms=timings["retrieval"], generation_ms=timings["generation"], total_ms=timings["total"])
    except SQLAlchemyError:
        # The citizen still gets the answer; the lost turn is counted and logged (without its text).
        metrics.storage_failures.labels("chat_turn").inc()
        logger.warning("event=turn_not_stored conversation=%s message=%s", conversation_id, message_id)


def _event(name: str, data: Any) -> dict[str, str]:
    return {"event": name, "data": json.dumps(data, ensure_ascii=False)}
