"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from api.deps import ServicesDep
from api.services import Services

router = APIRouter(tags=["operations"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "the index or the database is not available"}})
def readyz(services: ServicesDep) -> JSONResponse:
    body: dict[str, Any] = {"status": "ready", "index": _index_state(services)}
    body["database"] = "ok" if services.database.ping() else "unreachable"
    body["rate_limits"] = services.limiter.backend
    if not isinstance(body["index"], dict) or body["database"] != "ok":
        body["status"] = "unavailable"
        return JSONResponse(body, status_code=503)
    if body["index"].get("mode") == "degraded":
        # Still ready: keyword retrieval answers. Taking every replica out of the balancer would answer no one.
        body["status"] = "degraded"
    return JSONResponse(body)


def _index_state(services: Services) -> dict[str, Any] | str:
    try:
        chunks = services.retriever.chunk_count()
    except Exception:  # nothing loaded and the vector store unreachable: the reason goes to the log
        return "unreachable"
    try:
        generation = services.index.generation()
    except Exception:
        return {"mode": "degraded", "chunks": chunks, "reason": "vector store unreachable; keyword retrieval only"}
    if not generation or not chunks:
        return "empty"
    return {"mode": "hybrid", "generation": generation, "chunks": chunks}


@router.get("/metrics", response_class=Response)
def metrics(services: ServicesDep) -> Response:
    return Response(services.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
