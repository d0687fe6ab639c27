"""A replica holds one keyword view (chunks, BM25, records) however many threads and routes use it: memory grows
with the index, not with the concurrency or the routes (issue 16)."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import Services, build_services
from core.embedders import FakeEmbedder
from core.index_store import Chunk
from ingestion.pipeline import IndexOptions, run_index
from tests.conftest import CORPUS, make_settings

PROCEDURES = ("passeport-biometrique", "casier-judiciaire", "vignette-automobile")


@pytest.fixture
def services(tmp_path: Path) -> Services:
    corpus = tmp_path / "corpus"
    for name in PROCEDURES:
        shutil.copytree(CORPUS / "procedures" / name, corpus / "procedures" / name)
    settings = make_settings(tmp_path / "data", corpus_dir=corpus)
    built = build_services(settings, embedder=FakeEmbedder())
    assert not run_index([corpus], built.embedder, built.index, IndexOptions()).failed
    return built


def count_loads(services: Services) -> list[int]:
    """Counts every full read of the index's chunks (what the keyword view is built from)."""
    loads = [0]
    read_all = services.index.all_chunks

    def counted() -> list[Chunk]:
        loads[0] += 1
        return read_all()

    services.index.all_chunks = counted  # type: ignore[method-assign]
    return loads


def test_eight_threads_asking_at_once_build_the_keyword_view_once(services: Services) -> None:
    loads = count_loads(services)
    questions = ["Combien coûte le passeport ?", "كيف أحصل على السجل العدلي؟", "vignette automobile prix"] * 8
    with ThreadPoolExecutor(8) as pool:
        contexts = list(pool.map(services.pipeline.run, questions))
    assert loads == [1]
    assert {c.status for c in contexts} <= {"answered", "not_found"}


def test_search_chat_listing_and_readiness_share_the_one_view(services: Services) -> None:
    loads = count_loads(services)
    with TestClient(create_app(services.settings, services)) as client:
        assert client.get("/readyz").status_code == 200
        assert client.get("/v1/search", params={"q": "passeport"}).status_code == 200
        assert client.post("/v1/chat", json={"message": "Combien coûte le passeport ?"}).status_code == 200
        assert client.get("/v1/procedures").json()["procedures"]
        assert client.get("/v1/procedures/casier-judiciaire", params={"lang": "fr"}).status_code == 200
    assert loads == [1]
