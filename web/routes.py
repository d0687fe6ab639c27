"""Serves the widget script, the demo, console and admin pages and their static assets from web/static/.

Files are read once at import and served from memory with an ETag, so a browser revalidates instead of
downloading again. HTML pages carry a strict Content-Security-Policy: scripts and styles come from files on this
origin only, and the pages call no other origin.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.errors import ApiError

router = APIRouter(tags=["web"], include_in_schema=False)

STATIC_DIR = Path(__file__).resolve().parent / "static"
PAGES = {"demo": "demo.html", "console": "console.html", "admin": "admin.html"}

PAGE_CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
_COMMON_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"}
_MEDIA_TYPES = {".js": "application/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml"}


@dataclass(frozen=True)
class StaticFile:
    body: bytes
    media_type: str
    etag: str


def _load(path: Path) -> StaticFile:
    body = path.read_bytes()
    media_type = _MEDIA_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return StaticFile(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def _load_all(root: Path) -> dict[str, StaticFile]:
    return {p.relative_to(root).as_posix(): _load(p) for p in sorted(root.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)}


FILES = _load_all(STATIC_DIR)


def _serve(request: Request, name: str, headers: dict[str, str]) -> Response:
    static = FILES.get(name)
    if static is None:
        raise ApiError(404, "not_found", "no such file")
    headers = {**_COMMON_HEADERS, **headers, "ETag": static.etag}
    if static.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(static.body, media_type=static.media_type, headers=headers)


@router.get("/widget.js")
def widget_script(request: Request) -> Response:
    # Loaded by <script> from other sites: a short cache with revalidation, and readable across origins.
    return _serve(request, "widget.js", {"Cache-Control": "public, max-age=300, must-revalidate",
                                         "Cross-Origin-Resource-Policy": "cross-origin"})


@router.get("/static/{name:path}")
def static_asset(request: Request, name: str) -> Response:
    if name.endswith(".html"):  # pages are served only by their routes, with their security headers
        raise ApiError(404, "not_found", "no such file")
    return _serve(request, name, {"Cache-Control": "public, max-age=300, must-revalidate"})


def _page(request: Request, page: str) -> Response:
    return _serve(request, PAGES[page], {"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache",
                                         "X-Frame-Options": "DENY"})


@router.get("/demo")
def demo_page(request: Request) -> Response:
    return _page(request, "demo")


@router.get("/console")
def console_page(request: Request) -> Response:
    return _page(request, "console")


@router.get("/admin")
def admin_page(request: Request) -> Response:
    return _page(request, "admin")
