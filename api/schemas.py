"""Response shapes of the HTTP contract, so that /openapi.json documents every answer and every error."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from core.records import ProcedureRecord
from storage.conversations import StoredTurn


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("bad input"), 401: _error("no or bad credentials"), 403: _error("wrong role"),
    404: _error("unknown id"), 409: _error("conflict"), 413: _error("too large"), 422: _error("schema violation"),
    429: _error("rate limited; see Retry-After"), 503: _error("a dependency is down"),
}


class Citation(BaseModel):
    n: int
    procedure_id: str
    title: str
    language: str
    url: str
    snippet: str


class Timings(BaseModel):
    retrieval: float
    generation: float
    total: float


class Choice(BaseModel):
    procedure_id: str
    title: str


class ChatResponse(BaseModel):
    conversation_id: str
    message_id: str
    status: Literal["answered", "clarify", "not_found", "out_of_scope", "refused"]
    language: Literal["fr", "ar", "en", "darija", "amazigh"]
    answer: str
    citations: list[Citation]
    mode: Literal["llm", "extractive", "fallback"]
    timings_ms: Timings
    suggestions: list[str] = []  # 0-3 follow-up questions in the user's language (answered turns)
    choices: list[Choice] = []  # 2-3 procedures to choose from (clarify turns)


class SearchResult(BaseModel):
    procedure_id: str
    title: str
    language: str
    category: str
    administration: str
    score: float
    snippet: str
    url: str


class SearchResponse(BaseModel):
    query: str
    language: str
    results: list[SearchResult]


class ProcedureSummary(BaseModel):
    procedure_id: str
    title: str
    category: str  # "uncategorized" for a document or catalogue line that names none
    administration: str  # "" when the source does not name it
    languages: list[str]
    structured: bool = True  # false: a text-only document, answered from its passages


class ProcedureList(BaseModel):
    procedures: list[ProcedureSummary]


class ProcedureRecordOut(ProcedureRecord):
    """Every front-matter key of the record, plus its Markdown body."""

    body: str


class Created(BaseModel):
    id: str


class JobCreated(BaseModel):
    job_id: str


class Progress(BaseModel):
    done: int
    total: int


class JobError(BaseModel):
    source: str
    message: str


class Job(BaseModel):
    job_id: str
    kind: str
    full: bool
    # partial: a new index went into service, but some sources (or catalogue lines) failed and kept their previous
    # version; each is named in `errors`.
    status: Literal["queued", "running", "succeeded", "partial", "failed"]
    progress: Progress
    counts: dict[str, int]
    errors: list[JobError]
    created_at: str | None
    started_at: str | None
    finished_at: str | None


class JobList(BaseModel):
    jobs: list[Job]


class DocumentIndexed(BaseModel):
    procedure_id: str
    language: str
    job_id: str


class LineError(BaseModel):
    line: int
    message: str


class CatalogueImported(BaseModel):
    job_id: str
    status: Literal["succeeded", "partial"]
    counts: dict[str, int]  # added, changed, unchanged, removed, kept_missing, bad_lines
    removed: list[str]  # "id.lang" removed by prune
    errors: list[LineError]


class NotFoundQuestion(BaseModel):
    question: str
    count: int


class QuestionStats(BaseModel):
    total: int
    by_language: dict[str, int]
    by_status: dict[str, int]
    by_mode: dict[str, int]


class FeedbackStats(BaseModel):
    up: int
    down: int


class Stats(BaseModel):
    questions: QuestionStats
    feedback: FeedbackStats
    top_not_found: list[NotFoundQuestion]


class ConversationOut(BaseModel):
    conversation_id: str
    turns: list[StoredTurn]
