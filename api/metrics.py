"""Prometheus metrics, in a registry of the app's own so that several apps in one process (tests) never clash."""

from __future__ import annotations

import logging
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("sahla_http_requests_total", "HTTP requests by route and status",
                                ["method", "route", "status"], registry=self.registry)
        self.request_seconds = Histogram("sahla_http_request_duration_seconds", "HTTP request duration by route",
                                         ["method", "route"], buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.chat_turns = Counter("sahla_chat_turns_total", "Chat turns by language, status and mode",
                                  ["language", "status", "mode"], registry=self.registry)
        self.retrieval_seconds = Histogram("sahla_retrieval_duration_seconds", "Retrieval duration per turn",
                                           buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.generation_seconds = Histogram("sahla_generation_duration_seconds", "Answer composition duration",
                                            ["mode"], buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.fallbacks = Counter("sahla_fallbacks_total", "Answers that fell back from the model to extractive",
                                 registry=self.registry)
        self.degraded_retrievals = Counter("sahla_degraded_retrievals_total",
                                           "Chat turns and searches answered by keyword retrieval alone (vector store down)",
                                           ["route"], registry=self.registry)
        self.storage_failures = Counter("sahla_storage_failures_total", "Writes to the database that failed",
                                        ["what"], registry=self.registry)
        self.rate_limited = Counter("sahla_rate_limited_total", "Requests refused by a rate limit", ["scope"],
                                    registry=self.registry)
        self.answer_cache = Counter("sahla_answer_cache_total", "First turns looked up in the answer cache, by result",
                                    ["result"], registry=self.registry)
        self.rate_limit_fallbacks = Counter("sahla_rate_limit_redis_fallbacks_total",
                                            "Rate-limit checks that fell back to in-process counters",
                                            registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts every request under its route template (/v1/procedures/{procedure_id}), never the raw path, so
    that the number of series stays bounded whatever URLs clients send."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def send_and_record(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            route = _route_template(scope)
            method = scope.get("method", "")
            seconds = time.perf_counter() - started
            self.metrics.requests.labels(method, route, str(status["code"])).inc()
            self.metrics.request_seconds.labels(method, route).observe(seconds)
            logger.info("event=request method=%s route=%s status=%s ms=%.1f", method, route, status["code"],
                        seconds * 1000)


def _route_template(scope: Scope) -> str:
    route = scope.get("route")  # set by the router once a route matched
    return str(getattr(route, "path", "unmatched")) if route is not None else "unmatched"
