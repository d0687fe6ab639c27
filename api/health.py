"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ServicesDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
def readyz(services: ServicesDep) -> JSONResponse:
    try:
        chunks = services.retriever.corpus.chunk_count()
        generation = services.index.generation()
    except Exception:  # any vector-store failure means not ready; the reason goes to the log, not the client
        return JSONResponse({"status": "unavailable", "index": "unreachable"}, status_code=503)
    if not generation or chunks == 0:
        return JSONResponse({"status": "unavailable", "index": "empty"}, status_code=503)
    return JSONResponse({"status": "ready", "index": {"generation": generation, "chunks": chunks}})
