"""Hand-built records, candidates and a queue-driven fake chat model: each step is tested on its own, without an
index (the full-index fixture is for the end-to-end tests)."""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterator
from typing import Any

import pytest

from assistant.catalog import StoredRecord
from assistant.llm import ChatModelError
from assistant.retrieval import ProcedureCandidate, Retrieval
from core.records import ProcedureRecord

BODY = """## Description
Le passeport biométrique est le titre de voyage des citoyens marocains.

## Conditions
- Être de nationalité marocaine.
- Un mineur est présenté par son représentant légal ; sa présence est requise.

## Pièces à fournir
- Ancien passeport, ou déclaration de perte ou de vol.

## Où s'adresser
À l'annexe administrative de votre lieu de résidence. À l'étranger : le consulat de rattachement.
"""


def make_record(body: str = BODY, **overrides: Any) -> StoredRecord:
    fields: dict[str, Any] = {
        "id": "passeport-biometrique", "lang": "fr", "title": "Passeport biométrique",
        "category": "identity-civil-status", "administration": "Ministère de l'Intérieur",
        "audience": ["citizens"], "documents": ["Formulaire signé", "Ancien passeport en cas de renouvellement"],
        "fees": [{"label": "Timbre passeport", "amount_mad": 500}], "delay": "Quelques jours à quelques semaines",
        "validity": "5 ans", "where": "Annexe administrative ou caïdat du lieu de résidence",
        "online_service": {"name": "Passeport.ma", "url": "https://www.passeport.ma"}, "legal_basis": [],
        "aliases": ["باسبور", "lpassport", "passeport"], "source_url": "https://www.passeport.ma",
        "last_reviewed": dt.date(2026, 11, 20), "notes": "Le tarif des mineurs est à vérifier.",
    }
    fields.update(overrides)
    return StoredRecord(ProcedureRecord.model_validate(fields), body)


def candidate(procedure_id: str, score: float = 0.03, dense: float = 0.85, dense_rank: int | None = 1,
              bm25_rank: int | None = 1, matched: set[str] | None = None) -> ProcedureCandidate:
    return ProcedureCandidate(procedure_id, score=score, dense_score=dense, dense_rank=dense_rank,
                              bm25_rank=bm25_rank, matched_terms=matched or set())


def retrieval(*candidates: ProcedureCandidate, terms: list[str] | None = None) -> Retrieval:
    return Retrieval(list(candidates), terms or ["passeport"])


class FakeChatModel:
    """Replies are queued: a list of deltas to stream, a string to complete, or an exception to raise. Every call's
    messages are recorded."""

    def __init__(self) -> None:
        self.replies: deque[Any] = deque()
        self.calls: list[list[dict[str, str]]] = []

    def enqueue(self, reply: Any) -> FakeChatModel:
        self.replies.append(reply)
        return self

    def complete(self, messages: list[dict[str, str]]) -> str:
        self.calls.append(messages)
        reply = self.replies.popleft()
        if isinstance(reply, Exception):
            raise reply
        return "".join(reply) if isinstance(reply, list) else str(reply)

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        self.calls.append(messages)
        reply = self.replies.popleft()
        if isinstance(reply, Exception):
            raise reply
        for delta in reply:
            if isinstance(delta, Exception):
                raise delta
            yield delta


@pytest.fixture
def fake_model() -> FakeChatModel:
    return FakeChatModel()


__all__ = ["BODY", "ChatModelError", "FakeChatModel", "candidate", "make_record", "retrieval"]
