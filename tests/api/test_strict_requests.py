"""Strict request bodies and bounded headers (issue 14): `full` is a boolean, too many or too large headers are a
431, and the API documentation pages carry a CSP that still lets them load offline."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ADMIN


@pytest.mark.parametrize("full", ["yes", "true", 1, "1", None])
def test_a_reindex_with_a_non_boolean_full_is_a_422_and_starts_nothing(client, full) -> None:
    response = client.post("/v1/admin/reindex", json={"full": full}, headers=ADMIN)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
    assert client.get("/v1/admin/jobs", headers=ADMIN).json()["jobs"] == []


def test_a_reindex_with_an_unknown_field_is_a_422(client) -> None:
    response = client.post("/v1/admin/reindex", json={"ful": True}, headers=ADMIN)
    assert response.status_code == 422


def test_more_than_a_hundred_headers_is_a_431(client) -> None:
    headers = {f"x-h{n}": "1" for n in range(150)}
    response = client.get("/healthz", headers=headers)
    assert response.status_code == 431 and response.json()["error"]["code"] == "headers_too_large"


def test_a_header_of_a_megabyte_is_a_431(client) -> None:
    response = client.get("/healthz", headers={"x-big": "a" * 1_000_000})
    assert response.status_code == 431


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_documentation_pages_send_a_csp_and_load_only_local_assets(client, path: str) -> None:
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert response.status_code == 200 and "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert assets and all(a.startswith("/") for a in assets)
    assert all(client.get(a).status_code == 200 for a in assets)
