"""The citizen widget on the demo page, in a real browser against the real service."""

from __future__ import annotations

import json

import httpx
from playwright.sync_api import Page, expect

from tests.web.conftest import ADMIN_KEY, PHONE, XSS_TITLE, WebServer
from tests.web.widget_helpers import answers, ask, computed, contrast, open_demo, shadow

PASSPORT_FR = "Quels documents pour le passeport biométrique ?"
PASSPORT_AR = "كيف أجدد جواز السفر؟"
# Records the length of the answer's text each time it changes while the answer is still marked busy.
RECORD_PARTIAL_ANSWERS = """() => {
  const root = document.querySelector('sahla-widget').shadowRoot;
  window.__partialAnswers = [];
  new MutationObserver(() => {
    const busy = root.querySelector('.msg[aria-busy="true"] .answer');
    if (busy) window.__partialAnswers.push(busy.textContent.length);
  }).observe(root.querySelector('.log'), {childList: true, subtree: true});
}"""


def serve_stream(page: Page, widget_server: WebServer, body: str) -> None:
    """Answers the widget's chat requests with a fixed event stream."""
    page.route(f"{widget_server.url}/v1/chat",
               lambda route: route.fulfill(status=200, content_type="text/event-stream", body=body))


def test_french_question_streams_an_answer_with_a_working_citation_link(page: Page, widget_server: WebServer) -> None:
    open_demo(page, widget_server.url)
    page.context.route("https://www.passeport.ma/**", lambda route: route.fulfill(
        status=200, content_type="text/html", body="<title>Passeport.ma</title><h1>Passeport</h1>"))
    page.evaluate(RECORD_PARTIAL_ANSWERS)
    with page.expect_response(f"{widget_server.url}/v1/chat") as chat:
        answer = ask(page, PASSPORT_FR)
    assert chat.value.request.post_data_json["stream"] is True
    assert chat.value.headers["content-type"].startswith("text/event-stream")
    partial = page.evaluate("() => window.__partialAnswers")
    assert any(length > 0 for length in partial), "no text was shown before the answer was complete"
    expect(answer).to_contain_text("Passeport biométrique")
    expect(answer).to_contain_text("500 DH")
    source = answer.locator(".sources a").first
    expect(source).to_have_attribute("href", "https://www.passeport.ma/")
    expect(source).to_have_attribute("rel", "noopener noreferrer")
    expect(answer.locator("a.cite").first).to_have_text("[1]")
    with page.expect_popup() as popup:
        source.click()
    assert popup.value.url.startswith("https://www.passeport.ma")
    expect(popup.value.locator("h1")).to_have_text("Passeport")


def test_arabic_messages_read_right_to_left_and_the_panel_mirrors(page: Page, widget_server: WebServer) -> None:
    open_demo(page, widget_server.url)
    shadow(page, "#sahla-lang").select_option("ar")
    assert computed(shadow(page, ".panel"), "direction") == "rtl"
    expect(shadow(page, "#sahla-title")).to_have_text("سهلة · المساطر الإدارية")
    answer = ask(page, PASSPORT_AR)
    question = shadow(page, ".row.user .msg").last
    assert computed(question, "direction") == "rtl" and computed(answer.locator(".msg"), "direction") == "rtl"
    expect(answer).to_contain_text("جواز السفر")
    # A Darija message in Arabic script with a French word reads right to left as a whole.
    shadow(page, "#sahla-lang").select_option("fr")
    assert computed(shadow(page, ".panel"), "direction") == "ltr"
    ask(page, "CNIE ديالي ضاعت، شنو خاصني ندير؟")
    assert computed(shadow(page, ".row.user .msg").last, "direction") == "rtl"
    assert computed(shadow(page, ".row.user .msg").first, "direction") == "rtl"


def test_keyboard_alone_opens_asks_and_closes(page: Page, widget_server: WebServer) -> None:
    page.goto(f"{widget_server.url}/demo")
    launcher = shadow(page, ".launcher")
    for _ in range(40):
        page.keyboard.press("Tab")
        if launcher.evaluate("el => el.getRootNode().activeElement === el"):
            break
    else:
        raise AssertionError("Tab never reached the widget's launcher")
    assert computed(launcher, "outline-style") != "none", "the focused launcher has no visible focus ring"
    page.keyboard.press("Enter")
    expect(shadow(page, ".panel")).to_be_visible()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    assert shadow(page, "#sahla-input").evaluate("el => el.getRootNode().activeElement === el")
    page.keyboard.type("Combien coûte le passeport ?")
    page.keyboard.press("Enter")
    expect(answers(page).first.locator(".feedback")).to_be_visible()
    expect(answers(page).first).to_contain_text("500")
    page.keyboard.press("Shift+Tab")  # back from the input to the last control before it
    focused_outline = page.evaluate("() => { const a = document.querySelector('sahla-widget').shadowRoot.activeElement;"
                                    " return a ? getComputedStyle(a).outlineStyle : 'none'; }")
    assert focused_outline != "none"
    page.keyboard.press("Escape")
    expect(shadow(page, ".panel")).to_be_hidden()
    assert launcher.evaluate("el => el.getRootNode().activeElement === el")


def test_new_messages_are_announced_and_every_control_has_a_label(page: Page, widget_server: WebServer) -> None:
    open_demo(page, widget_server.url)
    ask(page, PASSPORT_FR)
    log = shadow(page, ".log")
    expect(log).to_have_attribute("role", "log")
    expect(log).to_have_attribute("aria-live", "polite")
    unnamed = page.evaluate("""() => [...document.querySelector('sahla-widget').shadowRoot
        .querySelectorAll('button, select, textarea, input, a')]
        .filter(el => !(el.getAttribute('aria-label') || (el.labels && [...el.labels].some(l => l.textContent.trim()))
                        || el.textContent.trim()))
        .map(el => el.outerHTML.slice(0, 80))""")
    assert unnamed == []


def test_colours_pass_wcag_aa_contrast(page: Page, widget_server: WebServer) -> None:
    open_demo(page, widget_server.url)
    answer = ask(page, PASSPORT_FR)
    white = "rgb(255, 255, 255)"
    pairs = {
        "launcher": (computed(shadow(page, ".launcher"), "color"), computed(shadow(page, ".launcher"), "background-color")),
        "header": (computed(shadow(page, "header"), "color"), computed(shadow(page, "header"), "background-color")),
        "question": (computed(shadow(page, ".row.user .msg"), "color"),
                     computed(shadow(page, ".row.user .msg"), "background-color")),
        "answer": (computed(answer.locator(".msg"), "color"), computed(answer.locator(".msg"), "background-color")),
        "link": (computed(answer.locator(".sources a"), "color"), white),
        "help": (computed(shadow(page, ".help"), "color"), white),
        "placeholder": (computed(shadow(page, "#sahla-input"), "color"), white),
    }
    for name, (foreground, background) in pairs.items():
        assert contrast(foreground, background) >= 4.5, f"{name}: {foreground} on {background}"


def test_talk_to_a_person_link_points_to_the_official_channel(page: Page, widget_server: WebServer) -> None:
    open_demo(page, widget_server.url)
    expect(shadow(page, ".help a.human")).to_have_attribute("href", "https://www.idarati.ma/")
    expect(shadow(page, ".help a.phone")).to_have_attribute("href", "tel:3737")
    expect(shadow(page, ".help")).to_be_visible()


def test_markup_in_a_record_is_shown_as_text_and_runs_nothing(page: Page, widget_server: WebServer) -> None:
    open_demo(page, widget_server.url)
    answer = ask(page, "Comment obtenir un permis de pêche de loisir ?")
    expect(answer).to_contain_text('<img src=x onerror="window.__sahlaXss=1">')
    expect(answer).to_contain_text("<script>window.__sahlaXss=1</script>")
    assert answer.locator("img, script").count() == 0
    assert page.evaluate("() => window.__sahlaXss") is None
    assert XSS_TITLE.startswith(answer.locator(".sources a").first.inner_text().strip()[:16])


def test_markup_in_a_streamed_answer_or_question_is_shown_as_text(page: Page, widget_server: WebServer) -> None:
    hostile = ('Voici <script>window.__sahlaXss=1</script> et <img src=x onerror="window.__sahlaXss=1"> '
               '[cliquez](javascript:window.__sahlaXss=1) **gras** [1]')
    citations = [{"n": 1, "procedure_id": "x", "title": "<img src=x onerror=window.__sahlaXss=1>", "language": "fr",
                  "url": "javascript:window.__sahlaXss=1", "snippet": ""}]
    done = {"conversation_id": "c1", "message_id": "m1", "status": "answered", "language": "fr", "answer": hostile,
            "citations": citations, "mode": "llm", "timings_ms": {}}
    events = [("meta", {"conversation_id": "c1", "message_id": "m1", "language": "fr"}), ("citations", citations),
              ("delta", {"text": hostile[:30]}), ("delta", {"text": hostile[30:]}), ("done", done)]
    body = "".join(f"event: {name}\r\ndata: {json.dumps(data)}\r\n\r\n" for name, data in events)
    serve_stream(page, widget_server, body)
    open_demo(page, widget_server.url)
    answer = ask(page, '<img src=x onerror="window.__sahlaXss=1"> bonjour')
    expect(shadow(page, ".row.user .msg")).to_contain_text('<img src=x onerror="window.__sahlaXss=1"> bonjour')
    expect(answer).to_contain_text("<script>window.__sahlaXss=1</script>")
    expect(answer.locator("strong")).to_have_text("gras")
    assert shadow(page, ":is(img, script, iframe, object)").count() == 0
    assert answer.locator("a[href^='javascript']").count() == 0
    expect(answer).to_contain_text("cliquez")
    assert page.evaluate("() => window.__sahlaXss") is None


def test_conversation_survives_a_reload(page: Page, widget_server: WebServer) -> None:
    open_demo(page, widget_server.url)
    ask(page, PASSPORT_FR)
    page.reload()
    expect(shadow(page, ".panel")).to_be_visible()
    expect(shadow(page, ".row.user .msg")).to_contain_text(PASSPORT_FR)
    expect(answers(page).first).to_contain_text("Passeport biométrique")
    follow_up = ask(page, "et combien ça coûte ?")  # the same conversation id: the follow-up is understood
    expect(follow_up).to_contain_text("500")


def test_a_network_error_offers_a_retry_that_works(page: Page, widget_server: WebServer) -> None:
    open_demo(page, widget_server.url)
    page.route(f"{widget_server.url}/v1/chat", lambda route: route.abort("internetdisconnected"))
    failed = ask(page, PASSPORT_FR)
    expect(failed.locator(".error")).to_have_attribute("role", "alert")
    expect(failed.locator(".retry")).to_be_visible()
    page.unroute(f"{widget_server.url}/v1/chat")
    failed.locator(".retry").click()
    expect(answers(page).first.locator(".feedback")).to_be_visible()
    expect(answers(page).first).to_contain_text("Passeport biométrique")
    expect(shadow(page, ".retry")).to_have_count(0)
    expect(shadow(page, ".row.user")).to_have_count(1)  # the question is not duplicated


def test_an_error_event_in_the_stream_shows_a_retry(page: Page, widget_server: WebServer) -> None:
    body = ('event: meta\r\ndata: {"conversation_id": "c", "message_id": "m", "language": "fr"}\r\n\r\n'
            'event: error\r\ndata: {"code": "internal_error", "message": "boom"}\r\n\r\n')
    serve_stream(page, widget_server, body)
    open_demo(page, widget_server.url)
    failed = ask(page, PASSPORT_FR)
    expect(failed.locator(".retry")).to_be_visible()


def test_feedback_with_a_comment_lands_in_the_database(page: Page, widget_server: WebServer) -> None:
    # Needs POST /v1/feedback and GET /v1/admin/stats from the API.
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    before = httpx.get(f"{widget_server.url}/v1/admin/stats", headers=headers).json()["feedback"]
    open_demo(page, widget_server.url)
    answer = ask(page, PASSPORT_FR)
    answer.locator(".feedback button.up").click()
    comment = answer.locator(".feedback textarea")
    expect(comment).to_be_focused()
    comment.fill("Très clair, merci")
    with page.expect_response(f"{widget_server.url}/v1/feedback") as posted:
        answer.locator(".feedback button[type=submit]").click()
    assert posted.value.status == 201 and posted.value.json()["id"]
    assert posted.value.request.post_data_json["rating"] == "up"
    expect(answer.locator(".feedback .thanks")).to_be_visible()
    after = httpx.get(f"{widget_server.url}/v1/admin/stats", headers=headers).json()["feedback"]
    assert after["up"] == before["up"] + 1 and after["down"] == before["down"]


def test_widget_fits_a_360_pixel_phone(page: Page, widget_server: WebServer) -> None:
    page.set_viewport_size(PHONE)
    open_demo(page, widget_server.url)
    ask(page, PASSPORT_FR)
    box = shadow(page, ".panel").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    for control in ("#sahla-input", ".send", ".close", "#sahla-lang", ".help a.human"):
        control_box = shadow(page, control).bounding_box()
        assert control_box and control_box["x"] >= 0 and control_box["x"] + control_box["width"] <= PHONE["width"], control
    assert page.evaluate("() => document.querySelector('sahla-widget').shadowRoot.querySelector('.log').scrollWidth"
                         " <= document.querySelector('sahla-widget').shadowRoot.querySelector('.log').clientWidth")


def test_a_thumb_alone_counts_without_a_comment(page: Page, widget_server: WebServer) -> None:
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    before = httpx.get(f"{widget_server.url}/v1/admin/stats", headers=headers).json()["feedback"]
    open_demo(page, widget_server.url)
    answer = ask(page, PASSPORT_FR)
    with page.expect_response(f"{widget_server.url}/v1/feedback") as posted:
        answer.locator(".feedback button.down").click()
    assert posted.value.status == 201 and posted.value.request.post_data_json["comment"] is None
    after = httpx.get(f"{widget_server.url}/v1/admin/stats", headers=headers).json()["feedback"]
    assert after["down"] == before["down"] + 1 and after["up"] == before["up"]
