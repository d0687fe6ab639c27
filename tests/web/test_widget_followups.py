"""Follow-up suggestion chips, clarify choices and the launcher, in a real browser against a scripted service that
speaks the contract (tests/web/fake_service.py): the widget's half of issues 12 and 13."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from tests.web.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.web.fake_service import FakeChatService, Turn, serve
from tests.web.widget_helpers import answers, ask, computed, open_demo, shadow

PASSPORT_FR = "Mon passeport a expiré, que dois-je faire ?"
COST_FR = "Combien ça coûte ?"
SUGGESTIONS_FR = (COST_FR, "Quels documents faut-il ?", "Où déposer le dossier ?")
CNIE_FR = "Je veux faire ma carte d'identité"
CNIE_CHOICES_FR = (("cnie-premiere-demande", "Carte nationale d'identité électronique (première demande)"),
                   ("cnie-renouvellement", "CNIE : renouvellement, perte, vol ou changement d'informations"))
PASSPORT_DARIJA = "بغيت نجدد الباسبور ديالي"
SUGGESTIONS_DARIJA = ("شحال كيسوا؟", "شنو هي الوراق اللي خاصني؟", "فين نمشي ندفع الملف؟")
CNIE_DARIJA = "بغيت ندير لاكارط"
CNIE_CHOICES_DARIJA = (("cnie-premiere-demande", "البطاقة الوطنية للتعريف الإلكترونية (الطلب الأول)"),
                       ("cnie-renouvellement", "البطاقة الوطنية: التجديد أو الضياع أو السرقة"))

HOSTILE = '<img src=x onerror="window.__sahlaXss=1">'
LATE_FR = "Et pour un enfant ?"

SCRIPT = {
    PASSPORT_FR: Turn("Pour un passeport expiré, faites une **nouvelle demande** en ligne puis déposez le dossier [1].",
                      "fr", suggestions=SUGGESTIONS_FR),
    COST_FR: Turn("Le timbre coûte **500 DH** [1].", "fr"),
    # Like the service, the text lists the choices too (for clients without buttons).
    CNIE_FR: Turn("S'agit-il d'une première demande ou d'un renouvellement ?\n\n"
                  + "\n".join(f"{n}. {title}" for n, (_, title) in enumerate(CNIE_CHOICES_FR, 1)), "fr",
                  status="clarify", choices=CNIE_CHOICES_FR),
    "cnie-renouvellement": Turn("Pour renouveler la CNIE, prenez rendez-vous en ligne [1].", "fr",
                                suggestions=("Quel est le délai ?",), procedure_id="cnie-renouvellement"),
    LATE_FR: Turn("Un mineur dépose le dossier avec son représentant légal [1].", "fr", early_events=False,
                  suggestions=(HOSTILE + " Quels documents ?",)),
    "piege": Turn("Laquelle ?", "fr", status="clarify",
                  choices=(("cnie-premiere-demande", HOSTILE), ("javascript:window.__sahlaXss=1", "<b>gras</b>"))),
    PASSPORT_DARIJA: Turn("باش تجدد الباسبور، عمر الطلب فالأنترنيت وحط الملف فالعمالة [1].", "darija",
                          suggestions=SUGGESTIONS_DARIJA),
    SUGGESTIONS_DARIJA[0]: Turn("التمبر كيسوا **500 درهم** [1].", "darija"),
    CNIE_DARIJA: Turn("واش هادي أول مرة ولا بغيتي تجدد البطاقة؟", "darija", status="clarify",
                      choices=CNIE_CHOICES_DARIJA),
    "cnie-premiere-demande": Turn("أول مرة: خاصك عقد الازدياد وشهادة السكنى [1].", "darija",
                                  procedure_id="cnie-premiere-demande"),
}


@pytest.fixture(scope="module")
def fake_service() -> Iterator[FakeChatService]:
    with serve(FakeChatService(SCRIPT)) as service:
        yield service


@pytest.fixture
def fake(fake_service: FakeChatService) -> FakeChatService:
    fake_service.requests.clear()
    fake_service.conversation_ids.clear()
    return fake_service


def chips(answer: Locator) -> Locator:
    return answer.locator(".chips button")


def active_text(page: Page) -> str:
    return str(page.evaluate("() => { const a = document.querySelector('sahla-widget').shadowRoot.activeElement;"
                             " return a ? (a.id || a.textContent.trim()) : ''; }"))


def tab_order_from_log_to_input(page: Page) -> list[str]:
    """What Tab reaches, from the conversation log up to the message input."""
    shadow(page, ".log").focus()
    reached: list[str] = []
    for _ in range(30):
        page.keyboard.press("Tab")
        reached.append(active_text(page))
        if reached[-1] == "sahla-input":
            return reached
    raise AssertionError(f"Tab never reached the input: {reached}")


def test_an_answer_offers_its_suggestions_as_labelled_buttons(page: Page, fake: FakeChatService) -> None:
    open_demo(page, fake.url)
    answer = ask(page, PASSPORT_FR)
    group = answer.locator(".chips")
    expect(group).to_have_attribute("role", "group")
    expect(group).to_have_attribute("aria-label", "Questions suivantes")
    assert chips(answer).all_inner_texts() == list(SUGGESTIONS_FR)
    assert all(chip.get_attribute("type") == "button" for chip in chips(answer).all())
    # Inside the live log, so the chips are announced with the answer they belong to.
    assert group.evaluate("el => el.closest('[aria-live]') !== null")


def test_clicking_a_suggestion_asks_it_in_the_same_conversation(page: Page, fake: FakeChatService) -> None:
    open_demo(page, fake.url)
    first = ask(page, PASSPORT_FR)
    chips(first).first.click()
    expect(answers(page).nth(1).locator(".feedback")).to_be_visible()
    expect(shadow(page, ".row.user .msg").last).to_have_text("Vous : " + COST_FR)
    expect(answers(page).nth(1)).to_contain_text("500 DH")
    assert [r["message"] for r in fake.requests] == [PASSPORT_FR, COST_FR]
    assert fake.requests[1]["conversation_id"] == fake.conversation_ids[0]  # the conversation the first turn opened
    expect(shadow(page, ".chips")).to_have_count(0)  # used: the first answer's chips are gone


def test_suggestions_are_reached_by_tab_in_order_and_sent_with_enter(page: Page, fake: FakeChatService) -> None:
    open_demo(page, fake.url)
    ask(page, PASSPORT_FR)
    order = tab_order_from_log_to_input(page)
    positions = [order.index(text) for text in SUGGESTIONS_FR]
    assert positions == sorted(positions) and positions[-1] - positions[0] == 2, order
    page.keyboard.press("Shift+Tab")
    while active_text(page) != SUGGESTIONS_FR[1]:
        page.keyboard.press("Shift+Tab")
    focused = shadow(page, ".chip:focus")
    assert computed(focused, "outline-style") != "none", "the focused chip has no visible focus ring"
    page.keyboard.press("Enter")
    expect(answers(page).nth(1).locator(".feedback")).to_be_visible()
    assert fake.requests[-1]["message"] == SUGGESTIONS_FR[1]
    assert active_text(page) == "sahla-input", "focus was lost when the used chip went away"


def test_typing_a_question_instead_removes_the_suggestions(page: Page, fake: FakeChatService) -> None:
    open_demo(page, fake.url)
    ask(page, PASSPORT_FR)
    expect(shadow(page, ".chip")).to_have_count(3)
    ask(page, CNIE_FR)
    expect(answers(page).first.locator(".chips")).to_have_count(0)
    expect(answers(page).nth(1).locator(".choices .chip")).to_have_count(2)


def test_a_clarify_turn_offers_choices_and_sends_the_chosen_procedure_id(page: Page, fake: FakeChatService) -> None:
    open_demo(page, fake.url)
    question = ask(page, CNIE_FR)
    expect(question).to_have_attribute("data-status", "clarify")
    expect(question.locator(".choices")).to_have_attribute("aria-label", "Choisissez la démarche")
    assert chips(question).all_inner_texts() == [title for _, title in CNIE_CHOICES_FR]
    expect(question.locator(".sources, .feedback")).to_have_count(0)
    expect(question.locator(".answer")).to_have_text("S'agit-il d'une première demande ou d'un renouvellement ?")
    chips(question).nth(1).click()
    answer = answers(page).nth(1)
    expect(answer.locator(".feedback")).to_be_visible()
    expect(answer).to_contain_text("renouveler la CNIE")
    assert fake.requests[-1]["message"] == "cnie-renouvellement"
    assert fake.requests[-1]["conversation_id"] == fake.conversation_ids[0]
    expect(shadow(page, ".row.user .msg").last).to_have_text("Vous : " + CNIE_CHOICES_FR[1][1])
    expect(question.locator(".chips")).to_have_count(0)
    expect(chips(answer)).to_have_text(["Quel est le délai ?"])  # the chosen procedure's own follow-ups


def test_darija_choices_read_right_to_left_and_work_from_the_keyboard(page: Page, fake: FakeChatService) -> None:
    page.set_viewport_size(PHONE)
    open_demo(page, fake.url)
    shadow(page, "#sahla-lang").select_option("darija")
    question = ask(page, CNIE_DARIJA)
    group = question.locator(".choices")
    expect(group).to_have_attribute("aria-label", "ختار الإجراء")
    assert computed(group, "direction") == "rtl"
    for chip in chips(question).all():
        assert computed(chip, "direction") == "rtl" and computed(chip, "text-align") in ("start", "right")
        box = chip.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    order = tab_order_from_log_to_input(page)
    first_title = CNIE_CHOICES_DARIJA[0][1]
    assert order.index(first_title) + 1 == order.index(CNIE_CHOICES_DARIJA[1][1]), order
    while active_text(page) != first_title:
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")
    expect(answers(page).nth(1).locator(".feedback")).to_be_visible()
    assert fake.requests[-1]["message"] == "cnie-premiere-demande"
    expect(shadow(page, ".row.user .msg").last).to_contain_text(first_title)
    assert computed(shadow(page, ".row.user .msg").last, "direction") == "rtl"


def test_a_choice_is_asked_in_the_language_of_the_question_it_answers(page: Page, fake: FakeChatService) -> None:
    open_demo(page, fake.url)  # a French page, no language chosen: the service detects each message's language
    question = ask(page, CNIE_DARIJA)
    assert fake.requests[-1]["language"] == "auto"
    chips(question).first.click()
    expect(answers(page).nth(1).locator(".feedback")).to_be_visible()
    assert fake.requests[-1]["message"] == "cnie-premiere-demande"
    assert fake.requests[-1]["language"] == "darija"  # an id alone would be taken for French


def test_choices_survive_a_reload_until_one_is_used(page: Page, fake: FakeChatService) -> None:
    open_demo(page, fake.url)
    ask(page, CNIE_FR)
    page.reload()
    expect(answers(page).first.locator(".choices .chip")).to_have_count(2)
    answers(page).first.locator(".chip").first.click()
    expect(answers(page).nth(1).locator(".feedback")).to_be_visible()
    assert fake.requests[-1]["message"] == "cnie-premiere-demande"


def test_lists_that_come_only_in_done_are_shown(page: Page, fake: FakeChatService) -> None:
    open_demo(page, fake.url)
    answer = ask(page, LATE_FR)
    expect(chips(answer)).to_have_count(1)


def test_markup_in_suggestions_and_choices_is_shown_as_text(page: Page, fake: FakeChatService) -> None:
    open_demo(page, fake.url)
    expect(chips(ask(page, LATE_FR))).to_have_text([HOSTILE + " Quels documents ?"])
    question = ask(page, "piege")
    expect(chips(question)).to_have_text([HOSTILE, "<b>gras</b>"])
    chips(question).nth(1).click()
    expect(answers(page).nth(2).locator(".feedback")).to_be_visible()
    assert shadow(page, ":is(img, b, script)").count() == 0
    assert page.evaluate("() => window.__sahlaXss") is None
    assert fake.requests[-1]["message"] == "javascript:window.__sahlaXss=1"  # sent as a message, never navigated


def test_retrying_a_failed_choice_sends_the_procedure_id_again(page: Page, fake: FakeChatService) -> None:
    open_demo(page, fake.url)
    question = ask(page, CNIE_FR)
    page.route(f"{fake.url}/v1/chat", lambda route: route.abort("internetdisconnected"))
    chips(question).nth(1).click()
    retry = shadow(page, ".retry")
    expect(retry).to_be_visible()
    page.unroute(f"{fake.url}/v1/chat")
    retry.click()
    expect(answers(page).nth(1)).to_contain_text("renouveler la CNIE")
    assert [r["message"] for r in fake.requests] == [CNIE_FR, "cnie-renouvellement"]
    expect(shadow(page, ".row.user")).to_have_count(2)
    expect(shadow(page, ".row.user .msg").last).to_contain_text(CNIE_CHOICES_FR[1][1])


def test_the_launcher_hides_while_the_panel_is_open_and_gets_focus_back(page: Page, fake: FakeChatService) -> None:
    page.goto(f"{fake.url}/demo")
    launcher = shadow(page, ".launcher")
    launcher_box = launcher.bounding_box()
    assert launcher_box
    launcher.click()
    expect(shadow(page, ".panel")).to_be_visible()
    expect(launcher).to_be_hidden()
    panel = shadow(page, ".panel").bounding_box()
    assert panel and panel["y"] + panel["height"] <= DESKTOP["height"]
    shadow(page, ".close").click()
    expect(launcher).to_be_visible()
    assert launcher.evaluate("el => el.getRootNode().activeElement === el"), "closing did not return focus"
    page.keyboard.press("Enter")
    expect(launcher).to_be_hidden()
    page.keyboard.press("Escape")
    expect(launcher).to_be_visible()
    assert launcher.evaluate("el => el.getRootNode().activeElement === el")


@pytest.mark.parametrize(("name", "viewport", "language", "question"), [
    ("phone-darija-suggestions", PHONE, "darija", PASSPORT_DARIJA),
    ("desktop-fr-clarify", DESKTOP, "fr", CNIE_FR),
], ids=["phone-darija-suggestions", "desktop-fr-clarify"])
def test_screenshot_of_chips_and_choices(browser: Browser, fake: FakeChatService, name: str,
                                         viewport: ViewportSize, language: str, question: str) -> None:
    context = browser.new_context(viewport=viewport, locale="fr-FR", device_scale_factor=1)
    page = context.new_page()
    try:
        SCREENSHOTS.mkdir(exist_ok=True)
        open_demo(page, fake.url)
        shadow(page, "#sahla-lang").select_option(language)
        ask(page, question)
        shadow(page, ".chip").first.focus()  # the focus ring shows in the picture
        page.screenshot(path=SCREENSHOTS / f"widget-{name}.png")
        for chip in shadow(page, ".chip").all():
            box = chip.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    finally:
        context.close()
