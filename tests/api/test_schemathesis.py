"""Schemathesis against the service's own OpenAPI, over real HTTP: no 500 and no response outside the schema."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ADMIN_KEY, CORPUS, REPO, VENV_BIN, serve

CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance," \
         "response_headers_conformance"


@pytest.fixture
def live_service(tmp_path: Path) -> object:
    """`python -m api serve` over the corpus indexed with the fake embedder: fuzzed re-indexes stay quick."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    env = {**os.environ, "SAHLA_DATA_DIR": str(tmp_path / "data"), "SAHLA_CORPUS_DIR": str(tmp_path / "corpus"),
           "SAHLA_EMBEDDER": "fake", "SAHLA_ADMIN_KEY": ADMIN_KEY, "SAHLA_RATE_LIMIT_PER_CLIENT": "0",
           "SAHLA_RATE_LIMIT_SEARCH_PER_CLIENT": "0", "SAHLA_RATE_LIMIT_PER_CONVERSATION": "0"}
    env.pop("SAHLA_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "ingestion", "index", str(tmp_path / "corpus")], cwd=REPO, env=env,
                   check=True, capture_output=True, timeout=300)
    server, url = serve(env, tmp_path / "server.log")
    yield url, tmp_path / "server.log"
    server.terminate()
    server.wait(timeout=20)


def test_schemathesis_finds_no_server_error_and_no_response_outside_the_schema(live_service) -> None:
    url, log = live_service
    run = subprocess.run(
        [str(VENV_BIN / "schemathesis"), "run", f"{url}/openapi.json", "--checks", CHECKS, "-H",
         f"Authorization: Bearer {ADMIN_KEY}", "--max-examples", "25", "--request-timeout", "30", "--workers", "1",
         "--seed", "4242", "--no-color"],
        capture_output=True, text=True, timeout=900, cwd=log.parent)
    summary = run.stdout[run.stdout.rfind("SUMMARY"):]
    print(summary)
    assert run.returncode == 0, run.stdout[-6000:]
    assert "Traceback" not in log.read_text()
