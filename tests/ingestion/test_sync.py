"""The source sync against a local website whose pages change, vanish, redirect, time out, answer 500, come back
empty or shrunk, and serve a sitemap and a robots.txt: each scenario, and what is served afterwards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ingestion.fetching import FetchOptions, PageFetcher
from ingestion.loaders import Origin, load_document
from ingestion.sync import SourceSync, SyncOptions, language_from_url, slug_from_url
from storage.database import Database
from storage.documents import DocumentStore, Upload
from storage.sources import SourceInfo, SourceStore
from tests.ingestion.sync_pages import arabic_page, procedure_page
from tests.site_server import SiteServer


@dataclass
class Rig:
    site: SiteServer
    sources: SourceStore
    documents: DocumentStore
    sync: SourceSync

    def add(self, path: str, kind: str = "page", **identity: str) -> SourceInfo:
        return self.sources.add(f"{self.site.url}{path}", kind, identity.get("procedure_id"), identity.get("language"))

    def run(self, force: bool = False) -> dict[str, tuple[str, str]]:
        """Each URL's path -> (outcome, message) of one run."""
        return {r.url.removeprefix(self.site.url): (r.outcome, r.message) for r in self.sync.run(force=force)}

    def stored(self, procedure_id: str, language: str = "fr") -> Upload | None:
        return self.documents.upload_for(procedure_id, language)


@pytest.fixture
def rig(database: Database) -> Iterator[Rig]:
    """The sync over a fresh database on each engine (SQLite, and PostgreSQL as several replicas use)."""
    with SiteServer() as site, httpx.Client() as client:
        fetcher = PageFetcher(client, FetchOptions(timeout_seconds=1.0, host_delay_seconds=0))
        sources, documents = SourceStore(database), DocumentStore(database)
        yield Rig(site, sources, documents, SourceSync(sources, documents, fetcher, SyncOptions()))


def fee_of(upload: Upload | None) -> float:
    assert upload is not None and upload.origin_url is not None and upload.fetched_at is not None
    doc = load_document(Path(upload.filename), "k", 5_000_000, data=upload.content,
                        origin=Origin(upload.origin_url, upload.fetched_at.date()))
    assert doc.record is not None and doc.record.fees
    return doc.record.fees[0].amount_mad


# -- a page appears, stays, changes ----------------------------------------------------------------------------
def test_a_new_page_is_stored_under_its_procedure_with_its_url_and_fetch_time(rig: Rig) -> None:
    rig.site.put("/fr/demarches/permis-port-arme.html", procedure_page("Permis de port d'arme", 400))
    rig.add("/fr/demarches/permis-port-arme.html")
    assert rig.run() == {"/fr/demarches/permis-port-arme.html": ("added", "new page")}
    stored = rig.stored("permis-port-arme")
    assert stored is not None and stored.origin_url == f"{rig.site.url}/fr/demarches/permis-port-arme.html"
    assert fee_of(stored) == 400.0


def test_the_fields_of_a_fetched_page_name_its_url_and_the_day_it_was_fetched(rig: Rig) -> None:
    url = f"{rig.site.url}/fr/permis.html"
    doc = load_document(Path("permis.fr.html"), url, 5_000_000, data=procedure_page("Permis", 90).encode(),
                        origin=Origin(url, dt.date(2026, 11, 29)))
    assert doc.record is not None and doc.metadata["source_url"] == url
    for name in ("title", "documents", "fees", "delay"):
        source = doc.record.field_sources[name]
        assert source.source == url and source.date == dt.date(2026, 11, 29), name


def test_an_unchanged_page_is_asked_conditionally_and_not_stored_again(rig: Rig) -> None:
    rig.site.put("/fr/carte.html", procedure_page("Carte grise", 300))
    rig.add("/fr/carte.html", procedure_id="carte-grise-site", language="fr")
    rig.run()
    first = rig.stored("carte-grise-site")
    assert rig.run() == {"/fr/carte.html": ("not_modified", "not modified (conditional request)")}
    last = rig.site.hits("/fr/carte.html")[-1]
    assert last.headers["if-none-match"].startswith('"') and "if-modified-since" in last.headers
    assert rig.stored("carte-grise-site") == first


def test_a_server_without_validators_is_checked_by_content_hash(rig: Rig) -> None:
    rig.site.put("/fr/carte.html", procedure_page("Carte grise", 300), validators=False)
    rig.add("/fr/carte.html")
    rig.run()
    assert rig.run() == {"/fr/carte.html": ("unchanged", "same content (hash)")}
    assert "if-none-match" not in rig.site.hits("/fr/carte.html")[-1].headers


def test_a_changed_page_replaces_the_stored_version(rig: Rig) -> None:
    rig.site.put("/fr/carte.html", procedure_page("Carte grise", 300))
    rig.add("/fr/carte.html")
    rig.run()
    rig.site.put("/fr/carte.html", procedure_page("Carte grise", 350))
    assert rig.run()["/fr/carte.html"] == ("updated", "changed")
    assert fee_of(rig.stored("carte")) == 350.0


# -- failures keep the last good version -----------------------------------------------------------------------
@pytest.mark.parametrize(("scenario", "outcome", "said"), [
    ("500", "failed", "HTTP 500"),
    ("timeout", "failed", "timeout"),
    ("empty", "empty", "empty file"),
    ("no text", "empty", "no main text"),
    ("shrunk", "shrunk", "shrank from"),
    ("not a page", "failed", "unsupported content type"),
])
def test_a_failing_page_keeps_its_last_good_version(rig: Rig, scenario: str, outcome: str, said: str) -> None:
    path = "/fr/carte.html"
    rig.site.put(path, procedure_page("Carte grise", 300))
    rig.add(path)
    rig.run()
    if scenario == "500":
        rig.site.answer(path, 500)
    elif scenario == "timeout":
        rig.site.slow(path, 3.0)  # the fetcher waits 1 s
    elif scenario == "empty":
        rig.site.put(path, b"")
    elif scenario == "no text":
        rig.site.put(path, "<html><head><title>Carte grise</title></head><body><div></div></body></html>")
    elif scenario == "shrunk":
        rig.site.put(path, procedure_page("Carte grise", 999, paragraphs=0))
    else:
        rig.site.put(path, b"\x89PNG\r\n", "image/png")
    got, message = rig.run()[path]
    assert got == outcome and said in message and "last good version" in message
    assert fee_of(rig.stored("carte")) == 300.0
    page = rig.sources.pages()[0]
    assert page.outcome == outcome and page.content_hash is not None


def test_a_shrunk_page_is_accepted_when_the_admin_forces_the_sync(rig: Rig) -> None:
    rig.site.put("/fr/carte.html", procedure_page("Carte grise", 300))
    rig.add("/fr/carte.html")
    rig.run()
    rig.site.put("/fr/carte.html", procedure_page("Carte grise", 999, paragraphs=0))
    assert rig.run()["/fr/carte.html"][0] == "shrunk"
    assert rig.run(force=True)["/fr/carte.html"][0] == "updated"
    assert fee_of(rig.stored("carte")) == 999.0


def test_a_failed_page_is_asked_again_next_time_and_recovers(rig: Rig) -> None:
    rig.site.put("/fr/carte.html", procedure_page("Carte grise", 300))
    rig.add("/fr/carte.html")
    rig.run()
    rig.site.put("/fr/carte.html", procedure_page("Carte grise", 320))
    rig.site.answer("/fr/carte.html", 500)
    assert rig.run()["/fr/carte.html"][0] == "failed"
    rig.site.restore("/fr/carte.html")
    assert rig.run()["/fr/carte.html"][0] == "updated"
    assert fee_of(rig.stored("carte")) == 320.0


# -- gone, twice -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("status", [404, 410])
def test_a_page_gone_once_is_kept_and_gone_twice_in_a_row_is_removed(rig: Rig, status: int) -> None:
    rig.site.put("/fr/carte.html", procedure_page("Carte grise", 300))
    rig.add("/fr/carte.html")
    rig.run()
    rig.site.answer("/fr/carte.html", status)
    outcome, message = rig.run()["/fr/carte.html"]
    assert outcome == "gone" and "first time" in message and rig.stored("carte") is not None
    assert rig.run()["/fr/carte.html"][0] == "removed"
    assert rig.stored("carte") is None
    assert rig.run()["/fr/carte.html"] == ("gone", f"HTTP {status}: nothing there, and no version of it is stored")
    assert rig.sources.pages()[0].fetched_at is None


def test_a_page_back_between_two_404s_is_not_removed(rig: Rig) -> None:
    rig.site.put("/fr/carte.html", procedure_page("Carte grise", 300))
    rig.add("/fr/carte.html")
    rig.run()
    rig.site.answer("/fr/carte.html", 404)
    rig.run()
    rig.site.restore("/fr/carte.html")
    assert rig.run()["/fr/carte.html"][0] == "not_modified"
    rig.site.answer("/fr/carte.html", 404)
    assert rig.run()["/fr/carte.html"][0] == "gone"
    assert rig.stored("carte") is not None


def test_a_500_between_two_404s_does_not_count_as_gone_twice(rig: Rig) -> None:
    rig.site.put("/fr/carte.html", procedure_page("Carte grise", 300))
    rig.add("/fr/carte.html")
    rig.run()
    for status in (404, 500, 404):
        rig.site.answer("/fr/carte.html", status)
        rig.run()
    assert rig.stored("carte") is not None and rig.sources.pages()[0].gone_count == 1


# -- redirects ---------------------------------------------------------------------------------------------------
def test_a_redirected_page_is_read_from_its_new_address_and_keeps_its_identity(rig: Rig) -> None:
    rig.site.put("/fr/carte.html", procedure_page("Carte grise", 300))
    rig.add("/fr/carte.html")
    rig.run()
    rig.site.put("/fr/nouveau/carte-grise.html", procedure_page("Carte grise", 310))
    rig.site.redirect("/fr/carte.html", "/fr/nouveau/carte-grise.html")
    outcome, message = rig.run()["/fr/carte.html"]
    assert outcome == "updated" and "redirected to" in message and "/fr/nouveau/carte-grise.html" in message
    assert fee_of(rig.stored("carte")) == 310.0


def test_a_redirect_loop_is_a_failure_that_keeps_the_last_good_version(rig: Rig) -> None:
    rig.site.put("/fr/carte.html", procedure_page("Carte grise", 300))
    rig.add("/fr/carte.html")
    rig.run()
    rig.site.redirect("/fr/carte.html", "/fr/a.html")
    rig.site.redirect("/fr/a.html", "/fr/carte.html")
    outcome, message = rig.run()["/fr/carte.html"]
    assert outcome == "failed" and "redirects" in message
    assert fee_of(rig.stored("carte")) == 300.0


# -- sitemaps ----------------------------------------------------------------------------------------------------
def test_a_sitemap_keeps_each_of_its_pages_in_sync_in_their_languages(rig: Rig) -> None:
    rig.site.put("/fr/permis-chasse.html", procedure_page("Permis de chasse", 300))
    rig.site.put("/ar/permis-chasse.html", arabic_page("رخصة القنص", 300))
    rig.site.put("/fr/permis-peche.html", procedure_page("Permis de pêche", 100))
    rig.site.sitemap("/sitemap.xml", ["/fr/permis-chasse.html", "/ar/permis-chasse.html", "/fr/permis-peche.html"])
    rig.add("/sitemap.xml", "sitemap")
    outcomes = rig.run()
    assert {path: o for path, (o, _) in outcomes.items()} == {
        "/fr/permis-chasse.html": "added", "/ar/permis-chasse.html": "added", "/fr/permis-peche.html": "added"}
    assert fee_of(rig.stored("permis-chasse", "ar")) == 300.0 and fee_of(rig.stored("permis-peche")) == 100.0
    source = rig.sources.all()[0]
    assert source.pages == 3 and source.status == "ok" and source.last_run_at is not None


def test_a_sitemap_index_is_followed_to_its_child_sitemaps_once_each(rig: Rig) -> None:
    rig.site.put("/fr/a.html", procedure_page("Permis A", 100))
    rig.site.put("/fr/b.html", procedure_page("Permis B", 200))
    rig.site.sitemap("/sitemap-a.xml", ["/fr/a.html"])
    rig.site.sitemap("/sitemap-b.xml", ["/fr/b.html", "/fr/a.html"])
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    children = "".join(f"<sitemap><loc>{rig.site.url}{p}</loc></sitemap>"
                       for p in ("/sitemap-a.xml", "/sitemap-b.xml", "/sitemap.xml"))  # itself too: no loop
    rig.site.put("/sitemap.xml", f"<sitemapindex {ns}>{children}</sitemapindex>", "application/xml")
    rig.add("/sitemap.xml", "sitemap")
    assert {path: o for path, (o, _) in rig.run().items()} == {"/fr/a.html": "added", "/fr/b.html": "added"}
    assert [len(rig.site.hits(p)) for p in ("/sitemap.xml", "/sitemap-a.xml", "/sitemap-b.xml")] == [1, 1, 1]


def test_a_page_dropped_from_the_sitemap_is_removed_only_once_gone_twice(rig: Rig) -> None:
    rig.site.put("/fr/a.html", procedure_page("Permis A", 100))
    rig.site.put("/fr/b.html", procedure_page("Permis B", 200))
    rig.site.sitemap("/sitemap.xml", ["/fr/a.html", "/fr/b.html"])
    rig.add("/sitemap.xml", "sitemap")
    rig.run()
    rig.site.sitemap("/sitemap.xml", ["/fr/a.html"])
    assert rig.run()["/fr/b.html"][0] == "not_modified"  # still answering: kept
    rig.site.answer("/fr/b.html", 410)
    rig.run()
    assert rig.run()["/fr/b.html"][0] == "removed" and rig.stored("b") is None and rig.stored("a") is not None


def test_a_failing_sitemap_still_checks_the_pages_it_listed_before(rig: Rig) -> None:
    rig.site.put("/fr/a.html", procedure_page("Permis A", 100))
    rig.site.sitemap("/sitemap.xml", ["/fr/a.html"])
    rig.add("/sitemap.xml", "sitemap")
    rig.run()
    rig.site.answer("/sitemap.xml", 500)
    assert rig.run() == {"/fr/a.html": ("not_modified", "not modified (conditional request)")}
    source = rig.sources.all()[0]
    assert source.status == "partial" and "HTTP 500" in (source.message or "")


# -- politeness ---------------------------------------------------------------------------------------------------
def test_pages_robots_txt_disallows_are_not_fetched(rig: Rig) -> None:
    rig.site.put("/robots.txt", "User-agent: *\nDisallow: /prive/\n", "text/plain")
    rig.site.put("/prive/carte.html", procedure_page("Carte grise", 300))
    rig.site.put("/fr/ok.html", procedure_page("Permis", 100))
    rig.add("/prive/carte.html")
    rig.add("/fr/ok.html")
    outcomes = rig.run()
    assert outcomes["/prive/carte.html"] == ("blocked", "robots.txt disallows this URL")
    assert outcomes["/fr/ok.html"][0] == "added"
    assert rig.site.hits("/prive/carte.html") == [] and len(rig.site.hits("/robots.txt")) == 1


class FakeClock:
    """The fetcher's clock and sleep: time moves only when it sleeps, so the waits it chose are exact."""

    def __init__(self) -> None:
        self.now, self.sleeps = 0.0, []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def polite_run(tmp_path: Path, site: SiteServer, paths: list[str], host_delay: float) -> FakeClock:
    database = Database(f"sqlite:///{tmp_path / 'sahla.db'}")
    database.migrate()
    sources, fake = SourceStore(database), FakeClock()
    for path in paths:
        site.put(path, procedure_page(f"Permis {path}", 100))
        sources.add(site.url + path, "page")
    with httpx.Client() as client:
        fetcher = PageFetcher(client, FetchOptions(timeout_seconds=2, host_delay_seconds=host_delay), fake.clock,
                              fake.sleep)
        SourceSync(sources, DocumentStore(database), fetcher, SyncOptions()).run()
    database.close()
    return fake


def test_requests_to_one_host_are_spaced_by_the_host_delay(tmp_path: Path, rig: Rig) -> None:
    fake = polite_run(tmp_path / "polite", rig.site, ["/fr/a.html", "/fr/b.html", "/fr/c.html"], host_delay=0.3)
    assert [r.path for r in rig.site.requests] == ["/robots.txt", "/fr/a.html", "/fr/b.html", "/fr/c.html"]
    assert fake.sleeps == [0.3, 0.3, 0.3]  # before each page: robots.txt was the first request


def test_a_robots_crawl_delay_longer_than_ours_is_obeyed(tmp_path: Path, rig: Rig) -> None:
    rig.site.put("/robots.txt", "User-agent: *\nCrawl-delay: 2\n", "text/plain")
    fake = polite_run(tmp_path / "polite", rig.site, ["/fr/a.html", "/fr/b.html"], host_delay=0.3)
    # robots.txt is the first request; each page then waits the site's delay, longer than ours.
    assert fake.sleeps == [2.0, 2.0]


# -- identities ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "slug", "language"), [
    ("https://www.cnie.ma/fr/renouvellement-cnie.html", "renouvellement-cnie", "fr"),
    ("https://x.gov.ma/ar/services/casier-judiciaire/", "casier-judiciaire", "ar"),
    ("https://x.gov.ma/demarches/permis.en.html", "permis", "en"),
    ("https://x.gov.ma/page?id=4&lang=ar", "page", "ar"),
    ("https://x.gov.ma/Démarches/Carte_Grise.PDF", "carte-grise", None),
])
def test_a_page_without_a_named_identity_takes_it_from_its_url(url: str, slug: str, language: str | None) -> None:
    assert slug_from_url(url) == slug and language_from_url(url) == language


def test_two_pages_of_the_same_procedure_and_language_get_distinct_ids(rig: Rig) -> None:
    rig.site.put("/fr/a/permis.html", procedure_page("Permis A", 100))
    rig.site.put("/fr/b/permis.html", procedure_page("Permis B", 200))
    rig.add("/fr/a/permis.html")
    rig.add("/fr/b/permis.html")
    rig.run()
    assert fee_of(rig.stored("permis")) == 100.0 and fee_of(rig.stored("permis-2")) == 200.0
