"""The widget on someone else's page: the host's CSS cannot reach in, the widget's cannot leak out, and the
data attributes set the title, colour, position and human-help channel."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.conftest import WebServer
from tests.web.widget_helpers import ask, computed, contrast, shadow

HOSTILE_CSS = """
* { font-size: 40px !important; color: red !important; text-transform: uppercase; letter-spacing: 1em; }
button { display: none !important; background: yellow !important; }
div, section { position: static !important; border: 9px dotted blue; direction: rtl; }
textarea, select { visibility: hidden; }
body { font-family: "Comic Sans MS", cursive; line-height: 4; }
"""


def host_page(page: Page, widget_server: WebServer, script_attributes: str, css: str = "") -> None:
    """Serves an ordinary page of another administration at /host-page that embeds the widget with one tag."""
    html = f"""<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Commune</title>
<style>{css}</style></head><body><h1>Commune urbaine</h1><p>Horaires d'ouverture.</p>
<button class="launcher">Bouton du site</button><div class="panel">Panneau du site</div>
<script src="{widget_server.url}/widget.js" {script_attributes} async></script></body></html>"""
    page.route(f"{widget_server.url}/host-page",
               lambda route: route.fulfill(status=200, content_type="text/html", body=html))
    page.goto(f"{widget_server.url}/host-page")


def test_host_page_css_cannot_break_the_widget(page: Page, widget_server: WebServer) -> None:
    host_page(page, widget_server, f'data-api="{widget_server.url}" data-lang="fr"', HOSTILE_CSS)
    launcher = shadow(page, ".launcher")
    expect(launcher).to_be_visible()
    assert computed(launcher, "font-size") == "15px" and computed(launcher, "text-transform") == "none"
    assert computed(launcher, "position") == "fixed"
    launcher.click()
    expect(shadow(page, "#sahla-input")).to_be_visible()
    assert computed(shadow(page, ".panel"), "direction") == "ltr"
    answer = ask(page, "Quels documents pour le passeport biométrique ?")
    assert computed(answer.locator(".msg"), "color") != "rgb(255, 0, 0)"


def test_widget_css_does_not_leak_into_the_host_page(page: Page, widget_server: WebServer) -> None:
    host_page(page, widget_server, f'data-api="{widget_server.url}"')
    shadow(page, ".launcher").click()
    own_button, own_panel = page.locator("body > button.launcher"), page.locator("body > div.panel")
    assert computed(own_button, "position") == "static" and computed(own_panel, "position") == "static"
    assert computed(own_button, "border-radius") == "0px"


def test_data_attributes_set_title_colour_position_and_help_channel(page: Page, widget_server: WebServer) -> None:
    host_page(page, widget_server, f'data-api="{widget_server.url}" data-lang="en" data-title="Commune de Salé" '
                                'data-color="#ffd24d" data-position="left" '
                                'data-help-url="https://www.sale.ma/contact" data-help-phone="05 37 00 00 00"')
    launcher = shadow(page, ".launcher")
    box = launcher.bounding_box()
    assert box and box["x"] < 100  # on the left
    expect(launcher).to_contain_text("A question about a procedure?")
    launcher.click()
    expect(shadow(page, "#sahla-title")).to_have_text("Commune de Salé")
    expect(shadow(page, ".help a.human")).to_have_attribute("href", "https://www.sale.ma/contact")
    expect(shadow(page, ".help a.phone")).to_have_attribute("href", "tel:0537000000")
    # A light brand colour gets dark text, so that the header still passes WCAG AA.
    header = shadow(page, "header")
    assert computed(header, "background-color") == "rgb(255, 210, 77)"
    assert contrast(computed(header, "color"), computed(header, "background-color")) >= 4.5


def test_an_unsafe_help_url_falls_back_to_the_official_channel(page: Page, widget_server: WebServer) -> None:
    host_page(page, widget_server, f'data-api="{widget_server.url}" data-help-url="javascript:alert(1)"')
    shadow(page, ".launcher").click()
    expect(shadow(page, ".help a.human")).to_have_attribute("href", "https://www.idarati.ma/")
