"""Admins: re-index in the background and follow the job, upload or remove a document, read the statistics.
Agents (civil servants) may read a conversation a citizen shows them by its id."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.deps import AdminDep, AgentDep, ServicesDep
from api.errors import ApiError
from api.indexing import IndexJobs, UnknownProcedureError, UploadError
from api.schemas import ERRORS, ConversationOut, DocumentIndexed, Job, JobCreated, JobList, Stats
from storage.jobs import JobConflictError

router = APIRouter(prefix="/v1", tags=["admins"], responses=ERRORS)

_CONFLICT = "an index job is already running; wait for it to finish (GET /v1/admin/jobs)"


class ReindexRequest(BaseModel):
    full: bool = False


@router.post("/admin/reindex", status_code=202, response_model=JobCreated)
def reindex(services: ServicesDep, _: AdminDep, body: ReindexRequest | None = None) -> JSONResponse:
    try:
        job_id = IndexJobs(services).start_reindex(full=body.full if body else False)
    except JobConflictError as exc:
        raise ApiError(409, "job_running", _CONFLICT) from exc
    return JSONResponse({"job_id": job_id}, status_code=202)


@router.get("/admin/jobs", response_model=JobList)
def list_jobs(services: ServicesDep, _: AdminDep) -> dict[str, Any]:
    return {"jobs": services.jobs.recent()}


@router.get("/admin/jobs/{job_id}", response_model=Job)
def get_job(job_id: str, services: ServicesDep, _: AdminDep) -> dict[str, Any]:
    job = services.jobs.get(job_id)
    if job is None:
        raise ApiError(404, "unknown_job", f"no job {job_id!r}")
    return job


@router.post("/admin/documents", status_code=201, response_model=DocumentIndexed)
async def upload_document(services: ServicesDep, _: AdminDep, file: Annotated[UploadFile, File()]) -> JSONResponse:
    data = await file.read(services.settings.max_file_bytes + 1)
    try:
        # Parsing and embedding are CPU work: off the event loop, like every other sync route.
        procedure_id, language, job_id = await run_in_threadpool(
            IndexJobs(services).upload, file.filename or "", data)
    except UploadError as exc:
        raise ApiError(413 if exc.code == "too_large" else 400, exc.code, str(exc)) from exc
    except JobConflictError as exc:
        raise ApiError(409, "job_running", _CONFLICT) from exc
    return JSONResponse({"procedure_id": procedure_id, "language": language, "job_id": job_id}, status_code=201)


@router.delete("/admin/documents/{procedure_id}", status_code=204)
def delete_document(procedure_id: str, services: ServicesDep, _: AdminDep) -> Response:
    try:
        IndexJobs(services).remove(procedure_id)
    except UnknownProcedureError as exc:
        raise ApiError(404, "unknown_procedure", f"no procedure {procedure_id!r} in the index") from exc
    except JobConflictError as exc:
        raise ApiError(409, "job_running", _CONFLICT) from exc
    return Response(status_code=204)


@router.get("/admin/stats", response_model=Stats)
def stats(services: ServicesDep, _: AdminDep) -> dict[str, Any]:
    return {**services.conversations.stats(), "quality": services.quality.report()}


@router.get("/agent/conversations/{conversation_id}", response_model=ConversationOut, tags=["civil servants"])
def read_conversation(conversation_id: str, services: ServicesDep, _: AgentDep) -> dict[str, Any]:
    turns = services.conversations.history(conversation_id, limit=100)
    if not turns:
        raise ApiError(404, "unknown_conversation", f"no conversation {conversation_id!r}")
    return {"conversation_id": conversation_id, "turns": turns}
