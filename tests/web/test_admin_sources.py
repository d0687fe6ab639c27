"""The admin page's official sites against the real admin API and a local site: a page registered from the form,
synced with the button, listed with its last fetch, status and next run and its page's outcome; the console's record
view then says the fields came from that page, on the day it was fetched."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.ingestion.sync_pages import procedure_page
from tests.site_server import SiteServer
from tests.web.conftest import WebServer
from tests.web.test_admin import sign_in

PAGE = "/fr/demarches/permis-detention-arme.html"


@pytest.fixture
def site() -> Iterator[SiteServer]:
    with SiteServer() as server:
        server.put(PAGE, procedure_page("Permis de détention d'arme", 450))
        yield server


def test_a_page_registered_and_synced_from_the_admin_page_shows_its_fetch_and_its_provenance(
        page: Page, web_server: WebServer, site: SiteServer) -> None:
    sign_in(page, web_server)
    expect(page.locator("#sync-schedule")).to_contain_text("désactivée")
    page.get_by_label("Adresse d'une page officielle, ou d'un sitemap.xml").fill(site.url + PAGE)
    page.get_by_role("button", name="Suivre cette adresse").click()
    row = page.locator("#sources tbody tr", has_text=site.url + PAGE)
    expect(row).to_have_attribute("data-status", "never")
    expect(row.locator(".next-run")).to_have_text("À la demande")
    page.get_by_role("button", name="Synchroniser maintenant").click()
    expect(row).to_have_attribute("data-status", "ok", timeout=60_000)
    expect(row.locator(".source-status .badge")).to_have_text("À jour")
    expect(row.locator(".last-fetch")).not_to_have_text("—")
    row.locator("summary").click()
    expect(row.locator("li[data-outcome=added]")).to_contain_text("Ajoutée (HTTP 200)")
    latest = page.locator("#jobs tbody tr").first
    expect(latest).to_have_attribute("data-status", "succeeded")
    expect(latest.locator("td").first).to_contain_text("synchronisation")
    latest.locator(".sync-results summary").click()
    expect(latest.locator(".sync-results li[data-outcome=added]")).to_contain_text(f"{site.url}{PAGE} : Ajoutée (HTTP 200)")

    page.goto(f"{web_server.url}/console#p=permis-detention-arme")
    french = page.locator("#record-columns .column[data-lang=fr]")
    expect(french.locator("h3")).to_have_text("Permis de détention d'arme")
    french.get_by_text("D'où vient chaque champ").click()
    fees = french.locator(".field-source[data-field=fees]")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    expect(fees).to_contain_text(f"{site.url}{PAGE} ({today})")
    expect(fees.locator("a")).to_have_attribute("href", site.url + PAGE)
