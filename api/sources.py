"""Admins: the official pages and sitemaps kept in sync — register, list with last fetch, status and next run,
read one with its pages, remove, and sync now."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from api.deps import AdminDep, ServicesDep
from api.errors import ApiError
from api.indexing import IndexJobs
from api.schemas import ERRORS, JobCreated, SourceDetail, SourceList, SourceOut
from api.services import Services
from api.syncing import SourceSyncs
from ingestion.source_input import SourceInputError, check_source
from storage.jobs import JobConflictError
from storage.sources import SourceExistsError, SourceInfo

router = APIRouter(prefix="/v1/admin", tags=["admins"], responses=ERRORS)

_CONFLICT = "an index job or a sync is already running; wait for it to finish (GET /v1/admin/jobs)"


class SourceIn(BaseModel):
    url: str = Field(min_length=1, max_length=2048)
    sitemap: bool = False
    procedure_id: str | None = None
    language: str | None = None


class SyncRequest(BaseModel):
    force: bool = False  # ask without conditions and accept pages that shrank


@router.get("/sources", response_model=SourceList)
def list_sources(services: ServicesDep, _: AdminDep) -> dict[str, Any]:
    syncs = SourceSyncs(services)
    schedule = syncs.schedule()
    return {"sources": [_source(s, schedule["next_run_at"]) for s in services.sources.all()], "schedule": schedule}


@router.post("/sources", status_code=201, response_model=SourceOut)
def add_source(body: SourceIn, services: ServicesDep, _: AdminDep) -> JSONResponse:
    try:
        kind = check_source(body.url, body.sitemap, body.procedure_id, body.language)
        info = services.sources.add(body.url, kind, body.procedure_id, body.language)
    except SourceInputError as exc:
        raise ApiError(400, "invalid_source", str(exc)) from exc
    except SourceExistsError as exc:
        raise ApiError(409, "source_exists", f"{body.url} is already registered") from exc
    return JSONResponse(_source(info, SourceSyncs(services).schedule()["next_run_at"]), status_code=201)


@router.get("/sources/{source_id}", response_model=SourceDetail)
def get_source(source_id: str, services: ServicesDep, _: AdminDep) -> dict[str, Any]:
    info = _known(services, source_id)
    pages = [{**{k: v for k, v in asdict(p).items() if k in _PAGE_KEYS}, "checked_at": _iso(p.checked_at),
              "fetched_at": _iso(p.fetched_at)} for p in services.sources.pages(info.id)]
    return _source(info, SourceSyncs(services).schedule()["next_run_at"]) | {"page_list": pages}


@router.delete("/sources/{source_id}", status_code=204)
def remove_source(source_id: str, services: ServicesDep, _: AdminDep) -> Response:
    """Stop following the source; its pages leave the index (one index job, like a document removal)."""
    info = _known(services, source_id)
    try:
        job_id, outcome = IndexJobs(services).change_and_index("delete", info.url,
                                                               lambda: services.sources.remove(info.id))
    except JobConflictError as exc:
        raise ApiError(409, "job_running", _CONFLICT) from exc
    if outcome.status == "failed":
        raise ApiError(503, "index_unavailable", f"the source was removed but the index could not be rebuilt (job "
                                                 f"{job_id}); its pages answer until POST /v1/admin/reindex succeeds")
    return Response(status_code=204)


@router.post("/sources/sync", status_code=202, response_model=JobCreated)
def sync_now(services: ServicesDep, _: AdminDep, body: SyncRequest | None = None) -> JSONResponse:
    try:
        job_id = SourceSyncs(services).start(force=body.force if body else False)
    except JobConflictError as exc:
        raise ApiError(409, "job_running", _CONFLICT) from exc
    return JSONResponse({"job_id": job_id}, status_code=202)


_PAGE_KEYS = {"url", "procedure_id", "language", "outcome", "http_status", "message", "gone_count"}


def _known(services: Services, source_id: str) -> SourceInfo:
    info = services.sources.find(source_id)
    if info is None:
        raise ApiError(404, "unknown_source", f"no source {source_id!r}")
    return info


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value else None


def _source(info: SourceInfo, next_run_at: str | None) -> dict[str, Any]:
    return {"id": info.id, "url": info.url, "kind": info.kind, "procedure_id": info.procedure_id,
            "language": info.language, "created_at": _iso(info.created_at), "last_run_at": _iso(info.last_run_at),
            "status": info.status, "message": info.message, "pages": info.pages, "next_run_at": next_run_at}
