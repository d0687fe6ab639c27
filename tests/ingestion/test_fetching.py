"""The fetcher's manners and limits against a local site: robots.txt refused or failing, a page over the size
limit, a redirect off http(s), and a redirect onto a path robots.txt disallows."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from ingestion.fetching import FetchOptions, FetchResult, PageFetcher
from tests.site_server import SiteServer


@pytest.fixture
def site() -> Iterator[SiteServer]:
    with SiteServer() as server:
        server.put("/fr/a.html", "<html><body><p>Bonjour</p></body></html>")
        yield server


def fetch(site: SiteServer, path: str, **options: int) -> FetchResult:
    with httpx.Client() as client:
        fetcher = PageFetcher(client, FetchOptions(host_delay_seconds=0, timeout_seconds=2, **options))  # type: ignore[arg-type]
        return fetcher.fetch(site.url + path)


@pytest.mark.parametrize(("status", "error"), [
    (403, "robots.txt disallows this URL"),
    (500, "robots.txt answered HTTP 500"),
])
def test_a_refused_or_failing_robots_txt_fetches_nothing(site: SiteServer, status: int, error: str) -> None:
    site.put("/robots.txt", "", "text/plain")
    site.answer("/robots.txt", status)
    result = fetch(site, "/fr/a.html")
    assert result.error is not None and result.error.startswith(error)
    assert site.hits("/fr/a.html") == []


def test_a_page_over_the_size_limit_is_a_failure_not_a_truncated_page(site: SiteServer) -> None:
    site.put("/fr/big.html", "<p>" + "x" * 5000 + "</p>")
    result = fetch(site, "/fr/big.html", max_bytes=1000)
    assert result.status == 200 and result.body == b"" and "over 1000 bytes" in (result.error or "")


def test_a_redirect_off_http_is_refused(site: SiteServer) -> None:
    site.redirect("/fr/a.html", "ftp://x.gov.ma/a")
    assert "not http or https" in (fetch(site, "/fr/a.html").error or "")


def test_a_redirect_onto_a_disallowed_path_is_not_followed(site: SiteServer) -> None:
    site.put("/robots.txt", "User-agent: *\nDisallow: /prive/\n", "text/plain")
    site.put("/prive/a.html", "<p>secret</p>")
    site.redirect("/fr/a.html", "/prive/a.html")
    assert fetch(site, "/fr/a.html").error == "robots.txt disallows this URL"
    assert site.hits("/prive/a.html") == []
