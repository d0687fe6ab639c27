"""The HTTP server: uvicorn with h11, whose header size is bounded (httptools accepts any size), and a deadline
for a request's headers, so that half-sent requests (slowloris) cannot hold connections open."""

from __future__ import annotations

import asyncio

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from core.settings import Settings

HEADER_TIMEOUT_SECONDS = 10.0
MAX_HEADER_BYTES = 32 * 1024  # what h11 buffers for a request line and headers; past it, a 400


class HeaderDeadlineProtocol(H11Protocol):
    """Closes a connection whose request headers are not complete within HEADER_TIMEOUT_SECONDS of the
    connection opening (or of the previous response on a kept-alive connection)."""

    header_timeout = HEADER_TIMEOUT_SECONDS
    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._disarm_header_deadline()  # the request line and headers are in

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        self._disarm_header_deadline()
        self._header_deadline = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def run(app: FastAPI, settings: Settings) -> None:
    # proxy_headers: behind nginx the client address comes from X-Forwarded-For (FORWARDED_ALLOW_IPS says whom to
    # trust), which the per-client rate limit needs.
    # uvicorn's access log prints query strings, where a citizen's search may hold personal data; the metrics
    # middleware logs each request by its route template instead.
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", proxy_headers=True, access_log=False,
                http=type("Protocol", (HeaderDeadlineProtocol,), {"header_timeout": settings.header_timeout_seconds}),
                h11_max_incomplete_event_size=MAX_HEADER_BYTES)
