"""The answer cache (assistant/answer_cache.py) in the service: a repeated first question costs no embedding, a
re-index makes what was kept unreachable, and a message with personal data is never kept nor served."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import build_services
from core.settings import Settings
from tests.api.test_admin import edit_corpus_record, wait_for_job
from tests.conftest import ADMIN

QUESTION = "Comment obtenir un extrait de casier judiciaire ?"


class CountingEmbedder:
    """The real embedder, counting the queries it embeds."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.queries: list[str] = []

    def embed_query(self, text: str) -> Any:
        self.queries.append(text)
        return self.inner.embed_query(text)

    def embed_passages(self, texts: Any) -> Any:
        return self.inner.embed_passages(texts)


@pytest.fixture
def database_url(tmp_path: Any) -> str:
    return f"sqlite:///{tmp_path / 'sahla.db'}"  # the cache lives in the process; one engine is enough here


@pytest.fixture
def replica(service_settings: Settings, real_index: Any) -> Iterator[Callable[[], tuple[TestClient, CountingEmbedder]]]:
    opened: list[TestClient] = []

    def build() -> tuple[TestClient, CountingEmbedder]:
        settings = service_settings.model_copy(update={"answer_cache_size": 64})
        embedder = CountingEmbedder(real_index[0])
        client = TestClient(create_app(settings, build_services(settings, embedder=embedder)))
        client.__enter__()
        opened.append(client)
        return client, embedder

    yield build
    for client in opened:
        client.__exit__(None, None, None)
        client.app.state.services.close()  # type: ignore[attr-defined]


def ask(client: TestClient, message: str, **extra: Any) -> dict[str, Any]:
    response = client.post("/v1/chat", json={"message": message, **extra})
    assert response.status_code == 200
    return dict(response.json())


def test_a_repeated_question_is_answered_from_the_cache_without_embedding(replica) -> None:
    client, embedder = replica()
    first = ask(client, QUESTION)
    embedded = len(embedder.queries)
    assert first["status"] == "answered" and embedded >= 1
    again = ask(client, "  comment obtenir un extrait de CASIER judiciaire  ")  # case and spacing only
    assert len(embedder.queries) == embedded
    assert again["answer"] == first["answer"] and again["citations"] == first["citations"]
    assert again["message_id"] != first["message_id"] and again["conversation_id"] != first["conversation_id"]
    streamed = client.post("/v1/chat", json={"message": QUESTION, "stream": True}).text
    assert len(embedder.queries) == embedded and "event: done" in streamed
    metrics = client.get("/metrics").text
    assert 'sahla_answer_cache_total{result="hit"} 2.0' in metrics


def test_a_follow_up_in_a_conversation_is_never_served_from_the_cache(replica) -> None:
    client, embedder = replica()
    first = ask(client, QUESTION)
    before = len(embedder.queries)
    ask(client, QUESTION, conversation_id=first["conversation_id"])
    assert len(embedder.queries) > before


def test_a_reindex_on_another_replica_makes_the_kept_answers_unreachable(replica) -> None:
    serving, embedder = replica()
    indexing, _ = replica()
    ask(serving, QUESTION)
    embedded = len(embedder.queries)
    edit_corpus_record(indexing)
    job = wait_for_job(indexing, indexing.post("/v1/admin/reindex", json={}, headers=ADMIN).json()["job_id"])
    assert job["status"] == "succeeded"
    serving.app.state.services.retriever.snapshot.expire()  # what its 5-second refresh would do
    ask(serving, QUESTION)
    assert len(embedder.queries) > embedded  # the new generation is a new key: asked again, not served from before
    assert len(serving.app.state.services.answer_cache) == 1  # the older generation's entry was dropped


@pytest.mark.parametrize("numbers", [("0612345678", "0698765432"), ("AB123456", "CD654321")])
def test_a_message_with_personal_data_is_neither_kept_nor_served(replica, numbers) -> None:
    client, embedder = replica()
    first_person = ask(client, f"Mon numéro est {numbers[0]}, comment obtenir un casier judiciaire ?")
    before = len(embedder.queries)
    second_person = ask(client, f"Mon numéro est {numbers[1]}, comment obtenir un casier judiciaire ?")
    assert len(embedder.queries) > before and len(client.app.state.services.answer_cache) == 0
    assert numbers[0] not in second_person["answer"] and numbers[0] not in str(first_person["citations"])


def test_the_cache_can_be_turned_off(service_settings: Settings, real_index: Any) -> None:
    settings = service_settings.model_copy(update={"answer_cache_size": 0})
    embedder = CountingEmbedder(real_index[0])
    with TestClient(create_app(settings, build_services(settings, embedder=embedder))) as client:
        ask(client, QUESTION)
        before = len(embedder.queries)
        ask(client, QUESTION)
        assert len(embedder.queries) > before
        client.app.state.services.close()
