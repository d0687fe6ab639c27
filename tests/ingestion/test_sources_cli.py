"""`python -m ingestion sources add|list|sync|remove` against a local site: exit codes, each URL's outcome on
screen, and the sources list with its last fetch and status."""

from __future__ import annotations

from pathlib import Path

from tests.ingestion.sync_pages import procedure_page
from tests.ingestion.test_cli import run_cli
from tests.ingestion.test_pipeline import small_corpus
from tests.site_server import SiteServer


def test_sources_are_added_synced_listed_and_removed_from_the_command_line(tmp_path: Path) -> None:
    env = {"SAHLA_CORPUS_DIR": str(small_corpus(tmp_path)), "SAHLA_SYNC_HOST_DELAY_SECONDS": "0",
           "SAHLA_SYNC_TIMEOUT_SECONDS": "2"}
    data = tmp_path / "data"
    with SiteServer() as site:
        site.put("/fr/permis.html", procedure_page("Permis de port d'arme", 400))
        assert run_cli(["sources", "add", f"{site.url}/fr/permis.html"], data, **env).returncode == 0
        assert run_cli(["sources", "add", f"{site.url}/fr/absent.html", "--id", "absent"], data, **env).returncode == 0
        again = run_cli(["sources", "add", f"{site.url}/fr/permis.html"], data, **env)
        assert again.returncode == 2 and "already registered" in again.stdout
        synced = run_cli(["sources", "sync"], data, **env)
        assert synced.returncode == 1, synced.stdout + synced.stderr  # one page kept its (absent) version
        assert "added" in synced.stdout and "permis.fr" in synced.stdout and "gone" in synced.stdout
        listed = run_cli(["sources", "list"], data, **env)
        assert "never" not in listed.stdout and "ok" in listed.stdout and "partial" not in listed.stdout
        assert "failed" in listed.stdout and "absent.html" in listed.stdout
        removed = run_cli(["sources", "remove", f"{site.url}/fr/permis.html"], data, **env)
        assert removed.returncode == 0 and "1 pages" in removed.stdout
        assert "permis.html" not in run_cli(["sources", "list"], data, **env).stdout


def test_a_source_that_is_not_a_url_is_refused_with_its_reason(tmp_path: Path) -> None:
    result = run_cli(["sources", "add", "www.example.ma/page"], tmp_path / "data")
    assert result.returncode == 2 and "is not an http(s) URL" in result.stdout
