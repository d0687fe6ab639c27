"""The source sync inside the service: started by an admin (in the background, 202) or by the schedule, which
every replica checks but only one runs at a time (the single job place), counting the interval from the last sync
any replica started."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import datetime, timedelta
from typing import Any

import httpx

from api.services import Services
from ingestion.sync_job import SyncJob, SyncOutcome, build_sync_job
from storage.jobs import JobConflictError
from storage.models import utcnow

logger = logging.getLogger(__name__)

SCHEDULE_CHECK_SECONDS = 60.0


class SourceSyncs:
    def __init__(self, services: Services) -> None:
        self._services = services

    def start(self, force: bool = False) -> str:
        """Take the job place and sync in a background thread; JobConflictError when an index job is active."""
        client = httpx.Client()
        job = self._job(client)
        try:
            job_id = job.start()
        except BaseException:
            client.close()
            raise
        threading.Thread(target=self._run, args=(job, job_id, force, client), name=f"sync-{job_id}",
                         daemon=True).start()
        return job_id

    def run_if_due(self) -> SyncOutcome | None:
        """The schedule's step: sync now if the interval has passed since the last sync (of any replica)."""
        due = self.next_run()
        if due is None or due > utcnow():
            return None
        with httpx.Client() as client:
            job = self._job(client)
            try:
                job_id = job.start()
            except JobConflictError:
                return None  # another replica's sync, or another index job: the next check tries again
            logger.info("event=scheduled_sync job=%s", job_id)
            return job.run(job_id)

    def next_run(self) -> datetime | None:
        """When the schedule syncs next (naive UTC), or None when it is off."""
        minutes = self._services.settings.sync_interval_minutes
        if not minutes:
            return None
        last = self._services.jobs.last_of_kind("sync")
        if last is None or last["created_at"] is None:
            return utcnow()
        return datetime.fromisoformat(last["created_at"].removesuffix("Z")) + timedelta(minutes=minutes)

    def schedule(self) -> dict[str, Any]:
        next_run = self.next_run()
        last = self._services.jobs.last_of_kind("sync")
        return {"enabled": next_run is not None,
                "interval_minutes": self._services.settings.sync_interval_minutes or None,
                "next_run_at": next_run.isoformat() + "Z" if next_run else None,
                "last_job": {k: last[k] for k in ("job_id", "status", "created_at", "finished_at")} if last else None}

    def _job(self, client: httpx.Client) -> SyncJob:
        s = self._services
        return build_sync_job(s.settings, client, s.sources, s.documents, s.jobs, s.embedder, s.index,
                              after_index=s.retriever.expire)

    @staticmethod
    def _run(job: SyncJob, job_id: str, force: bool, client: httpx.Client) -> None:
        try:
            job.run(job_id, force)
        except Exception:  # already recorded as the job's failure
            logger.warning("event=sync_thread_failed job=%s", job_id)
        finally:
            client.close()


async def sync_on_schedule(services: Services) -> None:
    """Each minute (or each interval, if shorter), sync when due; never stops on a failure."""
    every = min(SCHEDULE_CHECK_SECONDS, services.settings.sync_interval_minutes * 60)
    while True:
        try:
            await asyncio.to_thread(SourceSyncs(services).run_if_due)
        except Exception:  # the database may be down; the next check tries again
            logger.warning("event=scheduled_sync_failed", exc_info=True)
        await asyncio.sleep(every)
