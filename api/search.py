"""Civil servants' search and procedure records (public information)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from api.deps import OptionalCallerDep, ServicesDep
from api.errors import ApiError
from api.limits import enforce
from api.schemas import ERRORS, ProcedureList, ProcedureRecordOut, SearchResponse
from assistant.forms import RECORD_LANGUAGE
from assistant.language import language_and_form
from assistant.redact import redact
from assistant.text import expand_with_lexicon, sanitize
from core.records import CATEGORIES

router = APIRouter(prefix="/v1", tags=["civil servants"])


@router.get("/search", response_model=SearchResponse, responses=ERRORS)
def search(
    services: ServicesDep,
    request: Request,
    caller: OptionalCallerDep,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    k: Annotated[int, Query(ge=1, le=50)] = 5,
    lang: Literal["fr", "ar", "en"] | None = None,
    category: str | None = None,
) -> dict[str, Any]:
    if category is not None and category not in CATEGORIES:
        raise ApiError(400, "unknown_category", f"category must be one of {', '.join(CATEGORIES)}")
    enforce(services, request, caller, "search")
    question = sanitize(q).strip()
    if not question:
        raise ApiError(400, "empty_query", "the query is empty")
    detected, form = language_and_form(question)
    language = lang or RECORD_LANGUAGE.get(detected, "fr")
    retrieval = services.retriever.retrieve(question, expand_with_lexicon(question), category=category, form=form)
    if retrieval.degraded:
        services.metrics.degraded_retrievals.labels("search").inc()
    catalog = services.catalog
    results = []
    for candidate in retrieval.candidates[:k]:
        chunks = candidate.chunks_in(language) or candidate.chunks
        stored = catalog.record_for(candidate.procedure_id, language)
        best = chunks[0]
        results.append({
            "procedure_id": candidate.procedure_id,
            "title": stored.record.title if stored else best.metadata.get("title", ""),
            "language": stored.record.lang if stored else best.metadata.get("language", ""),
            "category": best.metadata.get("category", ""),
            "administration": (stored.record.administration or "") if stored
            else best.metadata.get("administration", ""),
            "score": round(candidate.score, 6),
            "snippet": best.text[:300],
            "url": str(stored.record.source_url or "") if stored else best.metadata.get("source_url", ""),
        })
    # The echo is redacted like everything else the service hands on: proxies and browser histories keep it.
    return {"query": redact(q), "language": language, "results": results}


@router.get("/procedures", response_model=ProcedureList, responses=ERRORS)
def list_procedures(services: ServicesDep, category: str | None = None,
                    lang: Literal["fr", "ar", "en"] = "fr") -> dict[str, Any]:
    if category is not None and category not in CATEGORIES:
        raise ApiError(400, "unknown_category", f"category must be one of {', '.join(CATEGORIES)}")
    by_id: dict[str, dict[str, Any]] = {}
    for (procedure_id, language), stored in sorted(services.catalog.records().items()):
        if category and stored.record.category != category:
            continue
        entry = by_id.setdefault(procedure_id, {"procedure_id": procedure_id, "languages": [], "structured": False})
        entry["languages"].append(language)
        # Structured when any language's record states a field a citizen asks about; otherwise text-only.
        entry["structured"] = entry["structured"] or stored.record.structured
        if language == lang or "title" not in entry:
            entry.update(title=stored.record.title, category=stored.record.category or "uncategorized",
                         administration=stored.record.administration or "")
    return {"procedures": list(by_id.values())}


@router.get("/procedures/{procedure_id}", response_model=ProcedureRecordOut, responses=ERRORS)
def get_procedure(services: ServicesDep, procedure_id: str,
                  lang: Literal["fr", "ar", "en"] = "fr") -> dict[str, Any]:
    stored = services.catalog.get(procedure_id, lang)
    if stored is None:
        raise ApiError(404, "unknown_procedure", f"no procedure {procedure_id!r} in language {lang!r}")
    return {**stored.record.model_dump(mode="json"), "body": stored.body}
