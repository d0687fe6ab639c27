"""Admins: re-index in the background and follow the job, upload or remove a document, read the statistics.
Agents (civil servants) may read a conversation a citizen shows them by its id."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, StrictBool
from starlette.concurrency import run_in_threadpool

from api.deps import AdminDep, AgentDep, ServicesDep
from api.errors import ApiError
from api.indexing import IndexJobs, NotIndexedError, UnknownProcedureError, UnknownUploadError, UploadError
from api.schemas import (
    ERRORS,
    CatalogueImported,
    ConversationOut,
    DocumentIndexed,
    HiddenList,
    JobCreated,
    JobList,
    JobWithResults,
    Stats,
)
from api.services import Services
from storage.jobs import JobConflictError

router = APIRouter(prefix="/v1", tags=["admins"], responses=ERRORS)

_CONFLICT = "an index job is already running; wait for it to finish (GET /v1/admin/jobs)"


class ReindexRequest(BaseModel):
    # Strict: "yes" or "1" must not start a full rebuild by accident.
    model_config = ConfigDict(extra="forbid")
    full: StrictBool = False


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


@router.get("/admin/jobs/{job_id}", response_model=JobWithResults)
def get_job(job_id: str, services: ServicesDep, _: AdminDep) -> dict[str, Any]:
    job = services.jobs.get(job_id)
    if job is None:
        raise ApiError(404, "unknown_job", f"no job {job_id!r}")
    return job


@router.post("/admin/documents", status_code=201, response_model=DocumentIndexed)
async def upload_document(
    services: ServicesDep, _: AdminDep, file: Annotated[UploadFile, File()],
    procedure_id: Annotated[str | None, Form(max_length=100)] = None,
    language: Annotated[Literal["fr", "ar", "en"] | None, Form()] = None,
    replace: Annotated[bool, Form(description="override a corpus procedure or a structured record")] = False,
) -> JSONResponse:
    """The id and language come from the file name (`<id>.<fr|ar|en>.<ext>`) or the form fields, never from the
    file's content; overriding a corpus procedure, or a structured record with a text-only file, needs replace."""
    data = await file.read(services.settings.max_file_bytes + 1)
    try:
        # Parsing and embedding are CPU work: off the event loop, like every other sync route.
        claimed_id, claimed_language, job_id = await run_in_threadpool(
            IndexJobs(services).upload, file.filename or "", data, procedure_id or None, language, replace)
    except UploadError as exc:
        raise ApiError(exc.status, exc.code, str(exc)) from exc
    except JobConflictError as exc:
        raise ApiError(409, "job_running", _CONFLICT) from exc
    except NotIndexedError as exc:
        # The reasons are the loader's and the index store's own messages, written for admins (never exception text).
        status, code = (503, "index_unavailable") if exc.unavailable else (422, "not_indexed")
        raise ApiError(status, code, f"the document was not indexed (job {exc.job_id}): {'; '.join(exc.reasons)}; "
                                     "the previous version keeps answering") from exc
    return JSONResponse({"procedure_id": claimed_id, "language": claimed_language, "job_id": job_id}, status_code=201)


@router.post("/admin/catalogue", status_code=201, response_model=CatalogueImported)
async def import_catalogue(services: ServicesDep, _: AdminDep, file: Annotated[UploadFile, File()],
                           prune: Annotated[bool, Form()] = False) -> JSONResponse:
    """A catalogue file (JSON Lines, docs/catalogue.md): bad lines are named, the others imported and indexed."""
    data = await file.read(services.settings.max_catalogue_bytes + 1)
    try:
        result = await run_in_threadpool(IndexJobs(services).import_catalogue, file.filename or "catalogue.jsonl",
                                         data, prune)
    except UploadError as exc:
        raise ApiError(413 if exc.code == "too_large" else 400, exc.code, str(exc)) from exc
    except JobConflictError as exc:
        raise ApiError(409, "job_running", _CONFLICT) from exc
    applied, outcome = result.applied, result.outcome
    if outcome.status == "failed":
        raise ApiError(503, "index_unavailable", f"the catalogue was stored but not indexed (job {result.job_id}); "
                                                 "the previous index keeps answering; retry with POST /v1/admin/reindex")
    return JSONResponse({
        "job_id": result.job_id, "status": outcome.status,
        "counts": {"added": len(applied.added), "changed": len(applied.changed), "unchanged": len(applied.unchanged),
                   "removed": len(applied.removed), "kept_missing": len(applied.kept_missing),
                   "bad_lines": len(result.line_errors)},
        "removed": applied.removed,
        "errors": [{"line": n, "message": reason} for n, reason in result.line_errors],
    }, status_code=201)


@router.delete("/admin/documents/{procedure_id}", status_code=204)
def delete_document(procedure_id: str, services: ServicesDep, _: AdminDep,
                    language: Annotated[Literal["fr", "ar", "en"] | None, Query()] = None) -> Response:
    """Removes the uploads of a procedure (one language or all); a corpus record they overrode is served again."""
    try:
        IndexJobs(services).remove_upload(procedure_id, language)
    except UnknownUploadError as exc:
        raise ApiError(404, "unknown_upload", f"no uploaded document for {procedure_id!r}; a corpus procedure is "
                                              f"hidden with PUT /v1/admin/procedures/{procedure_id}/hidden") from exc
    except JobConflictError as exc:
        raise ApiError(409, "job_running", _CONFLICT) from exc
    return Response(status_code=204)


@router.get("/admin/procedures/hidden", response_model=HiddenList)
def list_hidden(services: ServicesDep, _: AdminDep) -> dict[str, Any]:
    return {"procedures": IndexJobs(services).hidden()}


@router.put("/admin/procedures/{procedure_id}/hidden", status_code=204)
def hide_procedure(procedure_id: str, services: ServicesDep, _: AdminDep) -> Response:
    """Takes a procedure out of every answer and search, corpus and uploads alike, until it is shown again."""
    return _set_hidden(services, procedure_id, hidden=True)


@router.delete("/admin/procedures/{procedure_id}/hidden", status_code=204)
def show_procedure(procedure_id: str, services: ServicesDep, _: AdminDep) -> Response:
    return _set_hidden(services, procedure_id, hidden=False)


def _set_hidden(services: Services, procedure_id: str, hidden: bool) -> Response:
    try:
        IndexJobs(services).set_hidden(procedure_id, hidden)
    except UnknownProcedureError as exc:
        message = f"no procedure {procedure_id!r}" if hidden else f"procedure {procedure_id!r} is not hidden"
        raise ApiError(404, "unknown_procedure", message) from exc
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
