"""The HTTP server: uvicorn with httptools, guarded so that a request's head is bounded in size and must arrive
within a deadline (half-sent requests, slowloris, cannot hold connections open).

httptools buffers any header size on its own, so the guard counts the bytes of a request's head as they arrive.
uvicorn's h11 protocol bounds headers itself, but under load (a hundred kept-alive clients) it closed a few
connections mid-request (tests/hostile/test_load_and_privacy.py saw ReadErrors), so it is not used."""

from __future__ import annotations

import asyncio
import json

import uvicorn
from fastapi import FastAPI
from threadpoolctl import threadpool_limits
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.errors import error_body
from core.settings import Settings

HEADER_TIMEOUT_SECONDS = 10.0
MAX_HEADER_BYTES = 32 * 1024  # a request line and headers; past it, a 431 and the connection closes
_BODY = json.dumps(error_body("headers_too_large", f"the request headers are over {MAX_HEADER_BYTES} bytes")).encode()
_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: application/json\r\n"
              b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(_BODY), _BODY))


class GuardedProtocol(HttpToolsProtocol):
    """Closes a connection whose request head is not complete within `header_timeout` of the connection opening
    (or, on a kept-alive connection, of the next request's first byte), and refuses a head over MAX_HEADER_BYTES.
    An idle kept-alive connection is uvicorn's to close, after `timeout_keep_alive`: closing it at the header
    deadline raced clients that reuse pooled connections (a ReadError under 100 kept-alive clients)."""

    header_timeout = HEADER_TIMEOUT_SECONDS
    _header_deadline: asyncio.TimerHandle | None = None
    _reading_head = True
    _head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def data_received(self, data: bytes) -> None:
        if self._reading_head and self._header_deadline is None:  # the first byte of a kept-alive connection's next request
            self._header_deadline = self.loop.call_later(self.header_timeout, self._head_too_slow)
        super().data_received(data)
        # Counted after parsing: a chunk that completes the head may also carry the body, which is not the head's.
        if self._reading_head and not self.transport.is_closing():
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEADER_BYTES:
                self._disarm_header_deadline()
                self.transport.write(_TOO_LARGE)
                self.transport.close()

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._disarm_header_deadline()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._await_head(armed=False)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)

    def _await_head(self, armed: bool = True) -> None:
        self._reading_head, self._head_bytes = True, 0
        self._disarm_header_deadline()
        if armed:
            self._header_deadline = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def _disarm_header_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _head_too_slow(self) -> None:
        if self._reading_head and not self.transport.is_closing():
            self.transport.close()


def run(app: FastAPI, settings: Settings) -> None:
    # numpy's BLAS on one thread: the service's matrix products are small (the gate's example bank, 4,761 x 384, one
    # product per candidate) and run from many request threads at once, while the embedder's OpenMP threads use
    # the cores. Left at one BLAS thread per core, those products waited on each other's worker threads: on our
    # 2-core machine (python -m bench --quick --only throughput) chat went from 23 to 32 turns/s at 8 clients and
    # from 3 to 25 at 32, and the bank's product from 37 % of the service's samples to 4 %.
    threadpool_limits(1, user_api="blas")
    # proxy_headers: behind nginx the client address comes from X-Forwarded-For (FORWARDED_ALLOW_IPS says whom to
    # trust), which the per-client rate limit needs.
    # uvicorn's access log prints query strings, where a citizen's search may hold personal data; the metrics
    # middleware logs each request by its route template instead.
    # timeout_keep_alive: above the idle time of the pools in front (nginx upstream keepalive 60 s, httpx 5 s), so
    # that the client side lets an idle connection go first; uvicorn's 5 s default raced them.
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", proxy_headers=True, access_log=False,
                timeout_keep_alive=settings.keep_alive_seconds,
                http=type("Protocol", (GuardedProtocol,), {"header_timeout": settings.header_timeout_seconds}))
