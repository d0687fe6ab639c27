"""Bad input and limits: every error has the contract's body and status; rate limits per client and conversation,
in-process or shared through Redis."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ADMIN, fresh_rate_window


@pytest.mark.parametrize(("path", "kwargs", "status", "code"), [
    ("/v1/chat", {"content": b'{"message": "x"', "headers": {"content-type": "application/json"}}, 400, "malformed_json"),
    ("/v1/chat", {"json": {"message": "x" * 2001}}, 413, "message_too_long"),
    ("/v1/chat", {"content": b'{"message": "' + b"x" * 70_000 + b'"}', "headers": {"content-type": "application/json"}},
     413, "too_large"),
    ("/v1/chat", {"json": {"message": ""}}, 422, "invalid_request"),
    ("/v1/chat", {"json": {"message": "hi", "language": "klingon"}}, 422, "invalid_request"),
    ("/v1/chat", {"json": {"message": "hi", "conversation_id": "../../etc"}}, 422, "invalid_request"),
    ("/v1/chat", {"json": ["not", "an", "object"]}, 422, "invalid_request"),
    ("/v1/feedback", {"json": {"message_id": "m", "rating": "up", "comment": "x" * 3000}}, 422, "invalid_request"),
])
def test_bad_requests_get_the_contract_error(client, path, kwargs, status, code) -> None:
    response = client.post(path, **kwargs)
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert set(response.json()) == {"error"} and "Traceback" not in response.text


def test_a_chunked_body_over_the_limit_is_a_413(client) -> None:
    def chunks():
        for _ in range(100):
            yield b"x" * 1000

    response = client.post("/v1/chat", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


def test_unknown_ids_are_404_with_the_error_body(client) -> None:
    for path in ("/v1/procedures/nope", "/v1/no-such-route"):
        response = client.get(path)
        assert response.status_code == 404 and "code" in response.json()["error"]


def test_the_service_answers_normally_after_bad_requests(client) -> None:
    client.post("/v1/chat", content=b"\xff\xfe garbage", headers={"content-type": "application/json"})
    assert client.post("/v1/chat", json={"message": "passeport biométrique"}).json()["status"] == "answered"


def test_chat_is_rate_limited_per_client_with_retry_after(make_client) -> None:
    fresh_rate_window()
    client = make_client(rate_limit_per_client=3)
    statuses = [client.post("/v1/chat", json={"message": "passeport"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.post("/v1/chat", json={"message": "passeport"})
    assert refused.json()["error"]["code"] == "rate_limited" and 1 <= int(refused.headers["retry-after"]) <= 60
    assert client.post("/v1/chat", json={"message": "passeport"}, headers=ADMIN).status_code == 200  # key holders


def test_chat_is_rate_limited_per_conversation(make_client) -> None:
    fresh_rate_window()
    client = make_client(rate_limit_per_client=100, rate_limit_per_conversation=2)
    conversation = client.post("/v1/chat", json={"message": "passeport"}).json()["conversation_id"]
    follow = {"message": "et le prix ?", "conversation_id": conversation}
    assert [client.post("/v1/chat", json=follow).status_code for _ in range(3)] == [200, 200, 429]
    assert client.post("/v1/chat", json={"message": "passeport"}).status_code == 200  # a new conversation


def test_search_has_its_own_per_client_limit(make_client) -> None:
    fresh_rate_window()
    client = make_client(rate_limit_search_per_client=2)
    assert [client.get("/v1/search", params={"q": "cin"}).status_code for _ in range(3)] == [200, 200, 429]


def test_redis_shares_the_limit_between_replicas(make_client, redis_url) -> None:
    fresh_rate_window()
    first, second = (make_client(redis_url=redis_url, rate_limit_per_client=3) for _ in range(2))
    statuses = [replica.post("/v1/chat", json={"message": "passeport"}).status_code
                for replica in (first, second, first, second)]
    assert statuses == [200, 200, 200, 429]
    assert first.get("/readyz").json()["rate_limits"] == "redis"


def test_an_unreachable_redis_falls_back_to_in_process_limits(make_client) -> None:
    fresh_rate_window()
    client = make_client(redis_url="redis://127.0.0.1:1/0", rate_limit_per_client=2)
    statuses = [client.post("/v1/chat", json={"message": "passeport"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert "sahla_rate_limit_redis_fallbacks_total 1.0" in client.get("/metrics").text


def test_no_error_leaks_internals(client) -> None:
    bodies = [client.post("/v1/chat", content=b"{", headers={"content-type": "application/json"}).text,
              client.get("/v1/admin/stats", headers={"Authorization": "Bearer x"}).text]
    for body in bodies:
        assert "Traceback" not in body and "/work/" not in body and "sqlalchemy" not in body.lower()
        json.loads(body)
