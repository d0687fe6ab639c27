"""Request limits (413 for a body over its size, 408 for a body too slow to arrive, 431 for too many or too large
headers, all before anything is parsed) and headers every response carries."""

from __future__ import annotations

import asyncio
import json
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_body

JSON_BODY_LIMIT = 64 * 1024  # a 2,000-character message, escaped, is far below this
MULTIPART_OVERHEAD = 64 * 1024
MAX_HEADERS = 100
MAX_HEADER_BYTES = 32 * 1024
BODY_TIMEOUT_SECONDS = 30.0  # the whole body, from the first byte asked for; an upload at 200 kB/s fits


class BodyLimitMiddleware:
    """Reads the body before the app does: refused once it passes its limit (from Content-Length, or from the bytes
    read for a chunked body) or when it has not all arrived within BODY_TIMEOUT_SECONDS."""

    def __init__(self, app: ASGIApp, upload_limit: int, upload_paths: tuple[str, ...] = ("/v1/admin/documents",),
                 body_timeout: float = BODY_TIMEOUT_SECONDS,
                 catalogue_limit: int = 0, catalogue_path: str = "/v1/admin/catalogue") -> None:
        self.app = app
        self.upload_limit = upload_limit + MULTIPART_OVERHEAD
        self.upload_paths = upload_paths
        self.body_timeout = body_timeout
        # A whole catalogue file is larger than any one document.
        self.catalogue_limit = max(catalogue_limit, upload_limit) + MULTIPART_OVERHEAD
        self.catalogue_path = catalogue_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        limit = (self.catalogue_limit if path == self.catalogue_path
                 else self.upload_limit if path.startswith(self.upload_paths) else JSON_BODY_LIMIT)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(send, 413, "too_large", f"the request body is over the limit of {limit} bytes")
            return
        try:
            body = await self._read_body(receive, limit)
        except TimeoutError:
            await _refuse(send, 408, "body_timeout", f"the request body did not arrive within {self.body_timeout:g} s")
            return
        if body is None:
            return  # the client went away
        if len(body) > limit:
            await _refuse(send, 413, "too_large", f"the request body is over the limit of {limit} bytes")
            return
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _read_body(self, receive: Receive, limit: int) -> bytes | None:
        deadline = time.monotonic() + self.body_timeout
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await asyncio.wait_for(receive(), timeout=max(deadline - time.monotonic(), 0.001))
            if message["type"] == "http.disconnect":
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > limit or not message.get("more_body"):
                return b"".join(chunks)


class HeaderLimitMiddleware:
    """431 for a request with more than MAX_HEADERS headers or more than MAX_HEADER_BYTES of them (the server
    bounds the bytes too, see api.server; this bounds them whatever server runs the app)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = scope.get("headers", [])
            if len(headers) > MAX_HEADERS or sum(len(k) + len(v) + 4 for k, v in headers) > MAX_HEADER_BYTES:
                await _refuse(send, 431, "headers_too_large",
                              f"at most {MAX_HEADERS} headers and {MAX_HEADER_BYTES} bytes of them are accepted")
                return
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps(error_body(code, message)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


# The API documentation pages load only what fastapi-offline serves from this service; Swagger UI starts from one
# inline script and ReDoc runs its search in a blob: worker.
DOCS_CSP = "; ".join([
    "default-src 'self'", "script-src 'self' 'unsafe-inline'", "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:", "font-src 'self' data:", "worker-src 'self' blob:", "connect-src 'self'",
    "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'",
]).encode()
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        extra = [(b"content-security-policy", DOCS_CSP)] if scope.get("path") in DOCS_PATHS else []

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                                    (b"x-frame-options", b"DENY"), *extra):
                    if name not in present:
                        headers.append((name, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
