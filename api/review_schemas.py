"""Response shapes of the review queue, corrections and quality figures (agents and admins)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

PROCEDURE_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
# The database keeps naive UTC (storage.models.utcnow); clients get RFC 3339 with its zone.
UtcDatetime = Annotated[datetime, AfterValidator(lambda d: d if d.tzinfo else d.replace(tzinfo=UTC))]


class ReviewRequest(BaseModel):
    verdict: Literal["correct", "incomplete", "wrong"]
    note: str | None = Field(default=None, max_length=500)
    # Where wrong: the procedure that should have answered (its question becomes an alias of it)...
    expected_procedure_id: str | None = Field(default=None, max_length=128, pattern=PROCEDURE_ID)
    # ...or not about public services at all (its question becomes an out-of-scope example).
    not_our_domain: bool = False


class LinkRequest(BaseModel):
    procedure_id: str = Field(max_length=128, pattern=PROCEDURE_ID)
    note: str | None = Field(default=None, max_length=500)


class ReviewOut(BaseModel):
    verdict: str
    note: str | None
    expected_procedure_id: str | None
    author_key_id: str
    reviewed_at: UtcDatetime


class OfferedChoice(BaseModel):
    """A clarify turn's choice; the shape of the chat contract's Choice (api.schemas imports this module)."""

    procedure_id: str
    title: str


class QueueItem(BaseModel):
    message_id: str
    conversation_id: str
    created_at: UtcDatetime
    language: str
    form: str
    status: str  # a plain string: "clarify" and any later status show as they are
    mode: str
    procedure_id: str | None
    question: str
    answer: str
    citations: list[dict[str, Any]]
    choices: list[OfferedChoice] = []  # a clarify turn's procedures, in the order the citizen was offered them
    feedback: Literal["up", "down"] | None
    feedback_comment: str | None
    review: ReviewOut | None


class ReviewQueue(BaseModel):
    total: int
    items: list[QueueItem]


class LearnedAliasOut(BaseModel):
    id: str
    procedure_id: str
    alias: str
    language: str
    source_message_id: str | None
    author_key_id: str
    created_at: UtcDatetime


class AliasList(BaseModel):
    aliases: list[LearnedAliasOut]


class OutOfScopeExampleOut(BaseModel):
    id: str
    question: str
    language: str
    author_key_id: str
    created_at: UtcDatetime


class OutOfScopeList(BaseModel):
    examples: list[OutOfScopeExampleOut]


class CorrectionOut(BaseModel):
    id: str
    action: str
    message_id: str | None
    verdict: str | None
    procedure_id: str | None
    question: str | None
    author_key_id: str
    created_at: UtcDatetime


class CorrectionList(BaseModel):
    corrections: list[CorrectionOut]


class WeekFigures(BaseModel):
    week: str
    form: str
    turns: int
    reviewed: int
    correct: int
    incomplete: int
    wrong: int
    correct_share: float | None
    thumbs_up: int
    thumbs_down: int
    not_found_rate: float
    clarify_rate: float


class WrongProcedure(BaseModel):
    procedure_id: str
    count: int


class QualityReport(BaseModel):
    weeks: list[WeekFigures]
    top_wrong: list[WrongProcedure]
