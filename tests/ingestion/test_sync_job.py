"""A sync as an index job: one at a time across replicas, each URL's outcome in the job, the index rebuilt only
when a page changed (or a failed sync left pages unindexed), and a failed index that keeps the previous one."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from core.embedders import FakeEmbedder
from core.index_store import IndexUnavailableError
from ingestion.pipeline import IndexOptions, IndexReport, ProgressCallback, run_index
from ingestion.sync_job import SyncJob, build_sync_job
from storage.database import Database
from storage.documents import DocumentStore
from storage.jobs import JobConflictError, JobStore
from storage.sources import SourceStore
from tests.conftest import make_settings, open_index
from tests.ingestion.sync_pages import procedure_page
from tests.ingestion.test_pipeline import small_corpus
from tests.site_server import SiteServer


class Replica:
    """One process's view of the shared database and index."""

    def __init__(self, tmp_path: Path, client: httpx.Client) -> None:
        self.settings = make_settings(tmp_path / "data", corpus_dir=small_corpus(tmp_path) if not (
            tmp_path / "corpus").exists() else tmp_path / "corpus", sync_host_delay_seconds=0, sync_timeout_seconds=5,
            database_url=f"sqlite:///{tmp_path / 'sahla.db'}")
        self.database = Database(self.settings.sqlalchemy_url)
        self.database.migrate()
        self.sources, self.jobs = SourceStore(self.database), JobStore(self.database, timedelta(seconds=60))
        self.embedder = FakeEmbedder()
        self.index = open_index(self.settings, self.embedder)
        if self.index.generation() is None:  # the corpus is served before any sync
            run_index([self.settings.corpus_dir], self.embedder, self.index, IndexOptions())
        self.job = build_sync_job(self.settings, client, self.sources, DocumentStore(self.database), self.jobs,
                                  self.embedder, self.index)


@pytest.fixture
def site() -> SiteServer:
    with SiteServer() as server:
        server.put("/fr/permis.html", procedure_page("Permis de port d'arme", 400))
        yield server


def test_one_sync_at_a_time_across_replicas(tmp_path: Path, site: SiteServer) -> None:
    site.slow("/fr/permis.html", 2)
    with httpx.Client() as client:
        first, second = Replica(tmp_path, client), Replica(tmp_path, client)
        first.sources.add(f"{site.url}/fr/permis.html", "page")
        job_id = first.job.start()
        running = threading.Thread(target=first.job.run, args=(job_id,))
        running.start()
        with pytest.raises(JobConflictError):
            second.job.start()
        running.join(timeout=30)
        assert first.jobs.get(job_id)["status"] == "succeeded"
        assert second.job.start()  # the place is free again


def test_the_job_records_each_url_and_indexes_only_when_a_page_changed(tmp_path: Path, site: SiteServer) -> None:
    with httpx.Client() as client:
        replica = Replica(tmp_path, client)
        replica.sources.add(f"{site.url}/fr/permis.html", "page")
        replica.sources.add(f"{site.url}/fr/absent.html", "page")
        outcome = replica.job.run(replica.job.start())
        assert outcome.status == "partial" and outcome.report is not None and outcome.report.switched
        assert outcome.errors == [{"source": f"{site.url}/fr/absent.html",
                                   "message": "gone: HTTP 404: nothing there, and no version of it is stored"}]
        job = replica.jobs.get(outcome.job_id)
        assert [(r["outcome"], r["procedure"]) for r in job["results"]] == [("added", "permis.fr"), ("gone", None)]
        assert job["counts"]["pages_added"] == 1 and job["counts"]["pages_gone"] == 1
        assert outcome.report.added == ["uploads/permis/fr.html"]
        generation = replica.index.generation()
        again = replica.job.run(replica.job.start())
        assert again.report is None and replica.index.generation() == generation


def test_a_sync_whose_index_fails_is_failed_and_the_next_one_indexes_what_it_stored(tmp_path: Path,
                                                                                     site: SiteServer) -> None:
    with httpx.Client() as client:
        replica = Replica(tmp_path, client)
        replica.sources.add(f"{site.url}/fr/permis.html", "page")

        def broken_index(on_progress: ProgressCallback) -> IndexReport:
            raise IndexUnavailableError("the vector store is not reachable")

        broken = SyncJob(replica.jobs, replica.job._sync, broken_index)
        outcome = broken.run(broken.start())
        assert outcome.status == "failed" and outcome.errors == [{"source": "",
                                                                  "message": "the vector store is not reachable"}]
        assert replica.jobs.get(outcome.job_id)["results"][0]["outcome"] == "added"  # stored, not indexed
        catch_up = replica.job.run(replica.job.start())
        assert catch_up.status == "succeeded" and catch_up.results[0].outcome == "not_modified"
        assert catch_up.report is not None and catch_up.report.added == ["uploads/permis/fr.html"]
