"""The civil servants' console at /console: search in any language, filter, read a record in fr/ar/en."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.conftest import HOSTILE_ID, XSS_TITLE, WebServer


def search(page: Page, query: str) -> None:
    page.get_by_label("Mots-clés, dans n'importe quelle langue").fill(query)
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator("#status")).not_to_have_text("Recherche…")


def test_search_in_french_opens_the_record_in_three_languages_side_by_side(page: Page, web_server: WebServer) -> None:
    page.goto(f"{web_server.url}/console")
    search(page, "passeport biométrique")
    first = page.locator("#results .result-title").first
    expect(first).to_have_text("Passeport biométrique")
    first.click()
    columns = page.locator("#record-columns .column")
    expect(columns).to_have_count(3)
    expect(page.locator("#record-title")).to_be_focused()
    french, arabic, english = (page.locator(f"#record-columns .column[data-lang={lang}]") for lang in ("fr", "ar", "en"))
    expect(french.locator("h3")).to_have_text("Passeport biométrique")
    expect(arabic).to_have_attribute("dir", "rtl")
    expect(arabic.locator("h3")).to_contain_text("جواز السفر")
    expect(english.locator("h3")).to_contain_text("passport")
    for label in ("Pièces à fournir", "Frais", "Délai", "Où s'adresser", "Service en ligne", "Base légale",
                  "Source officielle"):
        expect(french.locator("dt", has_text=label)).to_be_visible()
    expect(french).to_contain_text("Timbre passeport : 500 MAD")
    expect(french.get_by_role("link", name="Passeport.ma (formulaire et suivi)")).to_have_attribute("href", "https://www.passeport.ma/")
    expect(arabic.locator("dt", has_text="الوثائق المطلوبة")).to_be_visible()
    expect(english.locator("dt", has_text="Legal basis")).to_be_visible()


def test_search_in_arabic_and_darija_finds_the_procedure(page: Page, web_server: WebServer) -> None:
    page.goto(f"{web_server.url}/console")
    search(page, "جواز السفر")
    results = page.locator("#results .result-title")
    expect(results.first).to_have_attribute("lang", "ar")
    expect(results.filter(has_text="جواز السفر البيومتري")).to_have_count(1)
    search(page, "bghit njdded lakart")
    top = page.locator("#results .result-title").evaluate_all("links => links.slice(0, 3).map(a => a.getAttribute('href'))")
    assert "#p=cnie-renouvellement" in top


def test_filters_by_category_and_administration(page: Page, web_server: WebServer) -> None:
    page.goto(f"{web_server.url}/console")
    expect(page.locator("#status")).to_have_text(re.compile(r"^\d{2} démarches$"))  # every procedure at first
    page.get_by_label("Catégorie").select_option("taxes")
    expect(page.locator("#status")).to_have_text("3 démarches")
    page.get_by_label("Administration").select_option("Direction générale des impôts (DGI)")
    expect(page.locator("#status")).to_have_text("2 démarches")
    hrefs = page.locator("#results .result-title").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == ["#p=attestation-regularite-fiscale", "#p=declaration-ir"]
    search(page, "impôt sur le revenu")
    expect(page.locator("#results .result-title").first).to_have_attribute("href", "#p=declaration-ir")
    assert page.locator("#results .result-title[href='#p=taxe-habitation']").count() == 0


def test_markup_in_a_record_is_shown_as_text_and_runs_nothing(page: Page, web_server: WebServer) -> None:
    page.goto(f"{web_server.url}/console#p={HOSTILE_ID}")
    french = page.locator("#record-columns .column[data-lang=fr]")
    expect(french.locator("h3")).to_have_text(XSS_TITLE)
    expect(page.locator("#record-title")).to_have_text(XSS_TITLE)
    expect(french).to_contain_text("<script>window.__sahlaXss=1</script> Arrêté fictif")
    assert page.locator("main :is(img, script, b)").count() == 0
    french.locator("dd").first.hover()
    assert page.evaluate("() => window.__sahlaXss") is None
    expect(page.locator("#record-columns .column[data-lang=ar]")).to_contain_text("البطاقة غير متوفرة بهذه اللغة.")


def test_the_record_view_shows_where_each_field_came_from(page: Page, web_server: WebServer) -> None:
    page.goto(f"{web_server.url}/console#p=passeport-biometrique")
    french = page.locator("#record-columns .column[data-lang=fr]")
    expect(french.locator("h3")).to_have_text("Passeport biométrique")
    french.get_by_text("D'où vient chaque champ").click()
    fees = french.locator(".field-source[data-field=fees]")
    expect(fees).to_contain_text("corpus/procedures/passeport-biometrique/fr.md (2026-11-20) · front-matter")
