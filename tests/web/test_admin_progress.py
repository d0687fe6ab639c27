"""The admin page's own behaviour, against a scripted admin API that speaks the contract's shapes: the progress
bar fills step by step as the job endpoint reports, a running job is followed after a 409, and a refused key
signs out. (The same page against the real API is in test_admin.py.)"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page, Route, expect

from tests.web.conftest import WebServer

KEY = "scripted-admin-key-0123456789"


# The admin page's other lists, answered empty: this page is about the job progress.
LISTS: dict[str, dict[str, Any]] = {
    "/procedures/hidden": {"procedures": []}, "/aliases": {"aliases": []}, "/out-of-scope": {"examples": []},
    "/corrections?limit=20": {"corrections": []},
    "/sources": {"sources": [], "schedule": {"enabled": False, "interval_minutes": 0, "next_run_at": None}},
}


@dataclass
class ScriptedAdminApi:
    """Answers /v1/admin/* in the browser: a job that advances by `step` files at each poll."""

    total: int = 5
    step: int = 1
    reindex_status: int = 202
    done: int = 0
    polls: list[int] = field(default_factory=list)

    def job(self) -> dict[str, Any]:
        finished = self.done >= self.total
        return {"job_id": "job-1", "status": "succeeded" if finished else "running",
                "progress": {"done": self.done, "total": self.total},
                "counts": {"added": 1, "updated": 0, "deleted": 0, "unchanged": self.total - 2, "failed": 1},
                "errors": [{"source": "corpus/procedures/x/fr.md", "message": "missing key 'title'"}] if finished else [],
                "started_at": "2026-11-26T10:00:00Z", "finished_at": "2026-11-26T10:00:05Z" if finished else None}

    def handle(self, route: Route) -> None:
        request, path = route.request, route.request.url.split("/v1/admin", 1)[1]
        if request.headers.get("authorization") != f"Bearer {KEY}":
            self.reply(route, 401, {"error": {"code": "unauthorized", "message": "bad admin key"}})
        elif path == "/stats":
            self.reply(route, 200, {"questions": {"by_language": {"fr": 7, "ar": 3, "darija": 1},
                                                  "by_status": {"answered": 9, "not_found": 2}},
                                    "feedback": {"up": 3, "down": 1},
                                    "top_not_found": [{"question": "<b>permis</b> de chasse", "count": 2}]})
        elif path == "/reindex":
            body = {"job_id": "job-1"} if self.reindex_status == 202 else {
                "error": {"code": "job_running", "message": "an index job is already running"}}
            self.reply(route, self.reindex_status, body)
        elif path in LISTS:
            self.reply(route, 200, LISTS[path])
        elif path == "/jobs":
            self.reply(route, 200, {"jobs": [self.job()]})
        elif path == "/jobs/job-1":
            self.polls.append(self.done)
            self.reply(route, 200, self.job())
            self.done = min(self.total, self.done + self.step)
        else:
            self.reply(route, 404, {"error": {"code": "not_found", "message": "no such path"}})

    @staticmethod
    def reply(route: Route, status: int, body: dict[str, Any]) -> None:
        route.fulfill(status=status, content_type="application/json", body=json.dumps(body))


def open_admin(page: Page, web_server: WebServer, api: ScriptedAdminApi) -> None:
    page.route(re.compile(r".*/v1/admin/.*"), api.handle)
    page.goto(f"{web_server.url}/admin")
    page.get_by_label("Clé d'administration").fill(KEY)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#dashboard")).to_be_visible()


def test_the_progress_bar_fills_step_by_step_from_the_job_endpoint(page: Page, web_server: WebServer) -> None:
    api = ScriptedAdminApi(done=5)  # the history shows a finished job first
    open_admin(page, web_server, api)
    api.done = 0
    page.evaluate("""() => { window.__progress = [];
        new MutationObserver(() => window.__progress.push(document.getElementById('reindex-progress').value))
          .observe(document.getElementById('reindex-progress'), {attributes: true}); }""")
    page.get_by_role("button", name="Lancer la réindexation").click()
    expect(page.locator("#reindex-status")).to_contain_text("Terminée : 5 / 5 fichiers")
    seen = page.evaluate("() => window.__progress")
    assert [v for v in (0, 1, 2, 3, 4, 5) if v in seen] == [0, 1, 2, 3, 4, 5], seen
    expect(page.locator("#reindex-progress")).to_have_js_property("value", 5)
    row = page.locator("#jobs tr[data-job='job-1']")
    expect(row.locator(".badge")).to_have_text("Terminée")
    row.locator("summary").click()
    expect(row.locator(".errors li")).to_have_text("corpus/procedures/x/fr.md : missing key 'title'")


def test_a_conflict_follows_the_job_already_running(page: Page, web_server: WebServer) -> None:
    api = ScriptedAdminApi(done=5)
    open_admin(page, web_server, api)
    api.done, api.reindex_status = 2, 409
    page.get_by_role("button", name="Lancer la réindexation").click()
    expect(page.locator("#reindex-status")).to_contain_text("Terminée : 5 / 5 fichiers")
    assert api.polls[0] == 2


def test_stats_are_drawn_as_bars_with_the_feedback_ratio(page: Page, web_server: WebServer) -> None:
    open_admin(page, web_server, ScriptedAdminApi(done=5))
    bars = page.locator("#by-language svg rect")
    expect(bars).to_have_count(3)
    widths = [float(bars.nth(i).get_attribute("width") or 0) for i in range(3)]
    assert widths[0] > widths[1] > widths[2] > 0  # 7, 3, 1
    expect(page.locator("#by-status text.chart-label")).to_have_text(["Répondu", "Non trouvé"])
    expect(page.locator("#feedback-ratio")).to_have_text("75 % d'avis positifs")
    expect(page.locator("#not-found li")).to_contain_text("<b>permis</b> de chasse (2)")


def test_a_refused_key_signs_out_with_a_message(page: Page, web_server: WebServer) -> None:
    page.route(re.compile(r".*/v1/admin/.*"), ScriptedAdminApi().handle)
    page.goto(f"{web_server.url}/admin")
    page.get_by_label("Clé d'administration").fill("wrong-key-but-long-enough")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("#signin-status")).to_have_text("La clé a été refusée. Reconnectez-vous.")
    expect(page.locator("#dashboard")).to_be_hidden()
