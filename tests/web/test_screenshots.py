"""Screenshots of the widget in French and Arabic, desktop and phone, under web-screenshots/ (git-ignored),
for a person to look at; the test checks that the panel sits inside the window in each."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ViewportSize

from tests.web.conftest import DESKTOP, PHONE, SCREENSHOTS, WebServer
from tests.web.widget_helpers import ask, open_demo, shadow

QUESTIONS = {"fr": "Quels documents pour le passeport biométrique ?", "ar": "كيف أجدد جواز السفر؟"}


@pytest.mark.parametrize("language", ["fr", "ar"])
@pytest.mark.parametrize(("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_screenshot_of_the_widget(browser: Browser, widget_server: WebServer, language: str, device: str,
                                  viewport: ViewportSize) -> None:
    context = browser.new_context(viewport=viewport, locale="fr-FR", device_scale_factor=1)
    page = context.new_page()
    try:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.goto(f"{widget_server.url}/demo")
        page.screenshot(path=SCREENSHOTS / f"widget-closed-{device}.png")
        open_demo(page, widget_server.url)
        if language == "ar":
            shadow(page, "#sahla-lang").select_option("ar")
        ask(page, QUESTIONS[language])
        shadow(page, "#sahla-input").blur()
        page.screenshot(path=SCREENSHOTS / f"widget-{language}-{device}.png")
        box = shadow(page, ".panel").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
    finally:
        context.close()
