"""The app factory: `create_app(settings, services=None)`; tests hand in their own services."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import chat, health, search
from api.errors import install_error_handlers
from api.services import Services, build_services
from core.settings import Settings
from web import routes as web_routes

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "services", None) is None:
            app.state.services = build_services(settings)
        yield

    app = FastAPI(title="Sahla", version="1.0", lifespan=lifespan,
                  description="Cited answers about Moroccan administrative procedures.")
    app.state.services = services
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(search.router)
    app.include_router(chat.router)
    app.include_router(web_routes.router)
    return app
