"""A scripted stand-in for the chat service that speaks the HTTP contract (JSON and SSE, `suggestions` and
`choices` included) and serves the real widget and demo page, so that the widget's follow-up chips and clarify
choices are tested in a browser whatever the answer pipeline says today. It records every chat request."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.web.serving import serve_app
from web.routes import router as web_router


@dataclass(frozen=True)
class Turn:
    """What the fake answers to one message."""

    answer: str
    language: str
    status: str = "answered"
    suggestions: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()  # (procedure_id, title)
    procedure_id: str = "passeport-biometrique"
    early_events: bool = True  # False: the lists travel in `done` only, which the contract allows

    def response(self, conversation_id: str, message_id: str) -> dict[str, Any]:
        citations = [] if self.status != "answered" else [{
            "n": 1, "procedure_id": self.procedure_id, "title": self.procedure_id, "language": self.language,
            "url": f"https://www.idarati.ma/{self.procedure_id}", "snippet": ""}]
        body: dict[str, Any] = {
            "conversation_id": conversation_id, "message_id": message_id, "status": self.status,
            "language": self.language, "answer": self.answer, "citations": citations, "mode": "extractive",
            "timings_ms": {"retrieval": 1.0, "generation": 1.0, "total": 2.0}, "suggestions": list(self.suggestions)}
        if self.choices:
            body["choices"] = [{"procedure_id": pid, "title": title} for pid, title in self.choices]
        return body


NOT_FOUND = Turn("Je n'ai pas de fiche pour cela. Voyez idarati.ma ou le 37 37.", "fr", status="not_found")


@dataclass
class FakeChatService:
    """The script (message -> turn) and the requests received, in order."""

    script: dict[str, Turn]
    requests: list[dict[str, Any]] = field(default_factory=list)
    conversation_ids: list[str] = field(default_factory=list)  # the one each request was answered in
    url: str = ""

    def reply(self, request: dict[str, Any]) -> tuple[str, str, Turn]:
        self.requests.append(request)
        conversation_id = request.get("conversation_id") or uuid.uuid4().hex
        self.conversation_ids.append(conversation_id)
        return conversation_id, uuid.uuid4().hex, self.script.get(request["message"], NOT_FOUND)


def sse(turn: Turn, conversation_id: str, message_id: str) -> str:
    """The contract's order: meta, choices (clarify), citations, deltas, suggestions, done."""
    done = turn.response(conversation_id, message_id)
    half = len(turn.answer) // 2
    events: list[tuple[str, Any]] = [("meta", {"conversation_id": conversation_id, "message_id": message_id,
                                               "language": turn.language})]
    if "choices" in done and turn.early_events:
        events.append(("choices", done["choices"]))
    events += [("citations", done["citations"]), ("delta", {"text": turn.answer[:half]}),
               ("delta", {"text": turn.answer[half:]})]
    if turn.suggestions and turn.early_events:
        events.append(("suggestions", done["suggestions"]))
    events.append(("done", done))
    return "".join(f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n" for name, data in events)


def build_app(service: FakeChatService) -> FastAPI:
    app = FastAPI()
    app.include_router(web_router)

    @app.post("/v1/chat")
    async def chat(request: Request) -> Response:
        payload = await request.json()
        conversation_id, message_id, turn = service.reply(payload)
        if payload.get("stream") or "text/event-stream" in request.headers.get("accept", ""):
            return Response(sse(turn, conversation_id, message_id), media_type="text/event-stream")
        return JSONResponse(turn.response(conversation_id, message_id))

    @app.post("/v1/feedback", status_code=201)
    async def feedback() -> dict[str, str]:
        return {"id": uuid.uuid4().hex}

    return app


@contextmanager
def serve(service: FakeChatService) -> Iterator[FakeChatService]:
    """Runs the fake on a free port for as long as the block lasts."""
    with serve_app(build_app(service)) as url:
        service.url = url
        yield service
