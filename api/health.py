"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from api.deps import ServicesDep

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "the index or the database is not available"}})
def readyz(services: ServicesDep) -> JSONResponse:
    body: dict[str, Any] = {"status": "ready"}
    try:
        chunks = services.retriever.corpus.chunk_count()
        generation = services.index.generation()
        body["index"] = {"generation": generation, "chunks": chunks} if generation and chunks else "empty"
    except Exception:  # any vector-store failure means not ready; the reason goes to the log, not the client
        body["index"] = "unreachable"
    body["database"] = "ok" if services.database.ping() else "unreachable"
    body["rate_limits"] = services.limiter.backend
    if not isinstance(body["index"], dict) or body["database"] != "ok":
        body["status"] = "unavailable"
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)


@router.get("/metrics", response_class=Response)
def metrics(services: ServicesDep) -> Response:
    return Response(services.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
