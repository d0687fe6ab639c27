"""The redaction table through HTTP, on SQLite and PostgreSQL: personal data typed in a chat (JSON or SSE), a
feedback comment or a search never reaches a stored row, the agent route or the statistics in any spelling, and
dates, fees and law numbers are stored as written."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from assistant.text import sanitize
from storage.models import Feedback, Message
from tests.assistant.redaction_cases import NEGATIVE, POSITIVE, squash
from tests.conftest import ADMIN

NO_LIMITS = {"rate_limit_per_client": 0, "rate_limit_search_per_client": 0, "rate_limit_per_conversation": 0}


def chat(client, message: str, stream: bool) -> dict:
    if not stream:
        return client.post("/v1/chat", json={"message": message}).json()
    with client.stream("POST", "/v1/chat", json={"message": message, "stream": True}) as response:
        data = [line.removeprefix("data:") for line in response.iter_lines() if line.startswith("data:")]
    return json.loads(data[-1])


def everything_stored_and_shown(client, conversation_ids: list[str]) -> dict[str, str]:
    """Per message id: the stored question, answer and feedback comment, and what the agent route shows."""
    agent = {"Authorization": f"Bearer {client.app.state.services.keys.create('agent', 'guichet')[1]}"}
    seen: dict[str, str] = {}
    with client.app.state.services.database.session() as session:
        for message in session.scalars(select(Message)):
            seen[message.id] = f"{message.question} {message.answer}"
        for feedback in session.scalars(select(Feedback)):
            seen[feedback.message_id] += f" {feedback.comment}"
    for conversation_id in conversation_ids:
        for turn in client.get(f"/v1/agent/conversations/{conversation_id}", headers=agent).json()["turns"]:
            seen[turn["message_id"]] += " " + json.dumps(turn, ensure_ascii=False)
    return seen


def test_personal_data_in_every_spelling_never_reaches_storage_the_agent_route_or_the_stats(make_client) -> None:
    client = make_client(**NO_LIMITS)
    turns = []
    for n, (message, secret) in enumerate(POSITIVE):
        turn = chat(client, message, stream=n % 2 == 1)
        assert client.post("/v1/feedback", json={"message_id": turn["message_id"], "rating": "down",
                                                 "comment": f"toujours pas: {message}"}).status_code == 201
        search = client.get("/v1/search", params={"q": message}).json()
        assert secret not in squash(search["query"]), message
        turns.append((turn, message, secret))
    seen = everything_stored_and_shown(client, [t["conversation_id"] for t, _, _ in turns])
    leaks = [message for turn, message, secret in turns if secret in squash(seen[turn["message_id"]])]
    assert leaks == []
    stats = squash(json.dumps(client.get("/v1/admin/stats", headers=ADMIN).json(), ensure_ascii=False))
    assert [message for _, message, secret in turns if secret in stats] == []


def test_dates_fees_and_law_numbers_are_stored_as_written(make_client) -> None:
    client = make_client(**NO_LIMITS)
    turns = [(client.post("/v1/chat", json={"message": text}).json(), text) for text in NEGATIVE]
    with client.app.state.services.database.session() as session:
        stored = {m.id: m.question for m in session.scalars(select(Message))}
    assert [text for turn, text in turns if stored[turn["message_id"]] != sanitize(text).strip()] == []


@pytest.mark.parametrize("message", ["Combien coûte le passeport biométrique le 2025-11-20 ?",
                                     "passeport biométrique 2024 prix"])
def test_an_answer_with_a_review_date_is_stored_without_a_false_cin(client, message: str) -> None:
    turn = client.post("/v1/chat", json={"message": message}).json()
    with client.app.state.services.database.session() as session:
        [stored] = session.scalars(select(Message)).all()
    assert "[CIN]" not in stored.answer and "[CIN]" not in stored.question and turn["status"] == "answered"
