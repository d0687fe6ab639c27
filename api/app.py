"""The app factory: `create_app(settings, services=None)`; tests hand in their own services."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from api import admin, chat, feedback, health, reviews, search, sources
from api.errors import install_error_handlers
from api.metrics import MetricsMiddleware
from api.middleware import BodyLimitMiddleware, HeaderLimitMiddleware, SecurityHeadersMiddleware
from api.services import Services, build_services
from api.syncing import sync_on_schedule
from core.settings import Settings
from web import routes as web_routes

logger = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 3600


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or Settings()
    # Built now, not in the lifespan, so that middleware can hold the metrics and tests see one set of services.
    services = services if services is not None else build_services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The gate's example bank, embedded (or read from the data directory) before the first question needs it.
        threading.Thread(target=services.pipeline.examples.warm, name="warm-examples", daemon=True).start()
        tasks = [asyncio.create_task(_purge_periodically(services))]
        if services.settings.sync_interval_minutes:  # the source sync's schedule is off by default
            tasks.append(asyncio.create_task(sync_on_schedule(services)))
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPIOffline(title="Sahla", version="1.0", lifespan=lifespan,
                         description="Cited answers about Moroccan administrative procedures.")
    app.state.services = services
    install_error_handlers(app)
    for module in (health, search, chat, feedback, admin, sources, reviews):
        app.include_router(module.router)
    app.include_router(web_routes.router)
    # Outermost last: metrics see every response, including the 413s and CORS refusals.
    app.add_middleware(BodyLimitMiddleware, upload_limit=settings.max_file_bytes,
                       body_timeout=settings.body_timeout_seconds,
                       catalogue_limit=settings.max_catalogue_bytes)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "Accept"], max_age=600)
    app.add_middleware(HeaderLimitMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=services.metrics)
    return app


async def _purge_periodically(services: Services) -> None:
    """Retention: conversation text older than SAHLA_RETENTION_DAYS is deleted, at start and every hour."""
    while True:
        try:
            purged = await asyncio.to_thread(services.conversations.purge_text_older_than,
                                             services.settings.retention_days)
            notes = await asyncio.to_thread(services.reviews.purge_notes_older_than, services.settings.retention_days)
            if purged or notes:
                logger.info("event=retention_purge turns=%s review_notes=%s", purged, notes)
        except Exception:  # the database may be down; the next round tries again
            logger.warning("event=retention_purge_failed", exc_info=True)
        await asyncio.sleep(PURGE_EVERY_SECONDS)
