"""Index jobs. At most one is active across every replica (a unique constraint, see models.Job); a job whose
process died stops holding that place once its heartbeat is older than `stale_after` (SAHLA_JOB_STALE_SECONDS)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from storage.models import Job, utcnow

STALE_AFTER = timedelta(seconds=90)


class JobConflictError(Exception):
    """Another index job is queued or running."""


class JobStore:
    def __init__(self, database: Database, stale_after: timedelta = STALE_AFTER) -> None:
        self._db = database
        self.stale_after = stale_after

    def start(self, kind: str, full: bool = False) -> str:
        """A queued job holding the single active place, or JobConflictError."""
        self._release_stale()
        job_id = secrets.token_hex(8)
        now = utcnow()
        try:
            with self._db.session() as session:
                session.add(Job(id=job_id, kind=kind, full=full, status="queued", active=True, created_at=now,
                                heartbeat_at=now, counts={}, errors=[]))
        except IntegrityError as exc:
            raise JobConflictError("an index job is already running") from exc
        return job_id

    def mark_running(self, job_id: str) -> None:
        self._update(job_id, status="running", started_at=utcnow(), heartbeat_at=utcnow())

    def progress(self, job_id: str, done: int, total: int) -> None:
        self._update(job_id, done=done, total=total, heartbeat_at=utcnow())

    def touch(self, job_id: str) -> None:
        self._update(job_id, heartbeat_at=utcnow())

    def finish(self, job_id: str, status: str, counts: dict[str, int], errors: list[dict[str, str]],
               results: list[dict[str, Any]] | None = None) -> None:
        self._update(job_id, status=status, active=None, counts=counts, errors=errors, results=results,
                     finished_at=utcnow())

    def get(self, job_id: str) -> dict[str, Any] | None:
        """One job, with a sync's per-URL results (the list of recent jobs leaves them out: they may be long)."""
        with self._db.session() as session:
            job = session.get(Job, job_id)
            if job is None:
                return None
            return _public(job) | ({"results": list(job.results)} if job.results is not None else {})

    def last_of_kind(self, kind: str) -> dict[str, Any] | None:
        """The latest job of this kind, from any replica (the sync schedule counts from it)."""
        with self._db.session() as session:
            job = session.scalars(select(Job).where(Job.kind == kind).order_by(Job.created_at.desc()).limit(1)).first()
            return _public(job) if job else None

    def recent(self, limit: int = 20) -> list[dict[str, Any]]:
        with self._db.session() as session:
            return [_public(j) for j in session.scalars(select(Job).order_by(Job.created_at.desc()).limit(limit))]

    def _release_stale(self) -> None:
        cutoff = utcnow() - self.stale_after
        with self._db.session() as session:
            session.execute(update(Job).where(Job.active.is_(True), Job.heartbeat_at < cutoff).values(
                status="failed", active=None, finished_at=utcnow(),
                errors=[{"source": "", "message": "the process running this job stopped before it finished"}]))

    def _update(self, job_id: str, **values: Any) -> None:
        with self._db.session() as session:
            session.execute(update(Job).where(Job.id == job_id).values(**values))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def _public(job: Job) -> dict[str, Any]:
    counts = dict.fromkeys(("added", "updated", "deleted", "unchanged", "failed"), 0) | dict(job.counts or {})
    return {"job_id": job.id, "kind": job.kind, "full": job.full, "status": job.status,
            "progress": {"done": job.done, "total": job.total}, "counts": counts, "errors": list(job.errors or []),
            "created_at": _iso(job.created_at), "started_at": _iso(job.started_at),
            "finished_at": _iso(job.finished_at)}
