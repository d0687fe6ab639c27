"""A service killed in the middle of a source sync: the index it was serving keeps serving after a restart, the
dead sync stops holding the job place once its heartbeat is stale, and the next sync indexes what the killed one
had already stored, with what changed since."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from core.embedders import FakeEmbedder
from ingestion.pipeline import IndexOptions, run_index
from tests.conftest import ADMIN_KEY, make_settings, open_index, serve
from tests.ingestion.sync_pages import procedure_page
from tests.ingestion.test_pipeline import small_corpus
from tests.site_server import SiteServer

HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}


def wait_for_job(url: str, job_id: str) -> dict:
    deadline = time.monotonic() + 90
    while (job := httpx.get(f"{url}/v1/admin/jobs/{job_id}", headers=HEADERS).json())["status"] in ("queued",
                                                                                                   "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.2)
    return job


def fee(url: str, procedure_id: str) -> float:
    record = httpx.get(f"{url}/v1/procedures/{procedure_id}", params={"lang": "fr"}).json()
    return float(record["fees"][0]["amount_mad"])


def test_a_service_killed_during_a_sync_keeps_serving_its_index_and_the_next_sync_catches_up(tmp_path: Path) -> None:
    corpus, data = small_corpus(tmp_path), tmp_path / "data"
    embedder = FakeEmbedder()
    run_index([corpus], embedder, open_index(make_settings(data), embedder), IndexOptions())
    env = {**os.environ, "SAHLA_DATA_DIR": str(data), "SAHLA_CORPUS_DIR": str(corpus), "SAHLA_EMBEDDER": "fake",
           "SAHLA_ADMIN_KEY": ADMIN_KEY, "SAHLA_JOB_STALE_SECONDS": "3", "SAHLA_SYNC_HOST_DELAY_SECONDS": "0",
           "SAHLA_SYNC_TIMEOUT_SECONDS": "60"}
    env.pop("SAHLA_DATABASE_URL", None)
    log = tmp_path / "service.log"
    with SiteServer(lifetime=240) as site:
        site.put("/fr/permis-a.html", procedure_page("Permis A", 100))
        process, url = serve(env, log)
        try:
            httpx.post(f"{url}/v1/admin/sources", headers=HEADERS, json={"url": f"{site.url}/fr/permis-a.html"})
            first = httpx.post(f"{url}/v1/admin/sources/sync", headers=HEADERS, json={}).json()["job_id"]
            assert wait_for_job(url, first)["status"] == "succeeded" and fee(url, "permis-a") == 100.0
            generation = httpx.get(f"{url}/readyz").json()["index"]["generation"]
            # Page A changes; page B answers so slowly that the kill lands while the sync waits for it, after it
            # stored A's new version but before any new index.
            site.put("/fr/permis-a.html", procedure_page("Permis A", 150))
            site.put("/fr/permis-b.html", procedure_page("Permis B", 200))
            site.slow("/fr/permis-b.html", 120)
            httpx.post(f"{url}/v1/admin/sources", headers=HEADERS, json={"url": f"{site.url}/fr/permis-b.html"})
            killed = httpx.post(f"{url}/v1/admin/sources/sync", headers=HEADERS, json={}).json()["job_id"]
            deadline = time.monotonic() + 30
            while not site.hits("/fr/permis-b.html"):
                assert time.monotonic() < deadline, "the sync never reached page B"
                time.sleep(0.1)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        process, url = serve(env, log)
        try:
            assert httpx.get(f"{url}/readyz").json()["index"]["generation"] == generation
            assert fee(url, "permis-a") == 100.0  # the index it served, not half a sync
            results = httpx.get(f"{url}/v1/search", params={"q": "permis A"}).json()["results"]
            assert results and results[0]["procedure_id"] == "permis-a"
            time.sleep(3.5)  # the dead sync's heartbeat goes stale
            site.restore("/fr/permis-b.html")
            retry = httpx.post(f"{url}/v1/admin/sources/sync", headers=HEADERS, json={})
            assert retry.status_code == 202
            job = wait_for_job(url, retry.json()["job_id"])
            outcomes = {r["url"].removeprefix(site.url): r["outcome"] for r in job["results"]}
            assert job["status"] == "succeeded" and outcomes == {"/fr/permis-a.html": "not_modified",
                                                                 "/fr/permis-b.html": "added"}
            assert fee(url, "permis-a") == 150.0 and fee(url, "permis-b") == 200.0
            dead = httpx.get(f"{url}/v1/admin/jobs/{killed}", headers=HEADERS).json()
            assert dead["status"] == "failed" and "stopped" in dead["errors"][0]["message"]
        finally:
            process.terminate()
            process.wait(timeout=20)
