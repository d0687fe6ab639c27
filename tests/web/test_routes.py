"""The web routes over HTTP: content types, caching, security headers, and the widget's size."""

from __future__ import annotations

import gzip

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.errors import install_error_handlers
from web.routes import FILES, PAGE_CSP, router


@pytest.fixture(scope="module")
def client() -> TestClient:
    # The router alone, with the service's error handlers: none of these requests needs the index.
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    return TestClient(app)


def test_widget_script_is_javascript_cacheable_and_revalidated_by_etag(client) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/javascript")
    assert "max-age" in response.headers["cache-control"] and response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    again = client.get("/widget.js", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and not again.content


@pytest.mark.parametrize("path", ["/demo", "/console", "/admin"])
def test_pages_carry_a_strict_content_security_policy(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert csp == PAGE_CSP and "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
    assert response.headers["x-content-type-options"] == "nosniff" and response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("path", ["/demo", "/console", "/admin"])
def test_pages_have_no_inline_script_or_style(client, path) -> None:
    html = client.get(path).text
    assert "<script>" not in html and " style=" not in html and "<style" not in html and " on" + "click=" not in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "//cdn" not in html


def test_static_assets_are_served_with_their_type(client) -> None:
    assert client.get("/static/console.js").headers["content-type"].startswith("application/javascript")
    assert client.get("/static/pages.css").headers["content-type"].startswith("text/css")


@pytest.mark.parametrize("path", ["/static/nope.js", "/static/../api/app.py", "/static/console.html"])
def test_unknown_static_paths_get_the_error_body(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_widget_is_small_once_gzipped() -> None:
    size = len(gzip.compress(FILES["widget.js"].body, compresslevel=9))
    assert size < 25_000, f"widget.js is {size} bytes gzipped"


def test_no_static_file_loads_anything_from_another_origin() -> None:
    for name, static in FILES.items():
        text = static.body.decode("utf-8", errors="ignore")
        assert "fonts.googleapis" not in text and "cdn." not in text and "@import" not in text, name
