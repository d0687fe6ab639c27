"""The rate limits a citizen meets: per client address and per conversation. Key holders (agents at a counter,
admins) are not limited."""

from __future__ import annotations

from fastapi import Request

from api.auth import Caller
from api.errors import ApiError
from api.services import Services


def client_address(request: Request) -> str:
    # Behind a proxy, uvicorn's --forwarded-allow-ips puts the real client here from X-Forwarded-For.
    return request.client.host if request.client else "unknown"


def enforce(services: Services, request: Request, caller: Caller | None, scope: str,
            conversation_id: str | None = None) -> None:
    if caller is not None:
        return
    settings = services.settings
    per_client = settings.rate_limit_search_per_client if scope == "search" else settings.rate_limit_per_client
    checks = [(f"{scope}:client:{client_address(request)}", per_client, "client")]
    if conversation_id:
        checks.append((f"conversation:{conversation_id}", settings.rate_limit_per_conversation, "conversation"))
    for key, limit, kind in checks:
        decision = services.limiter.check(key, limit)
        if not decision.allowed:
            services.metrics.rate_limited.labels(kind).inc()
            raise ApiError(429, "rate_limited", f"too many requests from this {kind}; try again in "
                           f"{decision.retry_after} s", {"Retry-After": str(decision.retry_after)})
