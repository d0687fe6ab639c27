"""A sync run as an index job: it holds the single job place (storage.jobs, one across every replica) from the
first fetch to the new index going into service, so no re-index, upload or second sync sees half of it. The job
records each URL's outcome; a killed process leaves the previous index serving, and the next sync indexes what the
killed one had already stored."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx

from core.embedders import Embedder
from core.index_store import ChromaIndex, IndexStoreError
from core.settings import Settings
from ingestion.fetching import FetchOptions, PageFetcher
from ingestion.importing import index_stored_sources
from ingestion.pipeline import IndexOptions, IndexReport, ProgressCallback
from ingestion.sync import CHANGED, KEPT, PageResult, SourceSync, SyncOptions
from storage.documents import DocumentStore
from storage.jobs import JobStore
from storage.sources import SourceStore

logger = logging.getLogger(__name__)

IndexRunner = Callable[[ProgressCallback], IndexReport]
HEARTBEAT_SECONDS = 10.0


@dataclass
class SyncOutcome:
    job_id: str
    status: str  # succeeded, partial (some pages kept their last good version), failed (no new index)
    results: list[PageResult] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    report: IndexReport | None = None


class SyncJob:
    def __init__(self, jobs: JobStore, sync: SourceSync, index: IndexRunner) -> None:
        self._jobs, self._sync, self._index = jobs, sync, index
        self._catch_up = False

    def start(self) -> str:
        """Take the job place (JobConflictError when any index job is active)."""
        previous = self._jobs.last_of_kind("sync")
        job_id = self._jobs.start("sync")
        # A sync that died or could not index may have stored pages the index does not hold yet.
        self._catch_up = previous is not None and previous["status"] == "failed"
        return job_id

    def run(self, job_id: str, force: bool = False) -> SyncOutcome:
        results: list[PageResult] = []
        report: IndexReport | None = None
        with _heartbeat(self._jobs, job_id):
            try:
                self._jobs.mark_running(job_id)
                results = self._sync.run(lambda done, total: self._jobs.progress(job_id, done, total), force)
                if self._catch_up or any(r.outcome in CHANGED for r in results):
                    report = self._index(lambda done, total: self._jobs.progress(job_id, done, total))
            except BaseException as exc:
                logger.exception("event=sync_failed job=%s", job_id)
                errors = [{"source": "", "message": _job_error(exc)}]
                self._jobs.finish(job_id, "failed", _counts(results, None), errors, [r.as_dict() for r in results])
                if not isinstance(exc, Exception):
                    raise
                return SyncOutcome(job_id, "failed", results, errors)
        errors = [{"source": r.url, "message": f"{r.outcome}: {r.message}"} for r in results if r.outcome in KEPT]
        errors += [{"source": key, "message": reason} for key, reason in sorted((report.failed if report else {}).items())]
        status = "partial" if errors else "succeeded"
        self._jobs.finish(job_id, status, _counts(results, report), errors, [r.as_dict() for r in results])
        logger.info("event=sync_done job=%s status=%s pages=%s", job_id, status, len(results))
        return SyncOutcome(job_id, status, results, errors, report)


def build_sync_job(settings: Settings, client: httpx.Client, sources: SourceStore, documents: DocumentStore,
                   jobs: JobStore, embedder: Embedder, index: ChromaIndex,
                   after_index: Callable[[], None] | None = None) -> SyncJob:
    """A sync job over the settings' limits; `after_index` runs once a new index is in service (the service drops
    its cached records)."""
    fetcher = PageFetcher(client, FetchOptions(settings.sync_user_agent, settings.sync_timeout_seconds,
                                               settings.sync_host_delay_seconds, settings.max_file_bytes))
    sync = SourceSync(sources, documents, fetcher, SyncOptions(settings.max_file_bytes, settings.sync_shrink_ratio))
    options = IndexOptions(settings.chunk_size, settings.chunk_overlap, settings.max_file_bytes,
                           settings.embed_batch_size)

    def index_stored(on_progress: ProgressCallback) -> IndexReport:
        report = index_stored_sources(settings.corpus_dir, settings.data_dir / "uploads", documents, embedder, index,
                                      options, on_progress=on_progress)
        if after_index is not None:
            after_index()
        return report

    return SyncJob(jobs, sync, index_stored)


def _counts(results: list[PageResult], report: IndexReport | None) -> dict[str, int]:
    """The index's counts (added, updated, ...) beside each page outcome's, as `pages_<outcome>`."""
    pages = Counter(f"pages_{r.outcome}" for r in results)
    return {**(report.counts if report else {}), **pages}


def _job_error(exc: BaseException) -> str:
    if isinstance(exc, IndexStoreError):
        return str(exc)
    return "the sync stopped before its new index went into service; the previous index keeps serving"


@contextmanager
def _heartbeat(jobs: JobStore, job_id: str) -> Iterator[None]:
    """A few beats per stale window while the job runs, so that a slow fetch is not taken for a dead job."""
    stop = threading.Event()
    every = min(HEARTBEAT_SECONDS, jobs.stale_after.total_seconds() / 4)

    def beat() -> None:
        while not stop.wait(every):
            try:
                jobs.touch(job_id)
            except Exception:  # a missed beat only risks the job being called stale later
                logger.warning("event=job_heartbeat_failed job=%s", job_id)

    threading.Thread(target=beat, name=f"sync-heartbeat-{job_id}", daemon=True).start()
    try:
        yield
    finally:
        stop.set()
