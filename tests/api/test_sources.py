"""Admins keep official pages in sync over HTTP: register a page or a sitemap, sync now (one job at a time), read
each URL's outcome in the job history and each source's last fetch, status and next run; a synced procedure is
listed, answered, and its record says which field came from which page and when. The schedule is off by default
and, once set, syncs by itself."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services import build_services
from core.embedders import FakeEmbedder
from ingestion.pipeline import IndexOptions, run_index
from tests.conftest import ADMIN, ADMIN_KEY, make_settings, open_index
from tests.ingestion.sync_pages import procedure_page
from tests.ingestion.test_pipeline import small_corpus
from tests.site_server import SiteServer

PAGE = "/fr/demarches/permis-port-arme.html"


@pytest.fixture
def site() -> Iterator[SiteServer]:
    with SiteServer() as server:
        server.put(PAGE, procedure_page("Permis de port d'arme", 400))
        yield server


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    """An app over a two-procedure corpus and the fake embedder, its sync quick (no host delay, 1 s timeout)."""
    opened: list[TestClient] = []
    corpus = small_corpus(tmp_path)

    def build(**overrides: object) -> TestClient:
        settings = make_settings(tmp_path / "data", corpus_dir=corpus, admin_key=ADMIN_KEY,
                                 sync_host_delay_seconds=0, sync_timeout_seconds=1, **overrides)
        embedder = FakeEmbedder()
        run_index([corpus], embedder, open_index(settings, embedder), IndexOptions())
        client = TestClient(create_app(settings, build_services(settings, embedder=embedder)))
        opened.append(client)
        return client

    yield build
    for client in opened:
        client.__exit__(None, None, None)
        client.app.state.services.close()  # type: ignore[attr-defined]


@pytest.fixture
def client(make_app: Callable[..., TestClient]) -> TestClient:
    client = make_app()
    client.__enter__()
    return client


def finished(client: TestClient, job_id: str) -> dict:
    deadline = time.monotonic() + 60
    while (job := client.get(f"/v1/admin/jobs/{job_id}", headers=ADMIN).json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    return job


def sync(client: TestClient) -> dict:
    response = client.post("/v1/admin/sources/sync", headers=ADMIN, json={})
    assert response.status_code == 202, response.text
    return finished(client, response.json()["job_id"])


def test_a_registered_page_is_synced_listed_and_answered_with_its_fee(client: TestClient, site: SiteServer) -> None:
    added = client.post("/v1/admin/sources", headers=ADMIN, json={"url": site.url + PAGE})
    assert added.status_code == 201 and added.json()["kind"] == "page" and added.json()["last_run_at"] is None
    job = sync(client)
    assert job["kind"] == "sync" and job["status"] == "succeeded" and job["counts"]["pages_added"] == 1
    assert job["results"] == [{"url": site.url + PAGE, "outcome": "added", "http_status": 200, "message": "new page",
                               "procedure": "permis-port-arme.fr"}]
    listed = {p["procedure_id"] for p in client.get("/v1/procedures").json()["procedures"]}
    assert "permis-port-arme" in listed
    answer = client.post("/v1/chat", json={"message": "Combien coûte le permis de port d'arme ?"}).json()
    assert answer["status"] == "answered" and "400" in answer["answer"]
    assert answer["citations"][0]["procedure_id"] == "permis-port-arme"


def test_a_synced_record_says_which_field_came_from_which_page_and_when(client: TestClient, site: SiteServer) -> None:
    client.post("/v1/admin/sources", headers=ADMIN, json={"url": site.url + PAGE})
    sync(client)
    record = client.get("/v1/procedures/permis-port-arme", params={"lang": "fr"}).json()
    assert [f["amount_mad"] for f in record["fees"]] == [400.0]
    today = dt.datetime.now(dt.UTC).date().isoformat()
    for name in ("title", "documents", "fees", "delay"):
        assert record["field_sources"][name]["source"] == site.url + PAGE, name
        assert record["field_sources"][name]["date"] == today, name


def test_the_sources_list_shows_last_fetch_status_and_each_pages_outcome(client: TestClient, site: SiteServer) -> None:
    site.put("/fr/a.html", procedure_page("Permis A", 100))
    site.sitemap("/sitemap.xml", [PAGE, "/fr/a.html", "/fr/vanished.html"])
    source = client.post("/v1/admin/sources", headers=ADMIN, json={"url": site.url + "/sitemap.xml", "sitemap": True})
    job = sync(client)
    assert job["status"] == "partial" and job["errors"][0]["source"] == site.url + "/fr/vanished.html"
    body = client.get("/v1/admin/sources", headers=ADMIN).json()
    assert body["schedule"] == {"enabled": False, "interval_minutes": None, "next_run_at": None,
                                "last_job": {"job_id": job["job_id"], "status": "partial",
                                             "created_at": job["created_at"], "finished_at": job["finished_at"]}}
    listed = body["sources"][0]
    assert listed["kind"] == "sitemap" and listed["pages"] == 3 and listed["status"] == "partial"
    assert listed["last_run_at"] is not None and listed["next_run_at"] is None
    detail = client.get(f"/v1/admin/sources/{source.json()['id']}", headers=ADMIN).json()
    outcomes = {p["url"].removeprefix(site.url): (p["outcome"], p["http_status"]) for p in detail["page_list"]}
    assert outcomes == {PAGE: ("added", 200), "/fr/a.html": ("added", 200), "/fr/vanished.html": ("gone", 404)}


def test_a_sync_while_another_index_job_runs_is_a_409_and_the_other_job_goes_on(client: TestClient) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    job_id = services.jobs.start("reindex")
    response = client.post("/v1/admin/sources/sync", headers=ADMIN, json={})
    assert response.status_code == 409 and response.json()["error"]["code"] == "job_running"
    assert services.jobs.get(job_id)["status"] == "queued"


@pytest.mark.parametrize(("body", "code"), [
    ({"url": "ftp://x.gov.ma/a"}, "invalid_source"),
    ({"url": "http://[::1"}, "invalid_source"),
    ({"url": "https://x.gov.ma/a page"}, "invalid_source"),
    ({"url": "https://x.gov.ma/a", "procedure_id": "Pas Un Slug"}, "invalid_source"),
    ({"url": "https://x.gov.ma/sitemap.xml", "sitemap": True, "language": "fr"}, "invalid_source"),
    ({"url": "https://x.gov.ma/a", "language": "de"}, "invalid_source"),
])
def test_a_source_that_cannot_be_registered_is_a_400_naming_why(client: TestClient, body: dict, code: str) -> None:
    response = client.post("/v1/admin/sources", headers=ADMIN, json=body)
    assert response.status_code == 400 and response.json()["error"]["code"] == code
    assert client.get("/v1/admin/sources", headers=ADMIN).json()["sources"] == []


def test_a_source_registered_twice_is_a_409_and_an_unknown_one_a_404(client: TestClient) -> None:
    assert client.post("/v1/admin/sources", headers=ADMIN, json={"url": "https://x.gov.ma/a"}).status_code == 201
    again = client.post("/v1/admin/sources", headers=ADMIN, json={"url": "https://x.gov.ma/a"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "source_exists"
    assert client.get("/v1/admin/sources/nope", headers=ADMIN).status_code == 404
    assert client.delete("/v1/admin/sources/nope", headers=ADMIN).status_code == 404


def test_sources_need_an_admin_key(client: TestClient) -> None:
    assert client.get("/v1/admin/sources").status_code == 401
    assert client.post("/v1/admin/sources/sync", json={}).status_code == 401


def test_removing_a_source_takes_its_pages_out_of_the_index(client: TestClient, site: SiteServer) -> None:
    source = client.post("/v1/admin/sources", headers=ADMIN, json={"url": site.url + PAGE}).json()
    sync(client)
    assert client.delete(f"/v1/admin/sources/{source['id']}", headers=ADMIN).status_code == 204
    assert client.get("/v1/procedures/permis-port-arme", params={"lang": "fr"}).status_code == 404
    assert client.get("/v1/admin/sources", headers=ADMIN).json()["sources"] == []


def test_with_an_interval_set_the_service_syncs_by_itself_and_says_when_next(
        make_app: Callable[..., TestClient], site: SiteServer) -> None:
    client = make_app(sync_interval_minutes=60)
    client.app.state.services.sources.add(site.url + PAGE, "page")  # type: ignore[attr-defined]
    with client:
        deadline = time.monotonic() + 60
        while not (jobs := [j for j in client.get("/v1/admin/jobs", headers=ADMIN).json()["jobs"]
                            if j["kind"] == "sync" and j["status"] not in ("queued", "running")]):
            assert time.monotonic() < deadline, "the schedule did not sync"
            time.sleep(0.2)
        body = client.get("/v1/admin/sources", headers=ADMIN).json()
    started = dt.datetime.fromisoformat(jobs[0]["created_at"].removesuffix("Z"))
    assert jobs[0]["status"] == "succeeded" and body["schedule"]["enabled"] is True
    assert body["sources"][0]["next_run_at"] == (started + dt.timedelta(minutes=60)).isoformat() + "Z"
    assert body["sources"][0]["status"] == "ok"
