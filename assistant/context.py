"""The one context that every step of the answer pipeline reads and writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.catalog import StoredRecord
from assistant.retrieval import ProcedureCandidate, Retrieval

Status = Literal["answered", "clarify", "not_found", "out_of_scope", "refused"]
Mode = Literal["llm", "extractive", "fallback"]


@dataclass(frozen=True)
class Turn:
    """A previous turn of the conversation, as the pipeline needs it for follow-ups."""

    question: str
    answer: str = ""
    procedure_id: str | None = None
    status: str = "answered"
    choices: tuple[str, ...] = ()  # the procedure ids a clarify turn offered


@dataclass
class Citation:
    n: int
    procedure_id: str
    title: str
    language: str
    url: str
    snippet: str
    stored: StoredRecord | None = None

    def public(self) -> dict[str, Any]:
        return {"n": self.n, "procedure_id": self.procedure_id, "title": self.title, "language": self.language,
                "url": self.url, "snippet": self.snippet}


@dataclass(frozen=True)
class Choice:
    procedure_id: str
    title: str

    def public(self) -> dict[str, str]:
        return {"procedure_id": self.procedure_id, "title": self.title}


@dataclass
class AnswerContext:
    message: str
    history: list[Turn] = field(default_factory=list)
    requested_language: str = "auto"
    language: str = "fr"  # fr, ar, en, darija, amazigh
    form: str = "fr"  # the language form retrieval weighs by: fr, ar, en, darija, darija_latin
    question: str = ""  # standalone question (follow-ups resolved)
    keyword_query: str = ""
    intents: list[str] = field(default_factory=list)
    retrieval: Retrieval | None = None
    chosen: ProcedureCandidate | None = None
    status: Status | None = None
    answer: str = ""
    citations: list[Citation] = field(default_factory=list)
    mode: Mode = "extractive"
    choices: list[Choice] = field(default_factory=list)  # a clarify turn's options
    suggestions: list[str] = field(default_factory=list)  # follow-up questions for an answered turn
    shown_parts: set[str] = field(default_factory=set)  # record parts the answer shows (for suggestions)
    flags: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def stopped(self) -> bool:
        return self.status is not None and self.status != "answered"

    def stop(self, status: Status, answer: str) -> None:
        self.status, self.answer, self.citations = status, answer, []
        if status != "clarify":
            self.choices = []

    @property
    def chosen_id(self) -> str | None:
        return self.chosen.procedure_id if self.chosen is not None else None
