"""A local website for the source sync's tests, changed by the test while it runs: pages that change, vanish
(404/410), redirect, time out, answer 500 or come back empty, a robots.txt and a sitemap. It answers conditional
requests (ETag, Last-Modified) like a real server and records every request with its arrival time.

Loopback only, and bounded: slow answers end when the server stops, and the server stops by itself after
`lifetime` seconds even if a test forgets it."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Page:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    delay: float = 0.0
    location: str | None = None  # for a redirect status
    validators: bool = True  # send ETag and Last-Modified
    modified: float = 0.0  # the Last-Modified time


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic()


class SiteServer:
    def __init__(self, lifetime: float = 120.0) -> None:
        self.pages: dict[str, Page] = {}
        self.requests: list[Seen] = []
        self._stop = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                site.requests.append(Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic()))
                page = site.pages.get(self.path)
                if page is None:
                    self._answer(404, b"not found", "text/plain", {})
                    return
                if page.delay and site._stop.wait(page.delay):
                    return  # the server is stopping: drop the slow answer
                headers: dict[str, str] = {}
                if page.location:
                    headers["Location"] = page.location
                if page.validators and page.status == 200:
                    etag = '"' + hashlib.sha256(page.body).hexdigest()[:16] + '"'
                    modified = formatdate(page.modified, usegmt=True)
                    headers |= {"ETag": etag, "Last-Modified": modified}
                    if self.headers.get("If-None-Match") == etag:
                        self._answer(304, b"", page.content_type, headers)
                        return
                self._answer(page.status, page.body if page.status == 200 else b"error", page.content_type, headers)

            def _answer(self, status: int, body: bytes, content_type: str, headers: dict[str, str]) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body) if status != 304 else 0))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if status != 304:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> SiteServer:
        self._thread.start()
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    # -- what the test changes -----------------------------------------------------------------------------
    def put(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8",
            validators: bool = True) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.pages[path] = Page(data, content_type, validators=validators, modified=time.time())

    def answer(self, path: str, status: int) -> None:
        """The page now answers this status (404, 410, 500...) instead of its content."""
        self.pages.setdefault(path, Page()).status = status

    def restore(self, path: str) -> None:
        page = self.pages[path]
        page.status, page.delay, page.location = 200, 0.0, None

    def slow(self, path: str, seconds: float) -> None:
        self.pages.setdefault(path, Page()).delay = seconds

    def redirect(self, path: str, to: str, status: int = 301) -> None:
        self.pages[path] = Page(status=status, location=to)

    def hits(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    def sitemap(self, path: str, page_paths: list[str]) -> None:
        urls = "".join(f"<url><loc>{self.url}{p}</loc></url>" for p in page_paths)
        self.put(path, f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                       f'sitemap/0.9">{urls}</urlset>', "application/xml")
